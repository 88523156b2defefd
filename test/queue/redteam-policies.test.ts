// Red team of the queue's policies (issue 16): hostile platforms, hostile stored policies,
// two workers on one queue, skewed clocks, budget bypasses. Each test was written to fail on
// the code as it landed; the fix it drove is named in its title.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../src/errors.js';
import { MemoryStore, openSqliteStore, runWorker } from '../../src/queue/index.js';
import type { QueueEvent, QueueStore } from '../../src/queue/index.js';
import { openPgStore } from '../../src/queue/pg-store.js';
import { FakeApi, body, manualClock } from './fake-api.js';
import { plan, type PlannableEntry, type PlanPolicies } from '../../src/queue/planner.js';
import type { PolicyContext } from '../../src/queue/policies.js';
import { freshPgDatabase, PG_URL } from './pg-helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const dir = mkdtempSync(join(tmpdir(), 'autodl-redteam-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const stock = (n: number) => ({ 'RTX 4090': { idle: n, total: 100 } });

type StopBehaviour = 'ok' | 'error' | 'ignored';

/** FakeApi with a scriptable stop: 'ok' stops it, 'error' answers 500, 'ignored' says Success and leaves it running. */
class StopApi extends FakeApi {
  stopCalls: string[] = [];
  stopBehaviour: StopBehaviour = 'ok';
  constructor(n = 8) {
    super(stock(n));
    this.deployments.stop = async (uuid: string) => {
      this.stopCalls.push(uuid);
      if (this.stopBehaviour === 'error') {
        throw new ApiError('boom', { kind: 'http', method: 'PUT', path: '/api/v1/dev/deployment/operate', httpStatus: 500, msg: '\x1b[31mred\x1b]0;pwned\x07' });
      }
      if (this.stopBehaviour === 'ignored') return;
      const d = this.created.find((x) => x.uuid === uuid);
      if (d) {
        d.status = 'stopped';
        d.stopped_at = new Date().toISOString();
      }
    };
  }
}

const stores: Array<[string, () => Promise<QueueStore>]> = [
  ['memory', async () => new MemoryStore()],
  ['sqlite', async () => openSqliteStore({ path: join(dir, `${Math.random().toString(36).slice(2)}.db`) })],
];
if (PG_URL) stores.push(['postgres', async () => openPgStore({ url: await freshPgDatabase() })]);

/** Add one entry under a 10 min limit and run the worker until it is created. */
async function runningUnderLimit(store: QueueStore, api: StopApi, clock: ReturnType<typeof manualClock>) {
  const [e] = await store.add([{ body: body({ name: 'limited' }), policy: { maxRuntimeMs: 10 * MIN } }], clock.now());
  await runWorker({ store, api, workerId: 'w1', intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0 });
  const created = (await store.get(e!.id))!;
  assert.equal(created.state, 'submitted');
  return created;
}

for (const [kind, open] of stores) {
  describe(`red team: enforcement against a hostile platform (${kind})`, () => {
    test('stop answers Success but the deployment keeps running: the entry stays followed (not finished) and the stop is retried, with backoff', async () => {
      const store = await open();
      const api = new StopApi();
      const clock = manualClock();
      const e = await runningUnderLimit(store, api, clock);
      api.stopBehaviour = 'ignored';
      clock.advance(10 * MIN);
      const events: QueueEvent[] = [];
      await runWorker({ store, api, workerId: 'w1', intervalMs: MIN, maxTicks: 60, now: clock.now, sleep: clock.sleep, followGraceMs: 0, onEvent: (x) => events.push(x) });
      const d = api.created.find((x) => x.uuid === e.deployment_uuid)!;
      assert.equal(d.status, 'running', 'the fake platform ignored every stop');
      const now = (await store.get(e.id))!;
      assert.notEqual(now.state, 'finished', 'a deployment still running is not taken as stopped');
      assert.ok(api.stopCalls.length >= 2, `retried: ${api.stopCalls.length}`);
      assert.ok(api.stopCalls.length <= 8, `backoff: ${api.stopCalls.length} stops in 60 ticks`);
      assert.ok(events.some((x) => x.type === 'error' && /still/.test(x.error)), 'surfaced');
      // one policy event (one notification), not one per attempt
      assert.equal(events.filter((x) => x.type === 'policy' && x.action === 'stop').length, 1);
      // once the platform obeys, the next attempt ends it
      api.stopBehaviour = 'ok';
      await runWorker({ store, api, workerId: 'w1', intervalMs: MIN, maxTicks: 40, now: clock.now, sleep: clock.sleep, followGraceMs: 0 });
      assert.equal((await store.get(e.id))!.state, 'finished');
      await store.close();
    });

    test('stop answers 500 for ever: no crash, no stop every tick, each failure surfaced, the entry still followed', async () => {
      const store = await open();
      const api = new StopApi();
      const clock = manualClock();
      const e = await runningUnderLimit(store, api, clock);
      api.stopBehaviour = 'error';
      clock.advance(10 * MIN);
      const events: QueueEvent[] = [];
      const s = await runWorker({ store, api, workerId: 'w1', intervalMs: MIN, maxTicks: 60, now: clock.now, sleep: clock.sleep, followGraceMs: 0, onEvent: (x) => events.push(x) });
      assert.equal(s.stopped, 'max_ticks');
      assert.ok(api.stopCalls.length >= 2 && api.stopCalls.length <= 8, `${api.stopCalls.length} stops in 60 ticks`);
      const errs = events.filter((x) => x.type === 'error' && x.where.startsWith('policy stop'));
      assert.equal(errs.length, api.stopCalls.length);
      const now = (await store.get(e.id))!;
      assert.equal(now.state, 'submitted');
      assert.equal(now.enforced?.action, 'stop');
      assert.match(now.last_error ?? '', /stop/);
      await store.close();
    });
  });
}

/** Two handles on one queue (two worker processes): a second SQLite connection to the file, or a second PostgreSQL pool. */
const shared: Array<[string, () => Promise<[QueueStore, QueueStore]>]> = [
  [
    'sqlite',
    async () => {
      const path = join(dir, `${Math.random().toString(36).slice(2)}.db`);
      return [await openSqliteStore({ path }), await openSqliteStore({ path })];
    },
  ],
];
if (PG_URL) {
  shared.push([
    'postgres',
    async () => {
      const url = await freshPgDatabase();
      return [await openPgStore({ url }), await openPgStore({ url })];
    },
  ]);
}

for (const [kind, openTwo] of shared) {
  describe(`red team: two workers on one queue (${kind})`, () => {
    test('both see a deployment over its limit in the same tick: one stop, one enforced record, one policy event', async () => {
      const [s1, s2] = await openTwo();
      const api = new StopApi();
      const clock = manualClock();
      const entries = await s1.add([0, 1, 2].map((i) => ({ body: body({ name: `two-${i}` }), policy: { maxRuntimeMs: 10 * MIN } })), clock.now());
      await runWorker({ store: s1, api, workerId: 'w1', intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0 });
      clock.advance(10 * MIN);
      const events: QueueEvent[] = [];
      const run = (store: QueueStore, id: string) =>
        runWorker({ store, api, workerId: id, intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0, onEvent: (x) => events.push(x) });
      await Promise.all([run(s1, 'w1'), run(s2, 'w2')]);
      assert.equal(api.stopCalls.length, 3, `stops: ${api.stopCalls.join(', ')}`);
      assert.equal(new Set(api.stopCalls).size, 3);
      assert.equal(events.filter((x) => x.type === 'policy' && x.action === 'stop').length, 3);
      for (const e of entries) {
        const h = await s1.history(e.id);
        assert.equal(h.filter((x) => /^stopping by policy/.test(x.note ?? '')).length, 1, JSON.stringify(h));
        assert.equal((await s1.get(e.id))!.state, 'finished');
      }
      await s1.close();
      await s2.close();
    });

    test('a stop decided in the same millisecond as the warning before it: still one stop between two workers', async () => {
      const [s1, s2] = await openTwo();
      const api = new StopApi();
      const clock = manualClock();
      const [e] = await s1.add([{ body: body({ name: 'same-ms' }), policy: { maxRuntimeMs: 10 * MIN } }], clock.now());
      await runWorker({ store: s1, api, workerId: 'w1', intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0 });
      clock.advance(10 * MIN);
      // a warning recorded at this very millisecond (a cost cap's, say)
      const cur = (await s1.get(e!.id))!;
      await s1.transition(e!.id, cur.state, { from: cur.state, now: clock.now(), set: { enforced: { action: 'warn', reason: 'max_cost', detail: 'x', at: clock.now() } } });
      const run = (store: QueueStore, id: string) => runWorker({ store, api, workerId: id, intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0, follow: false });
      await Promise.all([run(s1, 'w1'), run(s2, 'w2')]);
      assert.equal(api.stopCalls.length, 1, `${api.stopCalls.length} stops`);
      await s1.close();
      await s2.close();
    });

    test('a warning (cost cap, on-cap warn) seen by both in the same tick: recorded and told once', async () => {
      const [s1, s2] = await openTwo();
      const api = new StopApi();
      const clock = manualClock();
      const [e] = await s1.add([{ body: body({ name: 'warn-two' }, { price_to: 2000 }), policy: { maxCost: 0.1, onCap: 'warn' } }], clock.now());
      await runWorker({ store: s1, api, workerId: 'w1', intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0 });
      clock.advance(10 * MIN);
      const events: QueueEvent[] = [];
      const run = (store: QueueStore, id: string) =>
        runWorker({ store, api, workerId: id, intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0, onEvent: (x) => events.push(x) });
      await Promise.all([run(s1, 'w1'), run(s2, 'w2')]);
      assert.equal(events.filter((x) => x.type === 'policy' && x.action === 'warn').length, 1);
      assert.equal((await s1.history(e!.id)).filter((x) => /^warned by policy/.test(x.note ?? '')).length, 1);
      assert.equal(api.stopCalls.length, 0);
      await s1.close();
      await s2.close();
    });
  });
}

describe('red team: hostile policy JSON written into the database by hand (sqlite)', () => {
  test('not JSON, wrong types, NaN strings, huge and negative numbers, deep nesting, an after cycle: the worker ticks, ls/show read it, nothing throws', async () => {
    const path = join(dir, `hostile-${Math.random().toString(36).slice(2)}.db`);
    const store = await openSqliteStore({ path });
    const api = new StopApi();
    const clock = manualClock();
    const added = await store.add(
      Array.from({ length: 9 }, (_, i) => ({ body: body({ name: `h${i}` }), policy: { maxRuntimeMs: 10 * MIN } })),
      clock.now(),
    );
    const [a, b, c, d, e, f, g, h, k] = added.map((x) => x.id) as [string, string, string, string, string, string, string, string, string];
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const set = (id: string, col: 'policy' | 'enforced', text: string) => store.db.prepare(`UPDATE entries SET ${col} = ? WHERE id = ?`).run(text, id);
    set(a, 'policy', 'not json {');
    set(b, 'policy', JSON.stringify({ maxRuntimeMs: 'NaN', maxCost: -5, labelBudget: 1e308, after: 'q-00000000', onCap: 7 }));
    set(c, 'policy', '{"maxRuntimeMs": 1e999}');
    set(d, 'policy', `{"after": ${deep}}`);
    set(e, 'policy', JSON.stringify({ after: [f] }));
    set(f, 'policy', JSON.stringify({ after: [e] }));
    set(g, 'policy', JSON.stringify({ maxRuntimeMs: '1' }));
    set(h, 'enforced', JSON.stringify({ action: 'stop', at: 'yesterday', reason: { x: 1 } }));
    set(k, 'policy', '[1,2,3]');
    const listed = await store.list();
    assert.equal(listed.length, 9);
    // what survives is what normalizePolicy would have accepted
    assert.equal(listed.find((x) => x.id === a)!.policy, null);
    assert.equal(listed.find((x) => x.id === b)!.policy, null);
    assert.equal(listed.find((x) => x.id === c)!.policy, null);
    assert.equal(listed.find((x) => x.id === g)!.policy, null, 'a string is not a time limit');
    assert.deepEqual(listed.find((x) => x.id === e)!.policy, { after: [f] });
    assert.equal(listed.find((x) => x.id === h)!.enforced?.at, 0);
    // the worker runs several ticks over them without throwing
    const events: QueueEvent[] = [];
    const s = await runWorker({ store, api, workerId: 'w', intervalMs: MIN, maxTicks: 5, now: clock.now, sleep: clock.sleep, followGraceMs: 0, onEvent: (x) => events.push(x) });
    assert.equal(s.ticks, 5);
    // the cycle written past add's check waits (reason after), it is not created
    assert.equal((await store.get(e))!.state, 'pending');
    assert.equal((await store.get(f))!.state, 'pending');
    const { entryView, policySummary } = await import('../../src/cli/commands/queue-common.js');
    for (const x of await store.list()) {
      assert.doesNotThrow(() => JSON.stringify(entryView(x, clock.now())));
      assert.doesNotThrow(() => policySummary(x, clock.now()));
    }
    await store.close();
  });
});

describe('red team: hostile deployment times from the server (autodl ttl)', () => {
  test('adoptedSince: the platform age carried to the queue clock; missing, garbage, future and ancient times bounded', async () => {
    const { adoptedSince } = await import('../../src/queue/policies.js');
    const { parseApiTime } = await import('../../src/watch/time.js');
    const server = Date.UTC(2026, 6, 1, 12);
    const queue = Date.UTC(2026, 11, 2, 12); // this machine five months on
    // created 30 min ago on the platform's clock: 30 min ago on the queue's
    assert.equal(adoptedSince(server - 30 * MIN, server, queue), queue - 30 * MIN);
    for (const t of [undefined, parseApiTime('garbage'), parseApiTime(''), parseApiTime(null), NaN]) assert.equal(adoptedSince(t, server, queue), queue, String(t));
    // in the future (by an hour, by centuries): counts from now, not never
    assert.equal(adoptedSince(server + HOUR, server, queue), queue);
    assert.equal(adoptedSince(parseApiTime('+275760-09-13T00:00:00Z'), server, queue), queue);
    // ancient: older than any limit, yet a finite time
    const old = adoptedSince(0, server, queue);
    assert.ok(Number.isFinite(old) && queue - old > 366 * 86_400_000 && queue - old <= 367 * 86_400_000);
    assert.equal(adoptedSince(server - MIN, NaN, queue), queue, 'no server clock: now');
  });
});

/** A body without price_to (the config's field is optional). */
function unpriced<T extends { container_template: object }>(b: T, drop: boolean): T {
  if (drop) delete (b.container_template as { price_to?: number }).price_to;
  return b;
}

describe('red team: budget bypasses in the planner', () => {
  const T0 = 1_700_000_000_000;
  const pending = (n: number, o: { price?: number; label?: string; owner?: string; maxRuntimeMs?: number } = {}): PlannableEntry[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `e${i}`,
      priority: 0,
      created_at: T0,
      body: unpriced(body({ name: `b${i}` }, o.price === undefined ? {} : { price_to: o.price }), o.price === undefined),
      label: o.label ?? null,
      owner: o.owner ?? null,
      policy: o.maxRuntimeMs ? { maxRuntimeMs: o.maxRuntimeMs } : null,
    }));
  const ctx = (budgets: PolicyContext['budgets'], total = 0, committed?: PolicyContext['committed']): PlanPolicies => ({
    context: { states: new Map(), spent: { byEntry: new Map(), byLabel: new Map(), total }, budgets, ...(committed ? { committed } : {}) },
  });

  test('many small entries with no time limit in one tick: not all admitted on ¥1 left (an hour of each is kept aside)', () => {
    // ¥2/h each, no time limit, ¥1 of a ¥10 budget left: the first may take what is left, not fifty
    const p = plan(stock(100), pending(50, { price: 2000 }), {}, T0, [], ctx({ queue: 10 }, 9));
    assert.equal(p.creates.length, 1, `${p.creates.length} admitted on ¥1`);
    // ¥100 left: fifty at ¥2 for their first hour fit
    const q = plan(stock(100), pending(60, { price: 2000 }), {}, T0, [], ctx({ queue: 100 }));
    assert.equal(q.creates.length, 50);
  });

  test('an entry without price_to under a budget cannot be counted: it waits (budget), it is not admitted for ever', () => {
    const p = plan(stock(100), pending(20), {}, T0, [], ctx({ queue: 10 }));
    assert.equal(p.creates.length, 0, `${p.creates.length} unpriced entries admitted under a ¥10 budget`);
    assert.ok(p.decisions.every((d) => d.action === 'wait' && d.reason === 'budget'));
    // without a budget it is admitted as before
    assert.equal(plan(stock(100), pending(3), {}, T0, [], ctx(undefined)).creates.length, 3);
  });

  test('alive deployments with no time limit keep their first hour aside on later ticks', async () => {
    const { MemoryStore: M } = await import('../../src/queue/index.js');
    const store = new M();
    const api = new StopApi(100);
    const clock = manualClock();
    await store.add(Array.from({ length: 30 }, (_, i) => ({ body: body({ name: `u${i}` }, { price_to: 2000 }) })), clock.now());
    // ¥3 budget, ¥2/h each, 1 min ticks: the first tick admits two (¥2 + ¥2 > ¥3 after the second); later ticks none
    await runWorker({ store, api, workerId: 'w', intervalMs: MIN, maxTicks: 10, now: clock.now, sleep: clock.sleep, followGraceMs: 0, budget: 3 });
    assert.ok(api.created.length <= 2, `${api.created.length} created on a ¥3 budget`);
  });
});

for (const [kind, open] of stores) {
  describe(`red team: autodl ttl on a deployment the queue is still creating (${kind})`, () => {
    test('adopt by the queue mark of an entry in submitting (no uuid recorded yet): its policy replaced, no second entry', async () => {
      const store = await open();
      const clock = manualClock();
      const [e] = await store.add([{ body: body({ name: 'inflight' }), policy: { maxCost: 5 } }], clock.now());
      await store.claim([e!.id], 'w1', clock.now() + 600_000, clock.now());
      // the create reached the platform; the worker has not recorded its uuid yet
      const r = await store.adopt(
        { body: body({ name: e!.deployment_name }), deployment_uuid: 'dep-late', deployment_name: e!.deployment_name, submitted_at: clock.now(), policy: { maxRuntimeMs: 4 * 3_600_000 } },
        clock.now(),
      );
      assert.equal(r.adopted, false);
      assert.equal(r.entry.id, e!.id);
      assert.deepEqual((await store.list()).map((x) => x.id), [e!.id]);
      assert.deepEqual((await store.get(e!.id))!.policy, { maxCost: 5, maxRuntimeMs: 4 * 3_600_000 });
      assert.equal((await store.get(e!.id))!.state, 'submitting', 'the worker still reconciles it');
      // a deployment made elsewhere that only shares a name with an adopted one is its own entry
      const a = await store.adopt({ body: body({ name: 'dbg' }), deployment_uuid: 'dep-a', deployment_name: 'dbg', submitted_at: clock.now(), policy: { maxRuntimeMs: 3_600_000 } }, clock.now());
      const b = await store.adopt({ body: body({ name: 'dbg' }), deployment_uuid: 'dep-b', deployment_name: 'dbg', submitted_at: clock.now(), policy: { maxRuntimeMs: 3_600_000 } }, clock.now());
      assert.equal(a.adopted && b.adopted, true);
      assert.notEqual(a.entry.id, b.entry.id);
      await store.close();
    });
  });
}

for (const [kind, openTwo] of shared) {
  describe(`red team: two workers, one budget (${kind})`, () => {
    test('ticking at once, they admit no more than the budget allows between them; a label budget across owners counts every owner', async () => {
      const [s1, s2] = await openTwo();
      const api = new StopApi(100);
      const clock = manualClock();
      // ¥2/h each with a 30 min limit: ¥1 worst case; queue budget ¥3.5 → three at most
      await s1.add(
        Array.from({ length: 12 }, (_, i) => ({ body: body({ name: `bud${i}` }, { price_to: 2000 }), owner: i % 2 ? 'alice' : 'bob', policy: { maxRuntimeMs: 30 * MIN } })),
        clock.now(),
      );
      const run = (store: QueueStore, id: string) => runWorker({ store, api, workerId: id, intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0, budget: 3.5 });
      for (let i = 0; i < 5; i++) {
        await Promise.all([run(s1, 'w1'), run(s2, 'w2')]);
        clock.advance(MIN);
      }
      assert.equal(api.created.length, 3, `${api.created.length} created on ¥3.5`);
      // a label budget shared by two owners: ¥2.5 for the label → two in all, not two each
      const more = await s1.add(
        Array.from({ length: 6 }, (_, i) => ({ body: body({ name: `lab${i}` }, { price_to: 2000 }), label: 'sweep', owner: i % 2 ? 'alice' : 'bob', policy: { maxRuntimeMs: 30 * MIN, labelBudget: 2.5 } })),
        clock.now(),
      );
      const before = api.created.length;
      const runL = (store: QueueStore, id: string) => runWorker({ store, api, workerId: id, intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0, shares: {} });
      for (let i = 0; i < 3; i++) await Promise.all([runL(s1, 'w1'), runL(s2, 'w2')]);
      const made = api.created.slice(before).filter((d) => more.some((m) => m.deployment_name === d.name));
      assert.equal(made.length, 2, `${made.length} of the label created on ¥2.5`);
      await s1.close();
      await s2.close();
    });
  });
}

describe('red team: --on-cap warn', () => {
  test('warned once when its cap is passed (not every tick), never stopped for it; its time limit still stops it', async () => {
    const store = new MemoryStore();
    const api = new StopApi();
    const clock = manualClock();
    // ¥2/h: ¥0.5 is passed at 15 min; the time limit at 60 min
    const [e] = await store.add([{ body: body({ name: 'warnme' }, { price_to: 2000 }), policy: { maxCost: 0.5, onCap: 'warn', maxRuntimeMs: 60 * MIN } }], clock.now());
    const events: QueueEvent[] = [];
    await runWorker({ store, api, workerId: 'w', intervalMs: MIN, maxTicks: 50, now: clock.now, sleep: clock.sleep, followGraceMs: 0, onEvent: (x) => events.push(x) });
    assert.deepEqual(events.filter((x) => x.type === 'policy').map((x) => x.type === 'policy' && `${x.action}:${x.reason}`), ['warn:max_cost']);
    assert.equal(api.stopCalls.length, 0);
    assert.equal((await store.get(e!.id))!.enforced?.action, 'warn');
    await runWorker({ store, api, workerId: 'w', intervalMs: MIN, maxTicks: 20, now: clock.now, sleep: clock.sleep, followGraceMs: 0, onEvent: (x) => events.push(x) });
    assert.equal(api.stopCalls.length, 1);
    const done = (await store.get(e!.id))!;
    assert.equal(done.state, 'finished');
    assert.equal(done.enforced?.reason, 'max_runtime');
  });
});

for (const [kind, open] of stores) {
  describe(`red team: money spent never goes backwards (${kind})`, () => {
    test('a failed entry retried: what its first run spent stays counted, nothing accrues while it waits, the second run adds to it', async () => {
      const { retryEntry } = await import('../../src/queue/ops.js');
      const { spentCeiling } = await import('../../src/queue/spent.js');
      const store = await open();
      const clock = manualClock();
      const [e] = await store.add([{ body: body({ name: 'retried' }, { price_to: 2000 }), label: 'sw', policy: { labelBudget: 10 } }], clock.now());
      await store.claim([e!.id], 'w', clock.now() + 600_000, clock.now());
      await store.transition(e!.id, 'submitted', { from: 'submitting', now: clock.now(), set: { deployment_uuid: 'dep-1', submitted_at: clock.now() } });
      clock.advance(30 * MIN); // ¥2/h for 30 min: ¥1
      await store.transition(e!.id, 'failed', { from: 'submitted', now: clock.now(), set: { finished_at: clock.now() } });
      const spent = (x: string) => store.get(x).then((y) => Math.round(spentCeiling(y!, clock.now()) * 1000) / 1000);
      assert.equal(await spent(e!.id), 1);
      await retryEntry(store, e!.id, clock.now());
      assert.equal(await spent(e!.id), 1, 'the first run still counted once pending again');
      clock.advance(60 * MIN);
      assert.equal(await spent(e!.id), 1, 'nothing accrues while it waits');
      await store.claim([e!.id], 'w', clock.now() + 600_000, clock.now());
      await store.transition(e!.id, 'submitted', { from: 'submitting', now: clock.now(), set: { deployment_uuid: 'dep-2', submitted_at: clock.now() } });
      assert.equal(await spent(e!.id), 1, 'not back to 0 when it is created again');
      clock.advance(15 * MIN);
      assert.equal(await spent(e!.id), 1.5);
      await store.close();
    });
  });
}

describe('red team: enforcement and accounts', () => {
  test('an alive entry of no account whose deployment this token does not list: not stopped with this token, not finished', async () => {
    const store = new MemoryStore();
    const api = new StopApi();
    const clock = manualClock();
    const [e] = await store.add([{ body: body({ name: 'foreign' }), policy: { maxRuntimeMs: MIN } }], clock.now());
    await store.claim([e!.id], 'old', clock.now() + 1000, clock.now());
    await store.transition(e!.id, 'submitted', { from: 'submitting', now: clock.now(), set: { deployment_uuid: 'dep-of-someone-else', submitted_at: clock.now() } });
    clock.advance(10 * MIN);
    await runWorker({ store, api, workerId: 'wa', account: 'acct-a', intervalMs: MIN, maxTicks: 3, now: clock.now, sleep: clock.sleep, followGraceMs: 0 });
    assert.deepEqual(api.stopCalls, [], 'no stop sent for a deployment this token cannot see');
    const now = (await store.get(e!.id))!;
    assert.equal(now.state, 'submitted');
    assert.equal(now.enforced, null);
  });
});

describe('red team: a stop refused because an earlier one landed late', () => {
  test('the stop answers an error but the deployment is stopped: finished by policy, not retried for ever', async () => {
    const store = new MemoryStore();
    const api = new StopApi();
    const clock = manualClock();
    const e = await runningUnderLimit(store, api, clock);
    clock.advance(10 * MIN);
    // the platform stopped it already (a stop of a killed worker, applied late) and refuses another
    const d = api.created.find((x) => x.uuid === e.deployment_uuid)!;
    d.status = 'stopped';
    api.stopBehaviour = 'error';
    await runWorker({ store, api, workerId: 'w1', intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0, follow: false });
    const done = (await store.get(e.id))!;
    assert.equal(done.state, 'finished');
    assert.equal(done.enforced?.reason, 'max_runtime');
  });
});

describe('red team: a queue budget spent with many deployments alive', () => {
  test('twenty stops in one tick are checked with one list, not one lookup each', async () => {
    const store = new MemoryStore();
    const api = new StopApi(100);
    const clock = manualClock();
    await store.add(Array.from({ length: 20 }, (_, i) => ({ body: body({ name: `many${i}` }), policy: { maxRuntimeMs: 10 * MIN } })), clock.now());
    await runWorker({ store, api, workerId: 'w', intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0 });
    assert.equal(api.created.length, 20);
    clock.advance(10 * MIN);
    const lists = api.listCalls;
    await runWorker({ store, api, workerId: 'w', intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0 });
    assert.equal(api.stopCalls.length, 20);
    assert.ok(api.listCalls - lists <= 2, `${api.listCalls - lists} list calls for 20 stops`);
    assert.equal((await store.list({ states: ['finished'] })).length, 20);
  });
});

describe('red team: the time limit of a create found after a crash', () => {
  test('found by its mark minutes after it was sent: the limit counts from the send, not from when it was found', async () => {
    const store = new MemoryStore();
    const api = new StopApi();
    const clock = manualClock();
    const [e] = await store.add([{ body: body({ name: 'lost' }), policy: { maxRuntimeMs: 10 * MIN } }], clock.now());
    // a worker claimed it, recorded the send, the create reached the platform, the worker died
    await store.claim([e!.id], 'w1', clock.now() + 60_000, clock.now());
    const sentAt = clock.now();
    await store.transition(e!.id, 'submitting', { from: 'submitting', owner: 'w1', now: sentAt, set: { sent_at: sentAt } });
    api.commit({ ...e!.body, name: e!.deployment_name });
    clock.advance(8 * MIN); // restarted 8 minutes later
    await runWorker({ store, api, workerId: 'w1', intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0 });
    const found = (await store.get(e!.id))!;
    assert.equal(found.state, 'submitted');
    assert.equal(found.submitted_at, sentAt, 'counted from the send');
    clock.advance(2 * MIN);
    await runWorker({ store, api, workerId: 'w1', intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0 });
    assert.equal((await store.get(e!.id))!.state, 'finished', 'stopped 10 min after it was sent, not 10 min after it was found');
  });
});

for (const [kind, openTwo] of shared) {
  describe(`red team: two workers with different stock snapshots, one budget (${kind})`, () => {
    test('each plans a different entry that fits its snapshot: the budget still admits one between them', async () => {
      const [s1, s2] = await openTwo();
      // worker 1 sees only RTX 4090 idle, worker 2 only A800 (a GPU freed between their stock calls)
      const a1 = new StopApi(8);
      const a2 = new StopApi(0);
      a2.stockNow['A800'] = { idle: 8, total: 8 };
      const clock = manualClock();
      // ¥1 worst case each (¥2/h, 30 min); queue budget ¥1.5: one of them, not both
      await s1.add(
        [
          { body: body({ name: 'on-4090' }, { price_to: 2000, gpu_name_set: ['RTX 4090'] }), policy: { maxRuntimeMs: 30 * MIN } },
          { body: body({ name: 'on-a800' }, { price_to: 2000, gpu_name_set: ['A800'] }), policy: { maxRuntimeMs: 30 * MIN } },
        ],
        clock.now(),
      );
      const run = (store: QueueStore, api: StopApi, id: string) =>
        runWorker({ store, api, workerId: id, intervalMs: MIN, once: true, now: clock.now, sleep: clock.sleep, followGraceMs: 0, follow: false, budget: 1.5 });
      await Promise.all([run(s1, a1, 'w1'), run(s2, a2, 'w2')]);
      let created = a1.created.length + a2.created.length;
      // both may give their claim back when they claimed at once (safe); never both create
      assert.ok(created <= 1, `${created} created on a ¥1.5 budget`);
      for (let i = 0; i < 3 && created === 0; i++) {
        clock.advance(MIN);
        await run(s1, a1, 'w1');
        await run(s2, a2, 'w2');
        created = a1.created.length + a2.created.length;
      }
      assert.equal(created, 1, 'one of them once they do not tick at the same instant');
      clock.advance(MIN);
      await Promise.all([run(s1, a1, 'w1'), run(s2, a2, 'w2')]);
      assert.equal(a1.created.length + a2.created.length, 1, 'and never the second');
      const states = (await s1.list()).map((e) => e.state).sort();
      assert.deepEqual(states, ['pending', 'submitted']);
      await s1.close();
      await s2.close();
    });
  });
}

describe('red team: a queue budget over a long history (sqlite)', () => {
  test('ended entries read once, yet one that ended unseen between two ticks is counted', async () => {
    const store = await openSqliteStore({ path: join(dir, `hist-${Math.random().toString(36).slice(2)}.db`) });
    const api = new StopApi(100);
    const clock = manualClock();
    const t0 = clock.now();
    // history: 50 ended entries that spent ¥0.1 each (¥2/h for 3 min) = ¥5
    const old = await store.add(Array.from({ length: 50 }, (_, i) => ({ body: body({ name: `old${i}` }, { price_to: 2000 }) })), t0);
    for (const e of old) {
      await store.claim([e.id], 'x', t0 + 1000, t0);
      await store.transition(e.id, 'submitted', { from: 'submitting', now: t0, set: { deployment_uuid: `u-${e.id}`, submitted_at: t0 } });
      await store.transition(e.id, 'finished', { from: 'submitted', now: t0, set: { finished_at: t0 + 3 * MIN } });
    }
    // ¥7.1 budget: ¥2.1 left; a new entry needs ¥1 (¥2/h, 30 min)
    const job = (name: string) => ({ body: body({ name }, { price_to: 2000 }), policy: { maxRuntimeMs: 30 * MIN } });
    const [first] = await store.add([job('new0')], t0);
    let second: string | undefined;
    let tick = 0;
    await runWorker({
      store, api, workerId: 'w', intervalMs: MIN, maxTicks: 3, now: clock.now, followGraceMs: 0, follow: false, budget: 7.1,
      sleep: async (ms) => {
        clock.advance(ms);
        if (++tick !== 1) return;
        // between two ticks another worker ran and ended an entry this one never saw open: ¥0.6
        const [ghost] = await store.add([{ body: body({ name: 'ghost' }, { price_to: 2000 }) }], clock.now());
        await store.claim([ghost!.id], 'other', clock.now() + 1000, clock.now());
        await store.transition(ghost!.id, 'submitted', { from: 'submitting', now: clock.now(), set: { deployment_uuid: 'u-ghost', submitted_at: clock.now() - 18 * MIN } });
        await store.transition(ghost!.id, 'finished', { from: 'submitted', now: clock.now(), set: { finished_at: clock.now() } });
        // and a second job is added: ¥5 + ¥0.6 + new0's ¥1 leave ¥0.5, not the ¥1.1 it would see without the ghost
        second = (await store.add([job('new1')], clock.now()))[0]!.id;
      },
    });
    assert.notEqual((await store.get(first!.id))!.state, 'pending');
    assert.equal((await store.get(second!))!.state, 'pending', 'the ghost counted: new1 waits for budget');
    await store.close();
  });
});
