// Issue 11 §1: an entry becomes exactly one deployment, whatever happens — end to end, the
// real CLI (`autodl queue run`) against the simulator (scenarios in ./duplicate-scenarios.ts):
// 1. SIGKILL while a create is in flight, restart at once with the same --worker-id;
// 2. a second worker whose clock runs 8 minutes ahead;
// 3. two workers with the same default id (same hostname, node as PID 1 in each);
// 4. a deployment deleted between two list pages (a hostile proxy) while 101 run.
// Each on SQLite, and 1–2 also on PostgreSQL when AUTODL_TEST_PG_URL is set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertTokenNeverPrinted, childEnv, CLI, collect, emptyDir, ensureBuilt, json, outputs, runCli, spawnCli, startSim, type SimHandle } from '../cli/helpers.js';
import { openQueueStore } from '../../src/queue/index.js';
import { dropPgDatabases, freshPgDatabase, PG_SKIP } from '../queue/pg-helpers.js';
import { canUnsharePid, clockSkew, inFlightRestart, jobBody, pagedShift, sameDefaultId, type ScenarioEnv } from './duplicate-scenarios.js';

let sim: SimHandle;
let env: ScenarioEnv;
const dir = mkdtempSync(join(tmpdir(), 'autodl-dups-'));

before(async () => {
  ensureBuilt();
  const hosts = Array.from({ length: 24 }, (_, i) => ({
    machine_id: `dup${i}`, data_center: 'westDC2', gpu_name: 'RTX 4090', gpu_num: 8, cpu_num: 128, memory_gb: 720, max_cuda: 122, price_per_gpu: 1500,
  }));
  sim = await startSim({ world: { hosts } });
  env = { cli: CLI, sim, env: childEnv({ sim }), cwd: emptyDir(), onOutput: (_label, text) => outputs.push(text), guardMs: 90_000 };
});
after(async () => {
  await sim.close();
  await dropPgDatabases();
  rmSync(dir, { recursive: true, force: true });
  assertTokenNeverPrinted();
});

const backends: Array<[string, (name: string) => Promise<string>, false | string]> = [
  ['sqlite', async (name) => join(dir, `${name}.db`), false],
  ['postgres', async () => freshPgDatabase(), PG_SKIP],
];

for (const [backend, location, skip] of backends) {
  describe(`exactly one deployment per entry (${backend})`, { skip }, () => {
    test('SIGKILL while the first create is in flight (3 s), restart at once with the same --worker-id: held, then found — never created twice', async () => {
      const db = await location('inflight');
      const out = await inFlightRestart(env, db, `${backend}-inflight-`, { entries: 3, slowMs: 3000, killAfterMs: 1500, requestTimeoutS: 4 });
      assert.equal(out.facts.killed, true, 'the first worker was killed by SIGKILL');
      assert.equal(out.facts.held, true, 'the restarted worker held the in-flight entry');
      assert.deepEqual(out.detail, []);
      assert.equal(out.notOnce, 0);
      assert.equal(out.lost, 0);
      assert.equal(out.entries, 3);
    });

    test('a second worker with its clock 8 minutes ahead does not take a live lease: one deployment each, and it warns about its clock', async () => {
      const db = await location('skew');
      const out = await clockSkew(env, db, `${backend}-skew-`, { entries: 3, slowMs: 2000, skewMs: 8 * 60_000 });
      assert.deepEqual(out.detail, []);
      assert.equal(out.notOnce, 0);
      assert.equal(out.lost, 0);
      assert.equal(out.facts.warned, true, 'the skewed worker emitted a clock event');
      const ev = JSON.parse(String(out.facts.clockEvent)) as { offset_ms: number };
      // the worker's clock minus the database's: about +8 min
      assert.ok(Math.abs(ev.offset_ms - 8 * 60_000) < 60_000, `offset ${ev.offset_ms}`);
    });
  });
}

describe('exactly one deployment per entry (sqlite, more)', () => {
  test('two workers, same hostname, node as PID 1 in each, no --worker-id: distinct default ids, one deployment each', { skip: canUnsharePid() ? false : 'unshare --pid is not allowed here' }, async () => {
    const out = await sameDefaultId(env, join(dir, 'pid1.db'), 'pid1-', { entries: 3, slowMs: 2000 });
    const [a, b] = out.facts.ids as [string, string];
    const host = String(out.facts.host);
    assert.ok(a.startsWith(`${host}-1-`) && b.startsWith(`${host}-1-`), `ids ${a} ${b}`);
    assert.notEqual(a, b);
    assert.deepEqual(out.detail, []);
    assert.equal(out.notOnce, 0);
    assert.equal(out.lost, 0);
  });

  test('101 running, a deployment deleted between two list pages: nothing is finished by the shift, the limit holds, a miss is confirmed by uuid', async () => {
    const out = await pagedShift(env, join(dir, 'shift.db'), 'shift-', { running: 101 });
    assert.equal(out.facts.proxyDeletes, 2, 'the proxy deleted a deployment between the pages twice');
    assert.equal(out.facts.wronglyFinished, 0, 'no entry finished while its deployment ran');
    assert.equal(out.facts.missRecorded, true, 'the shifted entry had its first miss recorded and stayed alive');
    assert.equal(out.facts.missCleared, true, 'missed again past the grace: the uuid lookup found it, still alive');
    assert.equal(out.facts.overLimit, false, `--max-running ${out.facts.maxRunning}: ${out.facts.liveDeployments} live`);
    assert.equal(out.facts.goneFinished, true, 'a deployment really deleted is finished after the grace since its first miss');
    assert.deepEqual(out.detail, []);
    assert.equal(out.notOnce, 0);
    assert.equal(out.lost, 0);
  });
});

test('--request-timeout is bounded (the settle window is three times it): config_error, exit 1, before any request', async () => {
  const before = sim.requests();
  for (const v of ['601', '0']) {
    const r = await runCli(['queue', 'run', '--once', '--request-timeout', v, '--db', join(dir, 'rt.db'), '--json'], { sim });
    assert.equal(r.code, 1, r.stderr);
    const out = json<{ status: string; error_type: string }>(r);
    assert.equal(out.status, 'error');
    assert.equal(out.error_type, 'config_error');
  }
  assert.equal(sim.requests(), before);
});

// red-team of issue 11: a worker's lease must outlive its own create. With --request-timeout
// 400 (allowed up to 600) and the 5-minute lease, a create still in flight after 300 s had an
// expired lease: another worker of the queue (default 30 s timeout, so a 90 s settle window)
// reconciled it, did not find it yet, and created it a second time.
test('--request-timeout past the lease: the lease of an entry whose create is in flight outlives that create', async () => {
  const db = join(dir, 'lease.db');
  const store = await openQueueStore(db);
  const [added] = await store.add([{ body: jobBody('lease-0') }], Date.now());
  await store.close();
  const CREATE = '/api/v1/dev/deployment';
  const creates = sim.stats.count('POST', CREATE);
  sim.faults.add({ method: 'POST', path: CREATE, kind: 'slow', delay_ms: 2500, count: 1 });
  try {
    const child = spawnCli(['queue', 'run', '--once', '--request-timeout', '400', '--db', db, '--json'], { sim });
    const done = collect(child);
    while (sim.stats.count('POST', CREATE) === creates) await new Promise((r) => setTimeout(r, 10));
    const peek = await openQueueStore(db);
    const inFlight = (await peek.get(added!.id))!;
    await peek.close();
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(inFlight.state, 'submitting');
    assert.ok(inFlight.sent_at !== null && inFlight.lease_until !== null);
    assert.ok(inFlight.lease_until! - inFlight.sent_at! >= 400_000, `lease ends ${(inFlight.lease_until! - inFlight.sent_at!) / 1000} s after the send, the create may take 400 s`);
  } finally {
    sim.faults.clear();
  }
});
