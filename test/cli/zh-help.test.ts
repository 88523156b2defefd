// Issue 15 §2: with --lang zh every help page a person can ask for — the program's, every
// command's and every sub-command's — is Chinese: no English sentence outside code, option
// names and placeholders (./english.ts). The same pages in English are caught by the same
// detector, so the test can fail.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { englishIn } from './english.js';
import { ensureBuilt, runCli } from './helpers.js';

before(() => ensureBuilt());

function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const sub of cmd.commands) {
    if (sub.name() === 'help') continue;
    const path = [...prefix, sub.name()];
    out.push(path, ...commandPaths(sub, path));
  }
  return out;
}

const PATHS = [[], ...commandPaths(buildProgram())];

test('the command tree is walked (every top-level command and the queue sub-commands)', () => {
  assert.ok(PATHS.length > 35, String(PATHS.length));
  assert.ok(PATHS.some((p) => p.join(' ') === 'queue ls'));
});

test('every --help page in Chinese has no English sentence', async () => {
  const bad: string[] = [];
  for (const path of PATHS) {
    const r = await runCli([...path, '--help', '--lang', 'zh'], { env: { LANG: 'en_US.UTF-8', AUTODL_LANG: undefined } });
    assert.equal(r.code, 0, `${path.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /[\u4e00-\u9fff]/, path.join(' '));
    const found = englishIn(r.stdout);
    // commander's own words, single words the detector lets pass
    for (const m of r.stdout.matchAll(/^(?:Usage|Options|Commands|Arguments|Global Options):|\((?:default|choices|preset|env): /gm)) found.push(m[0]);
    if (found.length > 0) bad.push(`autodl ${path.join(' ')} --help: ${found.map((f) => JSON.stringify(f)).join(', ')}`);
  }
  assert.deepEqual(bad, []);
});

test('a zh_* locale gives the same Chinese help as --lang zh', async () => {
  const byLocale = await runCli(['queue', 'ls', '--help'], { env: { LANG: 'zh_CN.UTF-8', AUTODL_LANG: undefined, LC_ALL: undefined, LC_MESSAGES: undefined } });
  const byFlag = await runCli(['queue', 'ls', '--help', '--lang', 'zh'], { env: { LANG: 'en_US.UTF-8', AUTODL_LANG: undefined } });
  assert.equal(byLocale.stdout, byFlag.stdout);
  assert.match(byLocale.stdout, /^用法：/);
  assert.match(byLocale.stdout, /选项：/);
});

test('the detector finds the English of the English help (it can fail)', async () => {
  for (const path of [[], ['submit'], ['queue', 'ls']]) {
    const r = await runCli([...path, '--help', '--lang', 'en']);
    assert.equal(r.code, 0);
    assert.ok(englishIn(r.stdout).length > 3, path.join(' '));
  }
  assert.deepEqual(englishIn('用法： autodl queue ls [options]\n  --state <state...>  只看这些状态的条目（pending、running）\n    $ autodl stock --json'), []);
  assert.deepEqual(englishIn('  --db <path>  queue database file'), ['queue database file']);
});
