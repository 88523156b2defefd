// What of a text a person reads is English prose: a detector for the Chinese tests. Code is
// taken out first — example lines (`$ autodl …`), the usage line, `back-ticked` and "quoted"
// text, <placeholders> and [optional] ones, option flags, paths, URLs, identifiers (with _ . /
// or digits), UPPER_CASE names — and a short list of names the console itself leaves in
// English. What is left counts as English when two Latin words follow each other, or when an
// English function word stands alone.

/** Names and terms the AutoDL console and the shell keep in Latin letters. */
const TERMS = [
  'Model Context Protocol',
  'JSON Schema',
  'Claude Code',
  'AI agent',
  'Ctrl-C',
  'OpenSSH',
  'AutoDL',
  'autodl-elastic',
  'autodl',
];

const FUNCTION_WORDS = new Set(
  'the a an of to is are be and or with for from when not no in on at by as it its this that these those then than if only all any each every one your you after before until'.split(' '),
);

/** Strip what is code, not prose. */
export function prose(text: string): string {
  let s = text
    .split('\n')
    .filter((l) => !/^\s*\$ /.test(l) && !/^(Usage|用法)[:：]/.test(l.trim()))
    .join('\n');
  s = s.replace(/`[^`]*`/g, ' ');
  s = s.replace(/"[^"\n]*"/g, ' ').replace(/“[^”\n]*”/g, ' ');
  s = s.replace(/<[^<>\n]*>/g, ' ').replace(/\[[^\[\]\n]*\]/g, ' ');
  for (const term of TERMS) s = s.split(term).join(' ');
  s = s.replace(/https?:\/\/\S+/g, ' ');
  s = s.replace(/(?<![\w-])--?[A-Za-z][\w-]*(=\S*)?/g, ' ');
  // values as code lists them: running,stopped
  s = s.replace(/[\w-]+(?:,[\w-]+)+/g, ' ');
  // alternatives as code spells them: running | finished | replicas=N
  s = s.replace(/[\w=-]+(?:\s*\|\s*[\w=-]+)+/g, ' ');
  // identifiers and paths: anything with _ . / $ ~ = digits or a | inside, and UPPER names
  s = s.replace(/[\w$~.:/=|+*@{}-]*[_./$~=|0-9{}][\w$~.:/=|+*@{}-]*/g, ' ');
  s = s.replace(/\b[A-Z][A-Z0-9-]+\b/g, ' ');
  return s;
}

/** The English found in `text` (empty when none): runs of Latin words, and lone function words. */
export function englishIn(text: string): string[] {
  const s = prose(text);
  const found: string[] = [];
  for (const m of s.matchAll(/[A-Za-z][A-Za-z'-]*(?:[ ,]+[A-Za-z][A-Za-z'-]*)+/g)) found.push(m[0]);
  for (const m of s.matchAll(/[A-Za-z]+/g)) if (FUNCTION_WORDS.has(m[0].toLowerCase()) && !found.some((f) => f.includes(m[0]))) found.push(m[0]);
  return found;
}
