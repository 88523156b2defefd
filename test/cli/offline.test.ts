// Offline commands (login, validate, schema, sim), help/version, events --follow, and the
// promise that --help loads nothing heavy.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { ContainerEvent, Stock } from '../../src/api/types.js';
import { DEMO_IMAGE_UUID } from '../../src/sim/index.js';
import {
  CLI,
  collect,
  json,
  outputs,
  ROOT,
  runCli,
  type SimHandle,
  spawnCli,
  tempHome,
  useSim,
  waitFor,
  writeConfig,
} from './helpers.js';

let sim: SimHandle;
useSim((s) => (sim = s));

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

      const saved = JSON.parse(readFileSync(res.path, 'utf8')) as { host: string };
      assert.equal(saved.host, 'https://private.autodl.com', 'the token is saved with the host it is for');

      // the token belongs to the default host: AUTODL_HOST alone does not send it elsewhere
      const n = sim.requests();
      const other = await runCli(['deployments'], { home, env: { AUTODL_HOST: sim.url } });
      assert.equal(other.code, 1);
      assert.equal(json<{ error_type: string; details: { reason: string } }>(other).details.reason, 'token_host_mismatch');
      assert.equal(sim.requests(), n, 'nothing sent');
      // named on the command line it is: the simulator does not know this token and refuses it
      const refused = await runCli(['--host', sim.url, 'deployments'], { home });
      assert.equal(refused.code, 3);
      assert.equal(json<{ error_type: string }>(refused).error_type, 'api_error');
      assert.ok(!(other.stdout + other.stderr + refused.stdout + refused.stderr).includes(LOGIN_TOKEN));
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
    // the private event list names created, starting, running, shutdown (recorded): the first
    // one appears when the container is created
    sim.world.advance(2_000);
    await waitFor(child, 'stdout', /"status":"created"/);
    sim.world.advance(60_000); // the container starts: new events appear
    await waitFor(child, 'stdout', /"status":"running"/);
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as ContainerEvent);
    const statuses = events.map((e) => e.status);
    assert.equal(statuses[0], 'created');
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

  test('only the commands that need them load zod, yaml, SQLite or the MCP SDK (seen at run time)', async () => {
    // a --require probe records, when the process exits, every module node loaded
    // (require.cache) and every bundle the CLI compiled itself (dist/cli.cjs, dist/vendor-*.cjs)
    const dir = mkdtempSync(join(tmpdir(), 'autodl-probe-'));
    const probe = join(dir, 'probe.cjs');
    writeFileSync(
      probe,
      `process.on('exit', () => require('node:fs').writeFileSync(process.env.PROBE_OUT, JSON.stringify({
        modules: Object.keys(require.cache),
        bundles: [...(globalThis[Symbol.for('autodl-elastic.compiled-scripts')]?.keys() ?? [])],
        zod: globalThis.__zod_globalConfig !== undefined,
      })));`,
    );
    interface Seen {
      modules: string[];
      bundles: string[];
      zod: boolean;
    }
    const loaded = async (args: string[], o: { sim?: SimHandle } = {}): Promise<Seen> => {
      const out = join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
      const r = await runCli(args, { ...o, env: { NODE_OPTIONS: `--require ${probe}`, PROBE_OUT: out } });
      assert.ok(r.code === 0, `${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(readFileSync(out, 'utf8')) as Seen;
    };
    const heavy = (s: Seen) => [
      ...s.modules.filter((m) => /[\\/]node_modules[\\/](zod|yaml|better-sqlite3|@modelcontextprotocol)[\\/]/.test(m)),
      ...s.bundles.filter((b) => /vendor-(zod|yaml)\.cjs$/.test(b)),
      ...(s.zod ? ['zod initialised'] : []),
    ];
    try {
      for (const args of [['stock', '--json'], ['deployments', '--json'], ['images', '--json']]) {
        const seen = await loaded(args, { sim });
        assert.deepEqual(heavy(seen), [], `autodl ${args.join(' ')} loaded heavy modules`);
        assert.ok(seen.bundles.some((b) => b.endsWith('cli.cjs')), 'sanity: the probe saw the CLI bundle');
      }
      assert.deepEqual(heavy(await loaded(['stock', '--help'])), []);
      // a plainly valid config needs no zod (src/pipeline/quick.ts); a JSON one no yaml either
      const bundlesOf = (s: Seen) => s.bundles.map((b) => basename(b)).filter((b) => b.startsWith('vendor-')).sort();
      const json = await loaded(['validate', join(ROOT, 'examples', 'train-job.json'), '--json']);
      assert.deepEqual(heavy(json), [], 'a valid JSON config loads neither zod nor yaml');
      const yaml = await loaded(['validate', join(ROOT, 'examples', 'train-job.yaml'), '--json']);
      assert.deepEqual(bundlesOf(yaml), ['vendor-yaml.cjs']);
      assert.equal(yaml.zod, false, 'a valid YAML config does not initialise zod');
      assert.deepEqual(bundlesOf(await loaded(['create', join(ROOT, 'examples', 'train-job.yaml'), '--dry-run', '--json'])), ['vendor-yaml.cjs']);
      // the control: a config with a mistake is explained by zod (so the checks above can fail)
      const wrong = join(dir, 'wrong.json');
      writeFileSync(wrong, JSON.stringify({ name: 'x', deployment_type: 'Job', container_template: { gpu_num: 0 } }));
      const out = join(dir, 'out-wrong.json');
      const r = await runCli(['validate', wrong, '--json'], { env: { NODE_OPTIONS: `--require ${probe}`, PROBE_OUT: out } });
      assert.equal(r.code, 1, r.stderr);
      const withErrors = JSON.parse(readFileSync(out, 'utf8')) as Seen;
      assert.deepEqual(bundlesOf(withErrors), ['vendor-zod.cjs'], 'a config with mistakes loads zod (and no yaml for JSON)');
      assert.equal(withErrors.zod, true, 'and initialises it');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
