// Offline commands (login, validate, schema, sim), help/version, events --follow, and the
// promise that --help loads nothing heavy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ContainerEvent, Stock } from '../../src/api/types.js';
import { DEMO_IMAGE_UUID } from '../../src/sim/index.js';
import {
  assertTokenNeverPrinted,
  CLI,
  collect,
  ensureBuilt,
  FULL_CLI,
  json,
  outputs,
  runCli,
  spawnCli,
  startSim,
  tempHome,
  waitFor,
  writeConfig,
  type SimHandle,
} from './helpers.js';

let sim: SimHandle;

before(async () => {
  ensureBuilt();
  sim = await startSim();
});

after(async () => {
  await sim.close();
  assertTokenNeverPrinted();
});

const LOGIN_TOKEN = `login-secret-${process.pid}-abcdef`;

describe('login', () => {
  test('--token-stdin writes the token with mode 0600 and never prints it; later commands use it', async () => {
    const home = tempHome();
    try {
      const r = await runCli(['login', '--token-stdin'], { home, input: `${LOGIN_TOKEN}\n`, env: { AUTODL_TOKEN: undefined } });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const res = json<{ status: string; path: string }>(r);
      assert.equal(res.status, 'success');
      assert.equal(res.path, join(home.env.XDG_CONFIG_HOME, 'autodl', 'config.json'));
      assert.equal(statSync(res.path).mode & 0o777, 0o600);
      assert.equal(statSync(dirname(res.path)).mode & 0o077, 0, 'directory not open to others');
      const stored = JSON.parse(readFileSync(res.path, 'utf8')) as { token: string };
      assert.equal(stored.token, LOGIN_TOKEN);
      assert.ok(!r.stdout.includes(LOGIN_TOKEN) && !r.stderr.includes(LOGIN_TOKEN));

      // the simulator does not know this token: the request is made with it and refused
      const refused = await runCli(['deployments'], { home, env: { AUTODL_HOST: sim.url } });
      assert.equal(refused.code, 3);
      assert.equal(json<{ error_type: string }>(refused).error_type, 'api_error');
      assert.ok(!refused.stdout.includes(LOGIN_TOKEN) && !refused.stderr.includes(LOGIN_TOKEN));
    } finally {
      home.cleanup();
    }
  });

  test('login with --host stores the host too; the stored token then works', async () => {
    const home = tempHome();
    try {
      const r = await runCli(['--host', sim.url, 'login', '--token-stdin'], { home, input: sim.token, env: { AUTODL_TOKEN: undefined } });
      assert.equal(r.code, 0, r.stderr);
      const ok = await runCli(['stock', '--gpu', 'L20'], { home });
      assert.equal(ok.code, 0, ok.stderr + ok.stdout);
      assert.ok('L20' in json<Stock>(ok));
    } finally {
      home.cleanup();
    }
  });

  test('an empty token is a config_error; no prompt without a terminal', async () => {
    const home = tempHome();
    try {
      const empty = await runCli(['login', '--token-stdin'], { home, input: '  \n' });
      assert.equal(empty.code, 1);
      assert.equal(json<{ error_type: string }>(empty).error_type, 'config_error');
      const noTty = await runCli(['login'], { home });
      assert.equal(noTty.code, 1);
      const e = json<{ error_type: string; message: string }>(noTty);
      assert.equal(e.error_type, 'config_error');
      assert.match(e.message, /--token-stdin/);
    } finally {
      home.cleanup();
    }
  });

  test('the login token never appeared in any output of this file', () => {
    assert.ok(outputs.length > 0);
    assert.ok(outputs.every((o) => !o.includes(LOGIN_TOKEN)));
  });
});

describe('validate / schema', () => {
  const trap = () =>
    writeConfig('trap.yaml', [
      'name: trap',
      'deployment_type: Container',
      'container_template:',
      '  gpu_name_set: [RTX 4090]',
      '  gpu_num: 1',
      '  cuda_v: 118',
      `  image_uuid: ${DEMO_IMAGE_UUID}`,
      '  cmd: python a.py && echo ok || echo failed',
      '',
    ].join('\n'));

  test('validate: warnings on stderr (NDJSON with --json), body on stdout, exit 0; no network', async () => {
    const n = sim.requests();
    const r = await runCli(['validate', trap()], { sim });
    assert.equal(r.code, 0, r.stderr);
    const out = json<{ status: string; valid: boolean; dialect: string; body: { container_template: { cuda_v: number } }; warnings: Array<{ code: string; line?: number }> }>(r);
    assert.equal(out.status, 'success');
    assert.equal(out.valid, true);
    assert.equal(out.dialect, 'private');
    assert.equal(out.body.container_template.cuda_v, 118);
    assert.deepEqual(out.warnings.map((w) => w.code), ['cmd_and_or_trap']);
    const warn = JSON.parse(r.stderr.trim()) as { type: string; code: string; line: number };
    assert.equal(warn.type, 'warning');
    assert.equal(warn.code, 'cmd_and_or_trap');
    assert.equal(warn.line, 8);
    assert.equal(sim.requests(), n);
  });

  test('validate --strict turns the warning into a validation_error', async () => {
    const r = await runCli(['validate', trap(), '--strict'], { sim });
    assert.equal(r.code, 1);
    const e = json<{ error_type: string; details: { errors: Array<{ path: string }> } }>(r);
    assert.equal(e.error_type, 'validation_error');
    assert.deepEqual(e.details.errors.map((x) => x.path), ['container_template.cmd']);
  });

  test('validate needs no token and honours --dialect public', async () => {
    const home = tempHome();
    try {
      const r = await runCli(['--dialect', 'public', 'validate', trap()], { home, env: { AUTODL_TOKEN: undefined } });
      assert.equal(r.code, 1, 'public needs dc_list');
      assert.equal(json<{ error_type: string }>(r).error_type, 'validation_error');
    } finally {
      home.cleanup();
    }
  });

  test('schema prints a JSON Schema', async () => {
    const r = await runCli(['schema']);
    assert.equal(r.code, 0);
    const s = json<{ $schema: string; type: string; properties: Record<string, unknown> }>(r);
    assert.match(s.$schema, /json-schema\.org/);
    assert.equal(s.type, 'object');
    assert.ok('container_template' in s.properties);
  });
});

describe('sim', () => {
  test('autodl sim prints its URL, serves the API, stops on SIGINT with exit 0', async () => {
    const token = `sim-cmd-token-${process.pid}`;
    const child = spawnCli(['sim', '--port', '0', '--manual', '--no-background', '--token', token, '--seed', '7']);
    const done = collect(child);
    const first = await waitFor(child, 'stdout', /\n/);
    const url = first.trim().split('\n')[0]!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await runCli(['stock'], { env: { AUTODL_HOST: url, AUTODL_TOKEN: token } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const stock = json<Stock>(r);
    assert.ok(Object.values(stock).every((s) => s.idle === s.total), 'no background load');
    child.kill('SIGINT');
    const end = await done;
    assert.equal(end.code, 0, end.stderr);
    assert.ok(!end.stdout.includes(token) && !end.stderr.includes(token), 'the sim never prints a token given to it');
  });

  test('sim: a bad port is a config_error', async () => {
    const r = await runCli(['sim', '--port', '70000']);
    assert.equal(r.code, 1);
    assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
  });
});

describe('events --follow', () => {
  test('streams NDJSON events as they happen; Ctrl-C ends it with exit 0', async () => {
    const cfg = writeConfig('follow.json', {
      name: 'follow-me',
      deployment_type: 'Container',
      container_template: {
        gpu_name_set: ['RTX 4090'],
        gpu_num: 1,
        cuda_v: 118,
        image_uuid: DEMO_IMAGE_UUID,
        cmd: 'sleep infinity',
      },
    });
    const c = await runCli(['create', cfg], { sim });
    assert.equal(c.code, 0, c.stderr);
    const uuid = json<{ deployment_uuid: string }>(c).deployment_uuid;
    const child = spawnCli(['events', uuid, '--follow', '--interval', '0.05', '--json'], { sim });
    const done = collect(child);
    await waitFor(child, 'stdout', /"status":"creating"/);
    sim.world.advance(60_000); // the container starts: new events appear
    await waitFor(child, 'stdout', /"status":"running"/);
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as ContainerEvent);
    const statuses = events.map((e) => e.status);
    assert.equal(statuses[0], 'creating');
    assert.ok(statuses.includes('running'));
    assert.equal(new Set(events.map((e) => JSON.stringify(e))).size, events.length, 'each event once');
  });
});

describe('help, version, lazy loading', () => {
  test('no arguments and --help print help on stdout, exit 0; -V prints the version', async () => {
    const none = await runCli([]);
    assert.equal(none.code, 0);
    assert.match(none.stdout, /^Usage: autodl/);
    const help = await runCli(['submit', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--interval <seconds>/);
    assert.match(help.stdout, /--dry-run/);
    const pkg = JSON.parse(readFileSync(join(dirname(CLI), '..', 'package.json'), 'utf8')) as { version: string };
    const v = await runCli(['-V']);
    assert.equal(v.stdout.trim(), pkg.version);
  });

  test('the entry chunk statically loads no heavy module (zod, yaml, SQLite, simulator, SDK)', () => {
    // follow static `import … from "./x.js"` edges from dist/autodl.js; dynamic import() edges are not followed
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s*"(\.[^"]+)"|^import\s*"(\.[^"]+)"/gm)) {
        visit(join(dirname(file), (m[1] ?? m[2])!));
      }
    };
    visit(FULL_CLI);
    assert.ok(seen.size >= 2, 'commander is in a chunk');
    const text = [...seen].map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const marker of ['ZodError', 'from "better-sqlite3"', 'require("better-sqlite3")', 'YAMLParseError', 'startSimulator', 'class AutodlClient', 'createServer']) {
      assert.ok(!text.includes(marker), `--help would load ${marker}`);
    }
    assert.ok(text.includes('program.description') || text.includes('AutoDL elastic deployments'), 'sanity: the catalog is there');
  });
});
