// Terminal injection: strings from a hostile server (names, statuses, events, GPU names,
// error code and msg) and from config files carry ESC/OSC/CSI, C1 and bidi controls. Every
// human-output command, run for real against a hostile loopback server with colour forced,
// prints them as visible escapes: no raw control byte reaches the terminal except our own
// SGR colours (and, on a terminal, our own line controls). JSON output keeps the exact data.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DEMO_IMAGE_UUID } from '../../src/sim/index.js';
import { childEnv, CLI, collect, ensureBuilt, json, runCli, waitFor, writeConfig } from './helpers.js';
import { ALL_HOSTILE, H_DEP, HOSTILE, humanCommands, rawControls, startHostileServer, type HostileServer } from '../reliability/hostile-server.js';

let srv: HostileServer;
let files: { cfg: string; badCfg: string; db: string };
const TOKEN = 'hostile-test-token-0123456789';

before(async () => {
  ensureBuilt();
  srv = await startHostileServer();
  const tpl = { gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, image_uuid: DEMO_IMAGE_UUID, cmd: 'sleep 1' };
  const cfg = writeConfig('hostile.json', { name: 'hostile-cfg', deployment_type: 'Container', container_template: tpl });
  // a config file is data too: its bad values come back in validation messages
  const badCfg = writeConfig('bad.json', { name: ALL_HOSTILE, deployment_type: ALL_HOSTILE, container_template: { ...tpl, gpu_num: ALL_HOSTILE, [ALL_HOSTILE]: 1 } });
  const db = join(mkdtempSync(join(tmpdir(), 'autodl-hostile-q-')), 'q.db');
  // names refuse C0 controls; bidi and C1 pass validation, and a label is free text
  const named = writeConfig('named.json', { name: 'q-bidi\u202eevil\u2066x\u2069\u009b2J', deployment_type: 'Container', container_template: tpl });
  const add = await runCli(['queue', 'add', named, '--db', db, '--label', `l-${ALL_HOSTILE.replace(/\x00/g, '')}`, '--json'], { env: env() });
  assert.equal(add.code, 0, add.stdout + add.stderr);
  files = { cfg, badCfg, db };
});
after(async () => {
  await srv?.close();
});

function env(host?: string): Record<string, string | undefined> {
  return { AUTODL_HOST: host ?? srv.url, AUTODL_TOKEN: TOKEN, FORCE_COLOR: '1', NO_COLOR: undefined };
}

describe('terminal injection', () => {
  test('every human-output command: 0 raw control bytes besides our colours; the data still shown, escaped', async () => {
    const bad: string[] = [];
    let colours = 0;
    for (const args of humanCommands(files)) {
      const r = await runCli([...args, '--no-json'], { env: env() });
      const out = r.stdout + r.stderr;
      const raw = rawControls(out);
      if (raw.length > 0) bad.push(`autodl ${args.join(' ')} (exit ${r.code}): ${raw.length} raw, first ${raw[0]}`);
      if (/\x1b\[3\dm/.test(out)) colours++;
      assert.doesNotMatch(out, /\n\s+at .+:\d+:\d+\)/, `no stack trace from autodl ${args.join(' ')}`);
    }
    assert.deepEqual(bad, []);
    assert.ok(colours > 0, 'our own colours still reach the terminal');
  });

  test('the hostile text is shown as visible escapes (a table, an error, a status line)', async () => {
    const list = await runCli(['deployments', '--no-json'], { env: env() });
    assert.equal(list.code, 0, list.stderr);
    assert.ok(list.stdout.includes('win\\x1b]0;pwned-title\\x07dow'), list.stdout);
    assert.ok(list.stdout.includes('bidi\\u202eevil'), list.stdout);
    assert.ok(list.stdout.includes('c1\\x9b2J'), list.stdout);
    const stop = await runCli(['stop', H_DEP, '--no-json'], { env: env() });
    assert.equal(stop.code, 3);
    assert.match(stop.stderr, /\x1b\[31m/, 'the error title keeps its colour');
    assert.ok(stop.stderr.includes('refused: win\\x1b]0;pwned-title'), stop.stderr);
    assert.deepEqual(rawControls(stop.stderr), []);
    // a bulk action's line per target: a newline in a name or a refusal cannot forge another line
    const many = await runCli(['stop', '--all', '--yes', '--no-json'], { env: env() });
    assert.equal(many.code, 3, many.stderr);
    assert.ok(many.stdout.includes('win\\x1b]0;pwned-title'), many.stdout);
    assert.doesNotMatch(many.stdout, /^FAKE-ROW/m);
    assert.deepEqual(rawControls(many.stdout), []);
  });

  test('each kind of hostile string alone, through a table and the error printer', async () => {
    for (const kind of Object.keys(HOSTILE)) {
      for (const args of [['deployments'], ['events', H_DEP], ['delete', H_DEP]]) {
        const r = await runCli([...args, '--no-json'], { env: env(srv.urlFor(kind)) });
        assert.deepEqual(rawControls(r.stdout + r.stderr), [], `${kind}: autodl ${args.join(' ')}`);
      }
    }
  });

  test('JSON output stays the exact data (C1 and bidi unescaped by JSON, as before)', async () => {
    const r = await runCli(['deployments', '--json'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    const list = json<Array<{ name: string }>>(r);
    assert.equal(list[0]!.name, ALL_HOSTILE);
  });
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('terminal injection on a real terminal', { skip: !hasScript && 'util-linux script is not installed' }, () => {
  for (const args of [
    ['watch', H_DEP, '--count', '2', '--interval', '0.05'],
    ['watch', '--count', '2', '--interval', '0.05'],
    ['wait', H_DEP, '--for', 'running', '--timeout', '0.3', '--interval', '0.05'],
    ['submit', 'CFG', '--interval', '0.05', '--timeout', '0.3'],
    ['queue', 'ls', '--watch', '--count', '2', '--interval', '0.05', '--db', 'DB'],
  ]) {
    test(`autodl ${args.join(' ')}: live frame / status line without raw control bytes of data`, async () => {
      const argv = args.map((a) => (a === 'CFG' ? files.cfg : a === 'DB' ? files.db : a));
      const cmd = [process.execPath, CLI, ...argv].map(quote).join(' ');
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...childEnv({ env: env() }), TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
      const done = collect(child, 'keep-open');
      void waitFor(child, 'stdout', /./).catch(() => {});
      const r = await done;
      child.stdin?.end();
      assert.ok(r.stdout.length > 0, 'printed something');
      assert.deepEqual(rawControls(r.stdout, { tty: true }), [], r.stdout.slice(0, 2000));
    });
  }
});
