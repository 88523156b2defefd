// The error contract through the real CLI: every error_type from a real scenario, checked
// field by field; exit codes; JSON vs human output; zh/en messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_IMAGE_UUID } from '../../src/sim/index.js';
import {
  emptyDir,
  json,
  runCli,
  type RunResult,
  type SimHandle,
  tempHome,
  useSim,
  writeConfig,
} from './helpers.js';

interface ErrorOut {
  status: string;
  error_type: string;
  message: string;
  details: Record<string, unknown>;
}

function errorOf(r: RunResult): ErrorOut {
  const e = json<ErrorOut>(r);
  assert.deepEqual(Object.keys(e).sort(), ['details', 'error_type', 'message', 'status']);
  assert.equal(e.status, 'error');
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0);
  assert.equal(typeof e.details, 'object');
  return e;
}

const validBody = {
  name: 'err-ok',
  deployment_type: 'Container',
  container_template: {
    gpu_name_set: ['RTX 4090'],
    gpu_num: 1,
    cuda_v: 118,
    cpu_num_from: 1,
    cpu_num_to: 100,
    memory_size_from: 8,
    memory_size_to: 256,
    price_from: 100,
    price_to: 9000,
    image_uuid: DEMO_IMAGE_UUID,
    cmd: 'sleep infinity',
  },
};

let sim: SimHandle;
useSim((s) => (sim = s));

describe('validation_error and config_error', () => {
  test('validation_error lists every problem with path, message and line; exit 1; no request', async () => {
    const path = writeConfig('bad.yaml', [
      'name: bad',
      'deployment_type: Job',
      'replica_num: 1',
      'parallelism_num: 1',
      'container_template:',
      '  gpu_name_set: [RTX 4090]',
      '  gpu_num: 1',
      '  cuda_v: 119',
      '  cpu_num_from: 10',
      '  cpu_num_to: 2',
      `  image_uuid: ${DEMO_IMAGE_UUID}`,
      '  cmd: sleep 1',
      '',
    ].join('\n'));
    const n = sim.requests();
    for (const cmd of ['validate', 'create', 'submit']) {
      const r = await runCli([cmd, path], { sim });
      assert.equal(r.code, 1, cmd);
      const e = errorOf(r);
      assert.equal(e.error_type, 'validation_error');
      const errors = e.details.errors as Array<{ path: string; message: string; line?: number }>;
      const byPath = new Map(errors.map((x) => [x.path, x]));
      assert.deepEqual([...byPath.keys()].sort(), ['container_template.cpu_num_from', 'container_template.cuda_v']);
      assert.equal(byPath.get('container_template.cuda_v')!.line, 8);
      assert.match(byPath.get('container_template.cuda_v')!.message, /119/);
      assert.equal(byPath.get('container_template.cpu_num_from')!.line, 9);
      assert.match(byPath.get('container_template.cpu_num_from')!.message, /inverted/);
    }
    assert.equal(sim.requests(), n, 'a bad config sends nothing');
  });

  test('validation_error on a terminal-style (human) rendering goes to stderr with lines', async () => {
    const path = writeConfig('bad.json', { ...validBody, container_template: { ...validBody.container_template, gpu_num: 0 } });
    const r = await runCli(['validate', path, '--no-json'], { sim });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Error \[validation_error\]: /);
    assert.match(r.stderr, /- container_template\.gpu_num \(line \d+\): /);
  });

  test('config_error: unreadable file, unparsable file (with position)', async () => {
    const missing = await runCli(['validate', join(emptyDir(), 'nope.yaml')], { sim });
    assert.equal(missing.code, 1);
    const e1 = errorOf(missing);
    assert.equal(e1.error_type, 'config_error');
    assert.match(String(e1.details.path), /nope\.yaml$/);

    const broken = writeConfig('broken.json', '{"name": "x",\n  "container_template": {\n}');
    const r = await runCli(['create', broken], { sim });
    assert.equal(r.code, 1);
    const e2 = errorOf(r);
    assert.equal(e2.error_type, 'config_error');
    assert.equal(e2.details.path, broken);
    assert.equal(typeof e2.details.line, 'number');
  });

  test('config_error from the command line: unknown option, missing argument, unknown command, bad choice', async () => {
    const cases: Array<[string[], string]> = [
      [['deployments', '--frobnicate'], 'commander.unknownOption'],
      [['describe'], 'commander.missingArgument'],
      [['depolyments'], 'commander.unknownCommand'],
      [['--lang', 'fr', 'stock'], 'commander.invalidArgument'],
      [['--dialect', 'mixed', 'stock'], 'commander.invalidArgument'],
      [['scale', 'd', 'many'], 'commander.invalidArgument'],
      [['events', 'd', '--interval'], 'commander.optionMissingArgument'],
    ];
    const n = sim.requests();
    for (const [args, code] of cases) {
      const r = await runCli(args, { sim });
      assert.equal(r.code, 1, args.join(' '));
      const e = errorOf(r);
      assert.equal(e.error_type, 'config_error', args.join(' '));
      assert.equal(e.details.code, code, args.join(' '));
      assert.ok(!/\n\s+at /.test(r.stdout + r.stderr), 'no stack trace');
    }
    assert.equal(sim.requests(), n);
    const typo = errorOf(await runCli(['depolyments'], { sim }));
    assert.match(typo.message, /deployments/, 'suggests the right command');
  });
});

describe('token_missing, api_error', () => {
  test('token_missing lists where it looked; exit 1 (as in queue_submit.py); no request', async () => {
    const home = tempHome();
    try {
      const n = sim.requests();
      const r = await runCli(['deployments'], { sim, home, env: { AUTODL_TOKEN: undefined } });
      assert.equal(r.code, 1);
      const e = errorOf(r);
      assert.equal(e.error_type, 'token_missing');
      const searched = e.details.searched as string[];
      assert.ok(Array.isArray(searched));
      assert.ok(searched.includes('env:AUTODL_TOKEN'));
      assert.ok(searched.some((s) => s.endsWith('.env')));
      assert.ok(searched.includes(join(home.env.XDG_CONFIG_HOME, 'autodl', 'config.json')));
      assert.equal(sim.requests(), n);
    } finally {
      home.cleanup();
    }
  });

  test('token from a .env file in the working directory is used', async () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, '.env'), `AUTODL_TOKEN=${sim.token}\n`);
    const r = await runCli(['stock', '--gpu', 'L20'], { sim, cwd, env: { AUTODL_TOKEN: undefined } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok('L20' in json<Record<string, unknown>>(r));
  });

  test('a wrong token: api_error with status/code/msg; exit 3', async () => {
    const r = await runCli(['deployments'], { sim, env: { AUTODL_TOKEN: 'wrong-token-123456' } });
    assert.equal(r.code, 3);
    const e = errorOf(r);
    assert.equal(e.error_type, 'api_error');
    assert.equal(e.details.path, '/api/v1/dev/deployment/list');
    assert.equal(e.details.method, 'POST');
    assert.ok(typeof e.details.code === 'string' || typeof e.details.status === 'number');
  });

  test('an envelope failure from the server (fault): api_error with code and msg', async () => {
    sim.faults.add({ method: 'GET', path: '/api/v1/dev/machine/gpu_stock', kind: 'envelope_error', count: 5, code: 'BadRequest', msg: '请求参数错误' });
    try {
      const r = await runCli(['stock'], { sim });
      assert.equal(r.code, 3);
      const e = errorOf(r);
      assert.equal(e.error_type, 'api_error');
      assert.equal(e.details.kind, 'envelope');
      assert.equal(e.details.code, 'BadRequest');
      assert.equal(e.details.msg, '请求参数错误');
    } finally {
      sim.faults.clear();
    }
  });

  test('nothing listening: api_error (kind refused/network), exit 3, no stack', async () => {
    const port = await new Promise<number>((res) => {
      const s: Server = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => res(p));
      });
    });
    const r = await runCli(['--host', `http://127.0.0.1:${port}`, 'images'], { sim });
    assert.equal(r.code, 3);
    const e = errorOf(r);
    assert.equal(e.error_type, 'api_error');
    assert.ok(['refused', 'network'].includes(String(e.details.kind)), String(e.details.kind));
    assert.ok(!/\n\s+at /.test(r.stdout + r.stderr));
  });

  test('any other exception → api_error, exit 3; the stack only with --verbose', async () => {
    const busy: Server = createServer();
    const port = await new Promise<number>((res) => busy.listen(0, '127.0.0.1', () => res((busy.address() as { port: number }).port)));
    try {
      const r = await runCli(['sim', '--port', String(port)]);
      assert.equal(r.code, 3);
      const e = errorOf(r);
      assert.equal(e.error_type, 'api_error');
      assert.match(e.message, /EADDRINUSE/);
      assert.ok(!/\n\s+at /.test(r.stdout + r.stderr), 'no stack trace');
      const v = await runCli(['--verbose', 'sim', '--port', String(port)]);
      assert.equal(v.code, 3);
      assert.equal(errorOf(v).error_type, 'api_error');
      assert.match(v.stderr, /\n\s+at /, 'stack on stderr with --verbose');
    } finally {
      await new Promise<void>((res) => busy.close(() => res()));
    }
  });

  test('--host beats AUTODL_HOST', async () => {
    const r = await runCli(['--host', sim.url, 'stock'], { sim, env: { AUTODL_HOST: 'http://127.0.0.1:9' } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });
});

describe('languages', () => {
  test('--lang zh / AUTODL_LANG / LANG pick Chinese; error_type and keys never change', async () => {
    const en = errorOf(await runCli(['describe', 'ghost'], { sim }));
    assert.equal(en.message, 'no deployment with uuid or name "ghost"');
    const variants: Array<{ args: string[]; env: Record<string, string> }> = [
      { args: ['--lang', 'zh'], env: {} },
      { args: [], env: { AUTODL_LANG: 'zh' } },
      { args: [], env: { LANG: 'zh_CN.UTF-8' } },
      { args: [], env: { LC_ALL: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' } },
    ];
    for (const v of variants) {
      const zh = errorOf(await runCli([...v.args, 'describe', 'ghost'], { sim, env: v.env }));
      assert.equal(zh.error_type, en.error_type);
      assert.deepEqual(zh.details, en.details);
      assert.equal(zh.message, '没有 uuid 或名称为“ghost”的部署', JSON.stringify(v));
    }
    const forcedEn = errorOf(await runCli(['--lang', 'en', 'describe', 'ghost'], { sim, env: { LANG: 'zh_CN.UTF-8' } }));
    assert.equal(forcedEn.message, en.message);
  });

  test('parse errors and help are translated too', async () => {
    const zh = errorOf(await runCli(['--lang', 'zh', 'deployments', '--frobnicate'], { sim }));
    assert.match(zh.message, /^命令行参数无效：/);
    const help = await runCli(['--help'], { env: { LANG: 'zh_CN.UTF-8' } });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /列出部署/);
    const helpEn = await runCli(['--help'], {});
    assert.match(helpEn.stdout, /list deployments/);
  });
});

describe('output streams', () => {
  test('--json error on stdout; human error on stderr with --no-json; exit code the same', async () => {
    const j = await runCli(['describe', 'ghost', '--json'], { sim });
    const h = await runCli(['describe', 'ghost', '--no-json'], { sim });
    assert.equal(j.code, 3);
    assert.equal(h.code, 3);
    assert.equal(errorOf(j).error_type, 'not_found');
    assert.equal(h.stdout, '');
    assert.match(h.stderr, /^Error \[not_found\]: no deployment/);
    assert.ok(!h.stderr.includes('\x1b['), 'no colour when stderr is not a terminal');
  });

  test('NO_COLOR and FORCE_COLOR are respected for tables', async () => {
    const forced = await runCli(['stock', '--no-json', '--gpu', 'L20'], { sim, env: { FORCE_COLOR: '1' } });
    assert.ok(forced.stdout.includes('\x1b['), 'FORCE_COLOR colours');
    const off = await runCli(['stock', '--no-json', '--gpu', 'L20'], { sim, env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    assert.ok(!off.stdout.includes('\x1b['), 'NO_COLOR wins');
  });

  test('--verbose logs requests on stderr without the token', async () => {
    const r = await runCli(['--verbose', 'stock'], { sim });
    assert.equal(r.code, 0);
    assert.ok(r.stderr.length > 0, 'debug lines on stderr');
    assert.ok(!r.stderr.includes(sim.token));
    assert.ok(!r.stdout.includes(sim.token));
  });
});
