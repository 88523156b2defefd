// Red team on the queue's retries (issue 16): resubmit() in the worker and the manual retryEntry,
// over the simulator on its manual clock, SQLite (and PostgreSQL with AUTODL_TEST_PG_URL).
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutodlClient } from '../../src/api/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { host } from './sim-hosts.js';
import { jobBody } from '../queue-cli/duplicate-scenarios.js';
import { openSqliteStore, retryEntry, runWorker } from '../../src/queue/index.js';
import type { QueueEvent, QueueStore } from '../../src/queue/index.js';
import { dropPgDatabases, freshPgDatabase, PG_URL } from './pg-helpers.js';
import { openPgStore } from '../../src/queue/pg-store.js';

const TOKEN = 'queue-redteam-retry-token-0123456789';
const MIN = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'autodl-rt-retry-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let sim: Simulator;
let api: AutodlClient;
before(async () => {
  sim = await startSimulator({ tokens: [TOKEN], clock: 'manual', backgroundLoad: false, world: { hosts: [host('h1', 'RTX 4090', 2)] } });
  api = new AutodlClient({ token: TOKEN, host: sim.url });
});
after(() => sim.close());
after(() => dropPgDatabases());

async function drive(store: QueueStore, o: { maxTicks: number; until?: () => Promise<boolean> | boolean; api?: AutodlClient; workerId?: string; advance?: boolean }) {
  const events: QueueEvent[] = [];
  const ac = new AbortController();
  if (o.until && (await o.until())) return events;
  await runWorker({
    store,
    api: o.api ?? api,
    workerId: o.workerId ?? 'rt-retry',
    intervalMs: MIN,
    stockIntervalMs: MIN,
    maxTicks: o.maxTicks,
    now: () => sim.world.now(),
    followGraceMs: 0,
    signal: ac.signal,
    onEvent: (e) => {
      if (e.type !== 'tick' && e.type !== 'observed') events.push(e);
    },
    sleep: async (ms) => {
      if (o.advance !== false) sim.clock.advance(ms);
      if (o.until && (await o.until())) ac.abort();
    },
  });
  return events;
}

const deploymentsOf = (name: string) => sim.world.allDeployments(true).filter((d) => d.name.startsWith(name));
const retryEvents = (ev: QueueEvent[]) => ev.filter((x): x is Extract<QueueEvent, { type: 'retry' }> => x.type === 'retry');

type Opener = (path?: string) => Promise<QueueStore>;
const stores: Array<[string, Opener]> = [['sqlite', async (path) => openSqliteStore({ path: path ?? join(dir, `${Math.random().toString(36).slice(2)}.db`) })]];
if (PG_URL) {
  let url: string | undefined;
  stores.push(['postgres', async (path) => openPgStore({ url: path ?? (url = await freshPgDatabase()) })]);
  void url;
}

/** Add a failing Job and drive until its first deployment exists; then let its container fail (clock moved, no worker). */
async function failedFirstRun(store: QueueStore, name: string, max = 1) {
  const [e] = await store.add([{ body: jobBody(name, 'sleep 60; exit 3'), policy: { retry: { max, on: ['failed'] } } }], sim.world.now());
  await drive(store, { maxTicks: 10, until: async () => (await store.get(e!.id))!.deployment_uuid !== null });
  const cur = (await store.get(e!.id))!;
  assert.ok(cur.deployment_uuid, 'first run created');
  sim.clock.advance(10 * MIN); // the container ran and failed; no worker looked
  const mark = `${name}-q${e!.tag}`;
  return { e: cur, mark };
}

for (const [kind, open] of stores) {
  describe(`red team: retries (${kind})`, () => {
    test('1. two workers see the same failed run in one tick: one resubmit, retries +1 once, one -r1 deployment', async () => {
      sim.world.reset();
      const path = kind === 'sqlite' ? join(dir, `two-${Math.random().toString(36).slice(2)}.db`) : await freshPgDatabase();
      const a = await open(path);
      const b = await open(path);
      const name = `rt-two-${kind}`;
      const { e, mark } = await failedFirstRun(a, name, 2);
      const [ea, eb] = await Promise.all([
        drive(a, { maxTicks: 1, workerId: 'wa', advance: false }),
        drive(b, { maxTicks: 1, workerId: 'wb', advance: false }),
      ]);
      assert.equal(retryEvents([...ea, ...eb]).length, 1, 'exactly one resubmit');
      let cur = (await a.get(e.id))!;
      assert.equal(cur.retries, 1);
      assert.equal(cur.retry_log!.length, 1);
      // both workers now run on until the -r1 run exists
      await Promise.all([
        drive(a, { maxTicks: 6, workerId: 'wa', advance: false }),
        drive(b, { maxTicks: 6, workerId: 'wb', advance: false }),
      ]);
      cur = (await a.get(e.id))!;
      assert.equal(cur.retries, 1);
      assert.deepEqual(deploymentsOf(name).map((d) => d.name).sort(), [mark, `${mark}-r1`]);
      assert.equal(cur.deployment_name, `${mark}-r1`);
      await a.close();
      await b.close();
    });

    test('2. crash after the resubmit: a fresh worker creates -r1 once; a late create under the old mark is never taken for run 1', async () => {
      sim.world.reset();
      const store = await open();
      const name = `rt-crash-${kind}`;
      const { e, mark } = await failedFirstRun(store, name, 1);
      // the resubmitting worker stops right after its move back to pending (one tick, no create yet)
      await drive(store, { maxTicks: 1, advance: false, until: async () => (await store.get(e.id))!.state === 'pending' });
      let cur = (await store.get(e.id))!;
      if (cur.state !== 'pending') {
        // the tick went on to claim/create: fine, but then the crash point is after the create
        assert.ok(cur.deployment_name.endsWith('-r1'));
      }
      assert.equal(cur.retries, 1);
      // the old run's create reply arrives late: a deployment under the OLD mark appears
      const late = await api.deployments.create(jobBody(mark, 'sleep 3600'));
      const lateUuid = (late as { deployment_uuid?: string }).deployment_uuid;
      // a fresh worker takes over
      await drive(store, { maxTicks: 6, workerId: "fresh" });
      cur = (await store.get(e.id))!;
      const r1 = sim.world.allDeployments(true).filter((d) => d.name === `${mark}-r1`);
      assert.equal(r1.length, 1, '-r1 created once');
      assert.equal(cur.deployment_uuid, r1[0]!.uuid, 'run 1 is the -r1 deployment');
      assert.notEqual(cur.deployment_uuid, lateUuid);
      assert.equal(sim.world.allDeployments(true).filter((d) => d.name === mark).length, 2, 'the original and the late one; no third under the old mark');
      await store.close();
    });

    test('3a. manual retry racing the worker\'s resubmit of the same run: one wins, no orphan, retries consistent', async () => {
      sim.world.reset();
      const inner = await open();
      const name = `rt-race-${kind}`;
      const { e, mark } = await failedFirstRun(inner, name, 2);
      let raced = false;
      // just before the worker's resubmit move, the user cancels and retries by hand
      const store: QueueStore = new Proxy(inner, {
        get(t, p, r) {
          if (p === 'transition') {
            return async (id: string, to: string, o: { note?: string }) => {
              if (!raced && to === 'pending' && /^resubmit /.test(o.note ?? '')) {
                raced = true;
                // (a live entry cannot be cancelled by hand: another worker failed this run meanwhile)
                const c = (await inner.get(id))!;
                await inner.transition(id, 'failed', { from: c.state, now: sim.world.now(), note: 'failed by another worker', set: { finished_at: sim.world.now() } });
                await retryEntry(inner, id, sim.world.now());
              }
              return (t.transition as (...a: unknown[]) => unknown).call(t, id, to, o);
            };
          }
          const v = Reflect.get(t, p, r);
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
      const ev = await drive(store, { maxTicks: 1, advance: false });
      assert.ok(raced, 'the race happened');
      assert.equal(retryEvents(ev).length, 0, 'the worker\'s resubmit lost');
      let cur = (await inner.get(e.id))!;
      assert.equal(cur.retries, 1);
      assert.equal(cur.deployment_name, `${mark}-r1`);
      await drive(inner, { maxTicks: 6, until: async () => (await inner.get(e.id))!.deployment_uuid !== null });
      cur = (await inner.get(e.id))!;
      assert.equal(cur.retries, 1);
      assert.deepEqual(deploymentsOf(name).map((d) => d.name).sort(), [mark, `${mark}-r1`]);
      assert.equal(cur.deployment_uuid, sim.world.allDeployments(true).find((d) => d.name === `${mark}-r1`)!.uuid);
      // the first run's deployment is not left up
      const first = sim.world.allDeployments(true).find((d) => d.name === mark)!;
      assert.ok(first.status === 'stopped' || first.failed_num! > 0, first.status);
      await inner.close();
    });

    test('3b. two manual retries on one stale read: the second never reuses the mark of a run made meanwhile', async () => {
      const inner = await open();
      const [e] = await inner.add([{ body: jobBody(`rt-stale-${kind}`) }], 0);
      // a first run that created and failed
      await inner.transition(e!.id, 'failed', { from: 'pending', now: 1, set: { deployment_uuid: 'dep-0', submitted_at: 1, finished_at: 1 } });
      let raced = false;
      const store: QueueStore = new Proxy(inner, {
        get(t, p, r) {
          if (p === 'transition') {
            return async (id: string, to: string, o: { note?: string }) => {
              if (!raced && o.note === 'retry requested') {
                raced = true;
                // meanwhile: another retry by hand, and its run (-r1) created and failed
                const r = await retryEntry(inner, id, 2);
                await inner.transition(id, 'failed', { from: r.state, now: 3, set: { deployment_uuid: 'dep-r1', submitted_at: 3, finished_at: 3 } });
              }
              return (t.transition as (...a: unknown[]) => unknown).call(t, id, to, o);
            };
          }
          const v = Reflect.get(t, p, r);
          return typeof v === 'function' ? v.bind(t) : v;
        },
      });
      const out = await retryEntry(store, e!.id, 4).catch((err: Error) => err);
      const cur = (await inner.get(e!.id))!;
      if (out instanceof Error) {
        assert.equal(cur.state, 'failed', 'refused: left as it was');
      } else {
        // a fresh mark past the run made meanwhile: -r1 is dep-r1's, never the next run's
        assert.equal(cur.retries, 2, `retries ${cur.retries}, mark ${cur.deployment_name}`);
        assert.match(cur.deployment_name, /-r2$/);
      }
      await inner.close();
    });

    test('4. hostile container list during the retry decision (500, garbage, huge): no crash, bounded, no host blamed', async () => {
      for (const mode of ['500', 'garbage', 'huge'] as const) {
        sim.world.reset();
        const store = await open();
        const name = `rt-hostile-${mode}-${kind}`;
        const { e, mark } = await failedFirstRun(store, name, 1);
        let yielded = 0;
        const hostile = Object.create(api) as AutodlClient;
        Object.defineProperty(hostile, 'containers', {
          value: {
            ...api.containers,
            listAll: async function* () {
              if (mode === '500') throw Object.assign(new Error('HTTP 500'), { status: 500 });
              if (mode === 'garbage') {
                for (const c of [null, 42, 'x', { machine_id: { evil: 1 }, status: 7 }, { machine_id: 'h1\u001b[2J', status: 'shutdown', stopped_at: 'x' }, { uuid: '__proto__', machine_id: '__proto__', status: 'shutdown' }]) {
                  yielded++;
                  yield c as never;
                }
                return;
              }
              for (;;) {
                yielded++;
                yield { uuid: `c${yielded}`, machine_id: 'h1', status: 'shutdown', stopped_at: '2026-12-02 10:00:00', price: 1e308, started_at: '1970-01-01 00:00:00' } as never;
                if (yielded > 100_000) return;
              }
            },
          },
        });
        const ev = await drive(store, { maxTicks: 1, advance: false, api: hostile });
        const cur = (await store.get(e.id))!;
        if (mode === 'huge') assert.ok(yielded <= 1000, `read ${yielded} containers`);
        assert.ok(!ev.some((x) => x.type === 'blacklisted'));
        // the follow (not the container list) says the run failed: resubmitted, but no host recorded from garbage
        if (cur.retries === 1) {
          const r = cur.retry_log![0]!;
          if (mode !== 'huge') assert.equal(r.failed_on, undefined, JSON.stringify(r));
          assert.ok(r.spent_yuan === undefined || Number.isFinite(r.spent_yuan), `spent ${r.spent_yuan}`);
          assert.equal(cur.deployment_name, `${mark}-r1`);
        } else {
          assert.ok(['failed', 'submitted', 'running'].includes(cur.state), cur.state);
        }
        assert.ok(!sim.world.allDeployments(true).some((d) => d.name.includes('\u001b')));
        await store.close();
      }
    });
  });
}
