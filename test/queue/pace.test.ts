// Issue 14 §2–§4: the worker's pace — one store read per tick, the summary by count, the
// stock polled alone between ticks while entries wait for it, the follow paced by how many
// deployments are alive. All on the manual clock; no timings.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, openSqliteStore, runWorker } from '../../src/queue/index.js';
import type { QueueStore } from '../../src/queue/index.js';
import { openPgStore } from '../../src/queue/pg-store.js';
import { defaultStockInterval, followEvery, FOLLOW_PAGES_PER_TICK, MIN_DEFAULT_STOCK_INTERVAL_MS, WAITING_PER_STOCK_POLL, workerTick } from '../../src/queue/worker.js';
import { FakeApi, body, manualClock } from './fake-api.js';
import { dropPgDatabases, freshPgDatabase, PG_SKIP } from './pg-helpers.js';

const stock = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { idle: v, total: 100 }]));
const dir = mkdtempSync(join(tmpdir(), 'autodl-pace-'));
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await dropPgDatabases();
});

/** `n` entries moved to submitted, each with a deployment the fake platform lists (running, nothing finished). */
async function aliveEntries(store: QueueStore, api: FakeApi, n: number, now: number): Promise<void> {
  const added = await store.add(Array.from({ length: n }, (_, i) => ({ body: body({ name: `alive-${i}` }) })), now);
  api.consumeStock = false;
  for (const e of added) {
    const d = api.commit({ ...e.body, name: e.deployment_name });
    await store.transition(e.id, 'submitted', { from: 'pending', now, set: { deployment_uuid: d.uuid, submitted_at: now } });
  }
}

test('a freed GPU is used at the next stock poll, not at the next tick; the tick then reuses that snapshot', async () => {
  const run = async (stockIntervalMs: number) => {
    const api = new FakeApi(stock({ 'RTX 4090': 0 }));
    const clock = manualClock();
    const t0 = clock.now();
    const store = new MemoryStore();
    const [e] = await store.add([{ body: body({ name: 'wait' }) }], t0);
    const sleep = async (ms: number) => {
      clock.advance(ms);
      // a GPU frees 9 s after the first tick
      if (clock.now() - t0 >= 9_000 && api.created.length === 0) api.stockNow['RTX 4090']!.idle = 1;
    };
    const s = await runWorker({ store, api, workerId: 'w', intervalMs: 30_000, stockIntervalMs, maxTicks: 2, now: clock.now, sleep, follow: false });
    return { s, api, entry: (await store.get(e!.id))!, t0 };
  };
  const fast = await run(3_000);
  assert.equal(fast.s.created, 1);
  assert.equal(fast.entry.submitted_at! - fast.t0, 9_000, 'created at the poll that saw the GPU free');
  // tick 1, then polls at 3, 6 and 9 s; tick 2 plans on the 9 s snapshot (no stock call of its own)
  assert.equal(fast.api.stockCalls, 4);
  const slow = await run(30_000); // stock poll off: the stock is read only once per tick
  assert.equal(slow.entry.submitted_at! - slow.t0, 30_000);
  assert.equal(slow.api.stockCalls, 2);
});

test('a tick started early by the stock poll lists nothing before its create: the follow pacing (once an interval) leaves it to the next regular tick', async () => {
  const api = new FakeApi(stock({ 'RTX 4090': 0 }));
  const clock = manualClock();
  const t0 = clock.now();
  const store = new MemoryStore();
  await aliveEntries(store, api, 1, t0);
  api.consumeStock = true;
  const [e] = await store.add([{ body: body({ name: 'wait' }) }], t0);
  const lists: number[] = [];
  const list = api.deployments.listAll.bind(api.deployments);
  api.deployments.listAll = (...a: Parameters<typeof list>) => {
    lists.push(clock.now() - t0);
    return list(...a);
  };
  const sleep = async (ms: number) => {
    clock.advance(ms);
    if (clock.now() - t0 >= 9_000 && api.created.length === 1) api.stockNow['RTX 4090']!.idle = 1;
  };
  const s = await runWorker({ store, api, workerId: 'w', intervalMs: 30_000, stockIntervalMs: 3_000, maxTicks: 3, now: clock.now, sleep });
  assert.equal(s.created, 1);
  assert.equal((await store.get(e!.id))!.submitted_at! - t0, 9_000, 'created at the poll that saw the GPU free');
  // tick 1 (0 s) follows; tick 2 (9 s, early) does not; tick 3 (39 s) follows again
  assert.deepEqual(lists, [0, 39_000], 'no list call in the early tick');
});

test('no stock poll between ticks when nothing waits for stock (an entry held back by a limit)', async () => {
  const api = new FakeApi(stock({ 'RTX 4090': 8 }));
  const clock = manualClock();
  const store = new MemoryStore();
  await aliveEntries(store, api, 1, clock.now());
  await store.add([{ body: body({ name: 'limited' }) }], clock.now());
  const s = await runWorker({ store, api, workerId: 'w', intervalMs: 30_000, stockIntervalMs: 1_000, maxTicks: 3, limits: { maxRunning: 1 }, now: clock.now, sleep: clock.sleep, follow: false });
  assert.equal(s.created, 0);
  assert.equal(api.stockCalls, 3, 'one per tick');
});

test('a stock poll that shows no more idle than the last plan saw does not start a tick early', async () => {
  // 1 GPU idle, but the entry needs 2: the poll sees the same idle, ticks stay 30 s apart
  const api = new FakeApi(stock({ 'RTX 4090': 1 }));
  const clock = manualClock();
  const t0 = clock.now();
  const store = new MemoryStore();
  await store.add([{ body: body({ name: 'two' }, { gpu_num: 2 }) }], t0);
  const ticks: number[] = [];
  await runWorker({
    store,
    api,
    workerId: 'w',
    intervalMs: 30_000,
    stockIntervalMs: 5_000,
    maxTicks: 3,
    now: clock.now,
    sleep: clock.sleep,
    follow: false,
    onEvent: (e) => {
      if (e.type === 'tick') ticks.push(clock.now() - t0);
    },
  });
  assert.deepEqual(ticks, [0, 30_000, 60_000]);
  assert.equal(api.stockCalls, 3 + 2 * 5, 'tick + five polls (5…25 s) per interval');
});

test('the default stock poll adapts to how many wait for stock: a sixth of the interval for a few, shorter for many, never under 1 s', async () => {
  assert.equal(defaultStockInterval(30_000), 5_000);
  assert.equal(defaultStockInterval(30_000, 60), 5_000);
  assert.equal(defaultStockInterval(30_000, 10 * WAITING_PER_STOCK_POLL), 3_000);
  assert.equal(defaultStockInterval(30_000, 10_000), MIN_DEFAULT_STOCK_INTERVAL_MS);
  assert.equal(defaultStockInterval(500, 10_000), 500, 'never over the interval');
  // runWorker: 100 entries that each need a GPU that is not there, two ticks of 30 s, no --stock-interval
  const polls = async (n: number, stockIntervalMs?: number) => {
    const api = new FakeApi(stock({ 'RTX 4090': 0 }));
    const clock = manualClock();
    const store = new MemoryStore();
    await store.add(Array.from({ length: n }, (_, i) => ({ body: body({ name: `w-${i}` }) })), clock.now());
    await runWorker({ store, api, workerId: 'w', intervalMs: 30_000, maxTicks: 2, now: clock.now, sleep: clock.sleep, follow: false, ...(stockIntervalMs ? { stockIntervalMs } : {}) });
    return api.stockCalls;
  };
  assert.equal(await polls(1), 1 + 5 + 1, 'one waits: tick, polls at 5…25 s, tick');
  assert.equal(await polls(100), 1 + 9 + 1, '100 wait: polls at 3…27 s');
  assert.equal(await polls(100, 5_000), 1 + 5 + 1, 'an explicit --stock-interval is kept');
});

test('following is paced by how many are alive: every tick up to a few pages, then about FOLLOW_PAGES_PER_TICK pages a tick', async () => {
  assert.equal(followEvery(100, 1000), 1000);
  assert.equal(followEvery(FOLLOW_PAGES_PER_TICK * 100, 1000), 1000);
  assert.equal(followEvery(10_000, 1000), 1000 * Math.ceil(100 / FOLLOW_PAGES_PER_TICK));
  const follows = async (n: number, followIntervalMs?: number) => {
    const api = new FakeApi(stock({ 'RTX 4090': 0 }));
    const clock = manualClock();
    const store = new MemoryStore();
    await aliveEntries(store, api, n, clock.now());
    api.listCalls = 0;
    await runWorker({ store, api, workerId: 'w', intervalMs: 1000, maxTicks: 10, now: clock.now, sleep: clock.sleep, ...(followIntervalMs ? { followIntervalMs } : {}) });
    return api.listCalls;
  };
  assert.equal(await follows(100), 10, '1 page: every tick');
  // 1,000 alive = 10 pages: every 3rd tick (ticks 1, 4, 7, 10)
  assert.equal(await follows(1000), 4);
  // --follow-interval overrides: every tick again
  assert.equal(await follows(1000, 1000), 10);
});

for (const [name, open] of [
  ['memory', async () => new MemoryStore()],
  ['sqlite', async () => openSqliteStore({ path: join(dir, `count-${Math.random()}.db`) })],
  ['postgres', async () => openPgStore({ url: await freshPgDatabase() })],
] as const) {
  test(`${name}: one store read per tick (plan, follow and limits share it), the summary counted`, { skip: name === 'postgres' ? PG_SKIP : false }, async () => {
    const store = await open();
    const api = new FakeApi(stock({ 'RTX 4090': 1 }));
    const clock = manualClock();
    await aliveEntries(store, api, 3, clock.now());
    await store.add([{ body: body({ name: 'a' }) }, { body: body({ name: 'b' }) }, { body: body({ name: 'c' }, { gpu_name_set: ['RTX 3090'] }) }], clock.now());
    const c = await store.cancel((await store.list({ states: ['pending'] }))[2]!.id, clock.now());
    assert.equal(c!.state, 'cancelled');
    assert.deepEqual(await store.count({ states: ['pending', 'submitted', 'cancelled'] }), { pending: 2, submitted: 3, cancelled: 1 });
    assert.deepEqual(await store.count({ states: [] }), {});
    assert.deepEqual(await store.count({ states: ['running'] }), {});
    let lists = 0;
    const orig = store.list.bind(store);
    store.list = async (f) => {
      lists++;
      return orig(f);
    };
    const r = await workerTick(
      { store, api, workerId: 'w', leaseMs: 60_000, now: clock.now, maxConsecutiveFailures: 3 },
      { limits: { maxRunning: 10 } },
    );
    assert.equal(r.created, 1);
    assert.equal(r.alive, 3);
    assert.equal(r.followRan, true);
    assert.equal(r.pending, 1);
    assert.equal(r.submitting, 0);
    assert.equal(lists, 1, 'one list per tick');
    await store.close();
  });
}
