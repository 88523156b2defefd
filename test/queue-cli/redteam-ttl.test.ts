// Red team of `autodl ttl` (issue 16) end to end: the real CLI against the simulator, whose
// manual clock sits months off this machine's — a platform clock far from the local one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { collect, deploymentConfig, json, runCli, spawnCli, writeConfig } from '../cli/helpers.js';
import { queueCliHarness } from './harness.js';
import { freshPgDatabase, PG_URL } from '../queue/pg-helpers.js';

const h = queueCliHarness('autodl-redteam-ttl-');
const cfg = (name: string) => writeConfig(`${name}.json`, deploymentConfig(name, { tpl: { cmd: 'sleep infinity' } }));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Entry {
  id: string;
  state: string;
  deployment_uuid: string | null;
  submitted_at: string | null;
  enforced: unknown;
}

describe('red team: autodl ttl with the platform clock far off the local one', () => {
  for (const [label, shift] of [
    ['the platform months behind this machine (a local clock ahead)', 0],
    ['the platform months ahead of this machine (a local clock behind)', 400 * DAY],
  ] as const) {
    test(`${label}: the limit counts from now, not from created_at read on the local clock`, async () => {
      if (shift) h.sim.world.advance(shift);
      const skew = Date.now() - h.sim.world.now();
      assert.ok(Math.abs(skew) > 30 * DAY, `the simulator's clock is ${skew / DAY} days off`);
      const db = h.newDb();
      const made = await runCli(['create', cfg('skewed'), '--json'], { sim: h.sim });
      assert.equal(made.code, 0, made.stderr);
      const uuid = json<{ deployment_uuid: string }>(made).deployment_uuid;
      const before = Date.now();
      const set = await runCli(['ttl', 'skewed', '4h', '--db', db, '--json'], { sim: h.sim });
      assert.equal(set.code, 0, set.stderr);
      const out = json<{ stops_at: string; entry: Entry }>(set);
      const since = Date.parse(out.entry.submitted_at!);
      assert.ok(Math.abs(since - before) < 5 * 60_000, `the limit counts from ${out.entry.submitted_at}, ${(since - before) / DAY} days from now`);
      assert.ok(Math.abs(Date.parse(out.stops_at) - (before + 4 * HOUR)) < 5 * 60_000, `stops at ${out.stops_at}`);
      // a worker now does not stop the fresh deployment
      const run = await runCli(['queue', 'run', '--once', '--db', db], { sim: h.sim });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(h.sim.world.allDeployments(true).find((d) => d.uuid === uuid)!.status, 'running');
    });
  }

  test('a queue-created deployment: ttl replaces its entry\'s limit (no second entry); off twice is fine', async () => {
    const db = h.newDb();
    const add = await runCli(['queue', 'add', cfg('queued'), '--db', db, '--json'], { sim: h.sim });
    assert.equal(add.code, 0, add.stderr);
    assert.equal((await runCli(['queue', 'run', '--once', '--db', db], { sim: h.sim })).code, 0);
    const ls = async () => json<{ entries: Entry[] }>(await runCli(['queue', 'ls', '--all', '--db', db, '--json'], { sim: h.sim })).entries;
    const [e] = await ls();
    assert.ok(e?.deployment_uuid);
    const set = await runCli(['ttl', e.deployment_uuid, '4h', '--db', db, '--json'], { sim: h.sim });
    assert.equal(set.code, 0, set.stderr);
    assert.equal(json<{ adopted: boolean; entry: Entry }>(set).entry.id, e.id);
    for (let i = 0; i < 2; i++) {
      const off = await runCli(['ttl', e.deployment_uuid, 'off', '--db', db, '--json'], { sim: h.sim });
      assert.equal(off.code, 0, off.stderr);
    }
    assert.equal((await ls()).length, 1);
  });

  test('hostile durations are config errors with the JSON shape, no stack, nothing added', async () => {
    const db = h.newDb();
    assert.equal((await runCli(['create', cfg('dur'), '--json'], { sim: h.sim })).code, 0);
    for (const bad of ['0s', '-1h', '99999999999999999999h', '1e3h', 'NaN', '4h\u001b[31m', '']) {
      const r = await runCli(['ttl', 'dur', bad, '--db', db, '--json'], { sim: h.sim });
      assert.notEqual(r.code, 0, bad);
      assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, `no stack for ${JSON.stringify(bad)}`);
      assert.doesNotMatch(r.stdout + r.stderr, /\u001b\[31m/, 'escaped');
      const err = json<{ status: string; error_type: string }>(r);
      assert.equal(err.status, 'error');
      assert.ok(['config_error', 'validation_error'].includes(err.error_type), `${bad}: ${err.error_type}`);
    }
    const r = await runCli(['ttl', 'dur', '4h', '--grace', '400d', '--db', db, '--json'], { sim: h.sim });
    assert.equal(json<{ status: string; error_type: string }>(r).error_type, 'validation_error');
    const ls = json<{ entries: Entry[] }>(await runCli(['queue', 'ls', '--all', '--db', db, '--json'], { sim: h.sim })).entries;
    assert.equal(ls.length, 0);
  });
});

const crashBackends: Array<[string, () => Promise<string>]> = [['SQLite', async () => h.newDb()]];
if (PG_URL) crashBackends.push(['PostgreSQL', freshPgDatabase]);

for (const [backend, newQueue] of crashBackends) describe(`red team: kill -9 of \`queue run\` with a create, then a policy stop, in flight (${backend})`, () => {
  const CREATE = '/api/v1/dev/deployment';
  const OPERATE = '/api/v1/dev/deployment/operate';
  const until = async (what: string, ok: () => boolean, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await delay(25);
    }
  };

  test('no double create, the stop not lost: another worker leaves it to its backoff, the same worker id resumes it at once', async () => {
    const db = await newQueue();
    const add = await runCli(['queue', 'add', cfg('crashy'), '--max-runtime', '5s', '--db', db, '--json'], { sim: h.sim });
    assert.equal(add.code, 0, add.stderr);
    const id = json<{ entries: Entry[] }>(add).entries[0]!.id;
    const ls = async () => json<{ entries: (Entry & { enforced: { action: string; attempts?: number } | null })[] }>(await runCli(['queue', 'ls', '--all', '--db', db, '--json'], { sim: h.sim })).entries.find((x) => x.id === id)!;
    const ours = () => h.sim.world.allDeployments(true).filter((d) => d.name.startsWith('crashy'));

    // 1. killed with the create in flight (the simulator commits it 2 s later)
    h.sim.faults.add({ method: 'POST', path: CREATE, kind: 'slow', delay_ms: 2000 });
    const creates0 = h.sim.stats.count('POST', CREATE);
    let w = spawnCli(['queue', 'run', '--interval', '1', '--worker-id', 'wk', '--db', db, '--json'], { sim: h.sim });
    await until('the create to be sent', () => h.sim.stats.count('POST', CREATE) > creates0);
    const sent = Date.now(); // the limit counts from the send (the create's sent_at)
    w.kill('SIGKILL');
    await collect(w);
    await until('the slow create to commit', () => ours().length === 1);
    h.sim.faults.clear();
    // restarted under its id: reconciled by the mark, not created again
    let r = await runCli(['queue', 'run', '--once', '--worker-id', 'wk', '--db', db], { sim: h.sim });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(ours().length, 1, 'one deployment');
    assert.equal((await ls()).state === 'submitted' || (await ls()).state === 'running', true);

    // 2. over its limit; killed with the stop in flight (held 6 s by the simulator)
    await delay(Math.max(0, sent + 5300 - Date.now()));
    h.sim.faults.add({ method: 'PUT', path: OPERATE, kind: 'slow', delay_ms: 6000 });
    const stops0 = h.sim.stats.count('PUT', OPERATE);
    w = spawnCli(['queue', 'run', '--interval', '1', '--worker-id', 'wk', '--db', db, '--json'], { sim: h.sim });
    await until('the stop to be sent', () => h.sim.stats.count('PUT', OPERATE) > stops0);
    w.kill('SIGKILL');
    await collect(w);
    const killed = Date.now();
    h.sim.faults.clear();
    let e = await ls();
    assert.notEqual(e.state, 'finished', 'not finished on a stop nobody saw carried out');
    assert.equal(e.enforced?.action, 'stop');
    // another worker, within the attempt's backoff: no second stop
    r = await runCli(['queue', 'run', '--once', '--db', db], { sim: h.sim });
    assert.equal(r.code, 0, r.stderr);
    if (Date.now() - killed < 5000) assert.equal(h.sim.stats.count('PUT', OPERATE), stops0 + 1, 'no second stop within the backoff');
    // the killed worker restarted under its id resumes the stop at once; the entry ends
    r = await runCli(['queue', 'run', '--once', '--worker-id', 'wk', '--db', db], { sim: h.sim });
    assert.equal(r.code, 0, r.stderr);
    e = await ls();
    assert.equal(e.state, 'finished', JSON.stringify(e));
    assert.equal(ours().length, 1, 'still one deployment');
    assert.equal(ours()[0]!.status, 'stopped');
    assert.ok(h.sim.stats.count('PUT', OPERATE) <= stops0 + 2);
    await delay(Math.max(0, 6200 - (Date.now() - killed))); // the held stop lands before the next test
  });
});

describe('red team: a hostile platform answering the policy stop', () => {
  test('an error reply carrying terminal escapes, then a stop that hangs past the request timeout: the worker ends its tick, says so escaped, keeps the entry', async () => {
    const db = h.newDb();
    const add = await runCli(['queue', 'add', cfg('hostile-stop'), '--max-runtime', '1s', '--db', db, '--json'], { sim: h.sim });
    const id = json<{ entries: Entry[] }>(add).entries[0]!.id;
    assert.equal((await runCli(['queue', 'run', '--once', '--db', db], { sim: h.sim })).code, 0);
    await delay(1200);
    h.sim.faults.add({ method: 'PUT', path: '/api/v1/dev/deployment/operate', kind: 'envelope_error', code: 'Failed', msg: 'no\u001b[2J\u001b]0;owned\u0007 way', count: 100 });
    const r = await runCli(['queue', 'run', '--once', '--worker-id', 'hang', '--db', db], { sim: h.sim });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr + r.stdout, /\u001b/, 'no raw escape reaches the terminal');
    assert.match(r.stderr, /policy stop/);
    // the reply is in the entry's last_error: queue ls / show print it escaped too
    for (const args of [['ls', '--all'], ['show', id]]) {
      const v = await runCli(['queue', ...args, '--db', db], { sim: h.sim });
      assert.equal(v.code, 0, v.stderr);
      assert.doesNotMatch(v.stdout + v.stderr, /\u001b/, `${args[0]}: no raw escape`);
    }
    h.sim.faults.clear();
    // a stop that hangs (8 s) against a 1 s request timeout: the run ends, the entry stays alive
    // (the same worker id resumes its attempt at once, so this run does make it)
    const stops = h.sim.stats.count('PUT', '/api/v1/dev/deployment/operate');
    h.sim.faults.add({ method: 'PUT', path: '/api/v1/dev/deployment/operate', kind: 'slow', delay_ms: 8000, count: 1 });
    const t0 = Date.now();
    const hung = await runCli(['queue', 'run', '--once', '--worker-id', 'hang', '--request-timeout', '1', '--db', db, '--json'], { sim: h.sim });
    assert.equal(hung.code, 0, hung.stderr);
    assert.ok(Date.now() - t0 < 7000, 'bounded by the request timeout, not the 8 s hang');
    assert.ok(h.sim.stats.count('PUT', '/api/v1/dev/deployment/operate') > stops, 'the stop was sent');
    const e = json<{ entries: Entry[] }>(await runCli(['queue', 'ls', '--all', '--db', db, '--json'], { sim: h.sim })).entries.find((x) => x.id === id)!;
    assert.notEqual(e.state, 'finished');
    h.sim.faults.clear();
    await delay(Math.max(0, 8500 - (Date.now() - t0))); // the held stop lands before the next test
  });
});

describe('red team: hand-edited policy JSON in the queue database, through the real CLI', () => {
  test('queue ls / ls --json / show / show --json / run --once all work, no stack, no raw escape', async () => {
    const db = h.newDb();
    const add = await runCli(['queue', 'add', cfg('edited'), '--max-runtime', '4h', '--db', db, '--json'], { sim: h.sim });
    assert.equal(add.code, 0, add.stderr);
    const id = json<{ entries: Entry[] }>(add).entries[0]!.id;
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(db);
    raw
      .prepare('UPDATE entries SET policy = ?, enforced = ? WHERE id = ?')
      .run(
        JSON.stringify({ maxRuntimeMs: 'NaN', maxCost: -1, after: { length: 1e9 }, graceMs: 1e308, labelBudget: '5' }),
        JSON.stringify({ action: 'stop', reason: 'max_runtime', detail: 'x\u001b[2Jy'.repeat(1000), at: 1e300, attempts: -3 }),
        id,
      );
    raw.close();
    for (const args of [['ls'], ['ls', '--all', '--json'], ['show', id], ['show', id, '--json'], ['run', '--once']]) {
      const r = await runCli(['queue', ...args, '--db', db], { sim: h.sim });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, `${args.join(' ')}: no stack`);
      assert.doesNotMatch(r.stdout + r.stderr, /\u001b\[2J/, `${args.join(' ')}: no raw escape`);
    }
  });
});

describe('red team: autodl ttl on an ambiguous name', () => {
  test('two deployments of one name: refused with both candidates, nothing taken in', async () => {
    const db = h.newDb();
    for (let i = 0; i < 2; i++) assert.equal((await runCli(['create', cfg('twin'), '--json'], { sim: h.sim })).code, 0);
    const uuids = h.sim.world.allDeployments(true).filter((d) => d.name === 'twin').map((d) => d.uuid);
    assert.equal(uuids.length, 2);
    const r = await runCli(['ttl', 'twin', '4h', '--db', db, '--json'], { sim: h.sim });
    assert.notEqual(r.code, 0);
    const err = json<{ error_type: string; details: { candidates?: string[] } }>(r);
    assert.equal(err.error_type, 'not_found');
    assert.deepEqual([...(err.details.candidates ?? [])].sort(), [...uuids].sort());
    const ls = await runCli(['queue', 'ls', '--all', '--db', db, '--json'], { sim: h.sim });
    assert.equal(json<{ entries: unknown[] }>(ls).entries.length, 0);
  });
});
