// The executable's fast path (dist/autodl.cjs, src/cli/fast.ts): what it prints for help and
// version must be byte for byte what the full CLI (dist/cli.js, commander) prints, in both
// languages; everything else must reach the full CLI; and it must not hold the command tree.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fastOutput, type HelpData } from '../../src/cli/fast.js';
import { CLI, ensureBuilt, FULL_CLI, runCli } from './helpers.js';

before(() => ensureBuilt());

describe('autodl.cjs answers help and version exactly as the full CLI does', () => {
  const argvs = [
    [],
    ['--help'],
    ['-h'],
    ['help'],
    ['-V'],
    ['--version'],
    ['--lang', 'zh'],
    ['--lang=zh', '--help'],
    ['--lang', 'en', 'help'],
    ['--lang', 'zh', '-V'],
  ];
  const envs: Record<string, Record<string, string>> = { default: {}, 'LANG=zh_CN.UTF-8': { LANG: 'zh_CN.UTF-8' }, 'AUTODL_LANG=zh': { AUTODL_LANG: 'zh' } };
  for (const [envName, env] of Object.entries(envs)) {
    test(`${envName}: every fast form`, async () => {
      for (const args of argvs) {
        const [fast, full] = await Promise.all([runCli(args, { env }), runCli(args, { env, script: FULL_CLI })]);
        const what = `autodl ${args.join(' ')} (${envName})`;
        assert.equal(fast.code, 0, what);
        assert.equal(fast.stdout, full.stdout, what);
        assert.equal(fast.stderr, full.stderr, what);
        assert.equal(fast.code, full.code, what);
      }
    });
  }

  test('the two languages really differ (the comparison above is not vacuous)', async () => {
    const en = await runCli(['--help']);
    const zh = await runCli(['--help'], { env: { LANG: 'zh_CN.UTF-8' } });
    assert.match(en.stdout, /^Usage: autodl/);
    assert.notEqual(en.stdout, zh.stdout);
    assert.match(zh.stdout, /显示帮助/);
  });

  test('anything else reaches the full CLI: command help, bad --lang, unknown commands', async () => {
    const sub = await runCli(['stock', '--help']);
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, /^Usage: autodl stock/);
    const bad = await runCli(['--lang', 'fr', '--json']);
    assert.equal(bad.code, 1);
    assert.equal(JSON.parse(bad.stdout).error_type, 'config_error');
    const unknown = await runCli(['nosuchcommand', '--json']);
    assert.equal(unknown.code, 1);
    assert.equal(JSON.parse(unknown.stdout).error_type, 'config_error');
  });

  test('a reader that closes the pipe early gets no stack trace', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [CLI, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise((res) => child.on('close', res));
    assert.equal(code, 0);
    assert.equal(err, '');
  });

  test('the executable holds no command tree: only node built-ins until it hands over to dist/cli.cjs', () => {
    const text = readFileSync(CLI, 'utf8');
    const requires = [...new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))].sort();
    assert.deepEqual(requires, ['node:fs', 'node:module', 'node:os', 'node:path', 'node:vm']);
    assert.ok(!text.includes('class Command'), 'commander is not in the executable');
    assert.match(text, /^#!\/usr\/bin\/env node/);
  });
});

describe('fastOutput: when the pre-rendered help is valid', () => {
  const data: HelpData = {
    version: '9.9.9',
    help: { en: { text: 'EN\n', wide: true }, zh: { text: 'ZH\n', wide: false } },
  };
  test('version and help by language', () => {
    assert.equal(fastOutput(['-V'], {}, undefined, data), '9.9.9\n');
    assert.equal(fastOutput([], {}, undefined, data), 'EN\n');
    assert.equal(fastOutput(['--lang', 'zh'], {}, undefined, data), 'ZH\n');
    assert.equal(fastOutput(['help'], { LC_ALL: 'zh_TW' }, undefined, data), 'ZH\n');
    assert.equal(fastOutput(['--help'], { AUTODL_LANG: 'en', LANG: 'zh_CN' }, undefined, data), 'EN\n');
  });
  test('terminal width: 80 or not a terminal always; wider only when nothing was wrapped; narrower never', () => {
    assert.equal(fastOutput([], {}, 80, data), 'EN\n');
    assert.equal(fastOutput([], {}, 200, data), 'EN\n');
    assert.equal(fastOutput([], {}, 60, data), undefined);
    assert.equal(fastOutput(['--lang', 'zh'], {}, 200, data), undefined);
    assert.equal(fastOutput(['--lang', 'zh'], {}, 80, data), 'ZH\n');
  });
  test('anything but the exact forms is left to the full CLI', () => {
    for (const args of [['stock'], ['--help', 'stock'], ['help', 'stock'], ['--lang', 'fr'], ['--lang'], ['--json'], ['-V', '-h'], ['--lang=de', '-h']]) {
      assert.equal(fastOutput(args, {}, undefined, data), undefined, args.join(' '));
    }
  });
});
