// Issue 15 §2, statically: every catalog key has an English and a Chinese text, the Chinese
// is Chinese (or a code the console writes in Latin letters) in the console's words, and no
// user-facing English is written into the CLI or the config pipeline outside the catalog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { catalogs, english, inLang } from '../../src/i18n/index.js';
import { ROOT } from './helpers.js';

/** Chinese texts that are codes or units the console itself writes in Latin letters. */
const LATIN_IN_ZH = new Set(['GB', 'UUID', 'uuid', 'CUDA', 'ID', 'GPU', 'CPU']);

test('every key has both languages; the Chinese text is Chinese', () => {
  assert.deepEqual(Object.keys(catalogs.zh).sort(), Object.keys(catalogs.en).sort());
  const notChinese = Object.entries(catalogs.zh).filter(([, v]) => !/[\u4e00-\u9fff]/.test(v) && !LATIN_IN_ZH.has(v) && /[A-Za-z]{2}/.test(v.replace(/\{\w+\}/g, '')));
  assert.deepEqual(notChinese, []);
});

test("the console's words: 开发者Token, never 令牌", () => {
  const zh = Object.entries(catalogs.zh);
  assert.deepEqual(zh.filter(([, v]) => /令牌|开发者 ?token|开发者 Token/.test(v)).map(([k]) => k), []);
  assert.ok(zh.some(([, v]) => v.includes('开发者Token')));
});

test('english() keeps the English text; inLang() shows the same message in Chinese', () => {
  const text = english('spec.invertedRange', { lo: 'cpu_num_from', a: 8, hi: 'cpu_num_to', b: 4, unit: { key: 'spec.unit.cores' } });
  assert.equal(text, 'inverted range: cpu_num_from (8) is greater than cpu_num_to (4) (cores)');
  assert.equal(inLang(text, 'en'), text);
  assert.equal(inLang(text, 'zh'), '范围颠倒：cpu_num_from（8）大于 cpu_num_to（4）（核）');
  assert.equal(inLang('a text nobody made', 'zh'), 'a text nobody made');
});

// ---------- no English outside the catalog ----------

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** A string literal with two English words in it (template substitutions taken out). */
const ENGLISH_LITERAL = String.raw`(?:'[^'\n]*[A-Za-z]{2,} [A-Za-z]{2,}[^'\n]*'|"[^"\n]*[A-Za-z]{2,} [A-Za-z]{2,}[^"\n]*"|\x60[^\x60]*[A-Za-z]{2,} [A-Za-z]{2,}[^\x60]*\x60)`;
// `raw`: matched on the source as it is (the others with `${…}` blanked, so a substitution is not taken for words)
const RULES: Array<{ where: RegExp; what: string; re: RegExp; only?: string; raw?: true }> = [
  { where: /^src\/cli\//, what: 'human output', re: new RegExp(String.raw`\bctx\.(?:print|log|warn)\(\s*${ENGLISH_LITERAL}`, 'g') },
  { where: /^src\/cli\//, what: 'help text', re: new RegExp(String.raw`\.(?:description|summary|addHelpText)\(\s*(?:'(?:before|after|beforeAll|afterAll)',\s*)?${ENGLISH_LITERAL}`, 'g') },
  { where: /^src\/cli\//, what: 'option or argument help', re: new RegExp(String.raw`(?:\.(?:option|requiredOption|argument|helpOption|helpCommand)|new (?:Option|Argument))\(\s*'[^']*',\s*${ENGLISH_LITERAL}`, 'g') },
  { where: /^src\/cli\//, what: 'table header', re: /\brenderTable\(\s*\[\s*['"`]/g, raw: true },
  { where: /^src\/cli\//, what: 'headline of an error', re: new RegExp(String.raw`new AutodlError\(\s*'\w+',\s*${ENGLISH_LITERAL}`, 'g') },
  { where: /^src\/(?:cli|pipeline)\//, what: 'problem or warning text', re: new RegExp(String.raw`\b(?:message|error):\s*${ENGLISH_LITERAL}`, 'g') },
  { where: /^src\/(?:cli|watch)\//, what: 'reason shown to a person', re: new RegExp(String.raw`\b(?:reason|refused):\s*${ENGLISH_LITERAL}`, 'g') },
  // a view's [label, value] pairs (renderFields) — in the files that render fields
  { where: /^src\/cli\//, what: 'label of a field', re: /\[\s*'[A-Za-z][\w ()/¥-]*',\s*(?!['\s])/g, only: 'renderFields(', raw: true },
];

/** The source with `${…}` substitutions blanked (one level of nesting is enough here). */
function blankSubstitutions(src: string): string {
  return src.replace(/\$\{(?:[^{}]|\{[^{}]*\})*\}/g, '${}');
}

function violations(rel: string, src: string): string[] {
  const text = blankSubstitutions(src);
  const out: string[] = [];
  for (const rule of RULES) {
    if (!rule.where.test(rel) || (rule.only !== undefined && !src.includes(rule.only))) continue;
    const hay = rule.raw ? src : text;
    for (const m of hay.matchAll(rule.re)) {
      const line = hay.slice(0, m.index).split('\n').length;
      out.push(`${rel}:${line}: ${rule.what}: ${m[0].slice(0, 100)}`);
    }
  }
  return out;
}

test('the scanner finds English written outside the catalog (it can fail)', () => {
  const sample = [
    "ctx.print('created the deployment');",
    "program.command('x').description('does the thing')",
    ".option('--fast', 'go faster please')",
    "renderTable(['ID', 'NAME'], rows, c)",
    "throw new AutodlError('config_error', `cannot open ${path} at all`);",
    "out.push({ path: 'x', message: 'must be a number' });",
    "return { refused: 'more than one -p' };",
    "renderFields([['memory (GB)', range(a, b)]], c);",
    "return `${renderTable(['ENDED', 'ID'], rows, c)}\\n`;",
  ].join('\n');
  assert.equal(violations('src/cli/commands/x.ts', sample).length, 9, violations('src/cli/commands/x.ts', sample).join('\n'));
  assert.equal(violations('src/pipeline/x.ts', "out.push({ message: 'must be a number' })").length, 1);
  assert.deepEqual(violations('src/cli/commands/x.ts', "ctx.print(t('result.created', { uuid }));\n.option('--fast', t('opt.fast'))"), []);
});

test('no user-facing English string in src/cli, src/pipeline or src/watch outside the catalog', () => {
  const found: string[] = [];
  for (const dir of ['src/cli', 'src/pipeline', 'src/watch']) {
    for (const f of files(join(ROOT, dir))) {
      const rel = relative(ROOT, f).split('\\').join('/');
      found.push(...violations(rel, readFileSync(f, 'utf8')));
    }
  }
  assert.deepEqual(found, []);
});
