// Checks every `autodl …` invocation a Markdown text shows in code (spans and fenced blocks)
// against the real CLI's help: the command (and sub-command) must exist, every flag must be
// one of that command's options or a global option.
import { spawnSync } from 'node:child_process';
import { CLI, ensureBuilt } from '../cli/helpers.js';

export interface Invocation {
  /** The code text the invocation was found in (for messages). */
  source: string;
  /** Tokens after `autodl`, up to a shell operator. */
  tokens: string[];
}

/** Code texts of a Markdown document: each line of a fenced block, and each inline code span. */
export function codeTexts(markdown: string): string[] {
  const out: string[] = [];
  const lines = markdown.split('\n');
  let fence: string | undefined;
  let pending = '';
  for (const line of lines) {
    const m = /^\s*(```+|~~~+)/.exec(line);
    if (m) {
      if (fence === undefined) fence = m[1];
      else if (line.trim().startsWith(fence)) {
        fence = undefined;
        if (pending) out.push(pending);
        pending = '';
      }
      continue;
    }
    if (fence !== undefined) {
      // join shell line continuations
      if (line.endsWith('\\')) pending += `${line.slice(0, -1)} `;
      else {
        out.push(pending + line);
        pending = '';
      }
      continue;
    }
    for (const span of line.matchAll(/(`+)([^`]+?)\1/g)) out.push(span[2]!);
  }
  return out;
}

const OPERATORS = new Set(['--', '|', '||', '&&', ';', '&', '>', '>>', '<', '2>&1', ')']);

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(re)) tokens.push(m[3] ?? `"${m[1] ?? m[2] ?? ''}"`);
  return tokens;
}

/** Every `autodl` invocation in the code of a Markdown text. */
export function extractInvocations(markdown: string): Invocation[] {
  const out: Invocation[] = [];
  for (const text of codeTexts(markdown)) {
    for (const m of text.matchAll(/(?<![\w./@"-])autodl(?![\w"-])/g)) {
      const rest = text.slice(m.index! + m[0].length);
      const tokens: string[] = [];
      for (const tok of tokenize(rest)) {
        if (OPERATORS.has(tok) || tok.startsWith('#') || tok.startsWith('<<') || tok.startsWith('>') || tok.startsWith('$(')) break;
        const trimmed = tok.replace(/[;,)]+$/, '');
        if (trimmed === '') break;
        tokens.push(trimmed);
        if (trimmed !== tok) break; // `autodl stock)` or `a ;`: the command ended there
      }
      out.push({ source: text.trim(), tokens });
    }
  }
  return out;
}

// ---------- the CLI's shape, read from its help ----------

interface HelpInfo {
  /** name → takes a value */
  options: Map<string, boolean>;
  /** sub-command names and aliases (without `help`) */
  commands: Set<string>;
  /** takes positional arguments of its own (a group that also acts: `blacklist <container>`) */
  takesArguments: boolean;
}

const cache = new Map<string, HelpInfo>();

export function help(path: string[]): HelpInfo {
  const key = path.join(' ');
  const hit = cache.get(key);
  if (hit) return hit;
  ensureBuilt();
  const r = spawnSync(process.execPath, [CLI, '--lang', 'en', ...path, '--help'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`autodl ${key} --help failed (${r.status}): ${r.stderr}`);
  const info: HelpInfo = { options: new Map(), commands: new Set(), takesArguments: false };
  let section = '';
  for (const line of r.stdout.split('\n')) {
    if (/^\S.*:$/.test(line)) {
      section = line.slice(0, -1);
      if (section === 'Arguments') info.takesArguments = true;
      continue;
    }
    const entry = /^ {2}(\S.*?)(?: {2,}|$)/.exec(line);
    if (!entry) continue;
    const head = entry[1]!;
    if (section === 'Options') {
      for (const o of head.matchAll(/(--?[A-Za-z][\w-]*)(\s+[<[])?/g)) info.options.set(o[1]!, o[2] !== undefined);
    } else if (section === 'Commands') {
      const names = head.split(/\s/)[0]!;
      for (const n of names.split('|')) if (n !== 'help') info.commands.add(n);
    }
  }
  cache.set(key, info);
  return info;
}

/** Problems of one invocation ([] when the CLI accepts it). */
export function checkInvocation(inv: Invocation): string[] {
  const problems: string[] = [];
  const root = help([]);
  const where = `\`${inv.source}\``;
  let i = 0;
  const t = inv.tokens;
  // global options before the command
  while (i < t.length && t[i]!.startsWith('-')) {
    const name = t[i]!.split('=')[0]!;
    if (!root.options.has(name)) problems.push(`${where}: unknown global option ${name}`);
    i += root.options.get(name) && !t[i]!.includes('=') ? 2 : 1;
  }
  if (i >= t.length) return problems;
  const first = t[i]!;
  if (first.startsWith('<') || first === '…' || first === '...') return problems; // `autodl <command> --help`
  if (!root.commands.has(first)) {
    problems.push(`${where}: unknown command "${first}"`);
    return problems;
  }
  const path = [first];
  i++;
  let info = help(path);
  const group = info;
  if (info.commands.size > 0) {
    // options of the group itself (e.g. `queue --db x ls`) may stand before the sub-command
    while (i < t.length && t[i]!.startsWith('-') && group.options.has(t[i]!.split('=')[0]!)) {
      i += group.options.get(t[i]!.split('=')[0]!) && !t[i]!.includes('=') ? 2 : 1;
    }
    const sub = t[i];
    if (sub === undefined || sub.startsWith('-')) {
      if (!(sub === '--help' || sub === '-h') && !group.takesArguments) problems.push(`${where}: "${first}" needs a sub-command (${[...info.commands].join(', ')})`);
    } else if (!info.commands.has(sub) && group.takesArguments) {
      i++; // the group's own argument (`blacklist <container>`): its options follow
    } else if (!info.commands.has(sub)) {
      problems.push(`${where}: unknown sub-command "${first} ${sub}"`);
      return problems;
    } else {
      path.push(sub);
      i++;
      info = help(path);
    }
  }
  for (; i < t.length; i++) {
    const tok = t[i]!;
    if (!/^--?[A-Za-z]/.test(tok)) continue;
    const name = tok.split('=')[0]!;
    if (!info.options.has(name) && !group.options.has(name) && !root.options.has(name)) problems.push(`${where}: "autodl ${path.join(' ')}" has no option ${name}`);
  }
  return problems;
}
