// The queue worker at scale (issue 14, §2 and §3), measured side by side in one run.
//
// §2 tick cost: a store with --pending pending entries (default 50,000; nothing fits the
//    stock, so the tick reads, plans and waits — the worst steady tick). Measured: the floor,
//    ONE read+parse of those rows (store.list of the pending set), and one workerTick
//    (reconcile claim, the one read of open entries, plan, summary count), each the median of
//    --runs runs, and the ratio tick / floor. SQLite always; PostgreSQL too when
//    AUTODL_TEST_PG_URL is set (a throwaway database is created and dropped).
// §3 API calls per tick: --alive deployments alive (default 100, 1,000, 10,000) and one entry
//    waiting for stock; runWorker for --ticks ticks on a manual clock (30 s interval) against
//    an in-process fake platform that counts calls (a list page of 100 = one call). Reported:
//    calls per tick with the default follow pacing and with the follow on every tick (what
//    the worker did before), and their ratio.
// No thresholds: this is a measurement, not a test.
//
// Usage: node --expose-gc --import tsx bench/worker.mjs [--pending 50000] [--runs 5] [--alive 100,1000,10000] [--ticks 100] [--only tick|calls]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, openSqliteStore, runWorker, workerTick } from '../src/queue/index.ts';
import { openPgStore } from '../src/queue/pg-store.ts';

const argv = process.argv.slice(2);
function opt(name, def) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
}
const pendingN = Number(opt('pending', 50_000));
const runs = Number(opt('runs', 5));
const aliveSizes = String(opt('alive', '100,1000,10000')).split(',').map(Number);
const ticks = Number(opt('ticks', 100));
const only = opt('only', '');
const work = mkdtempSync(join(tmpdir(), 'autodl-bench-worker-'));

function body(i) {
  return {
    name: `bench-${i}`,
    deployment_type: 'Job',
    replica_num: 1,
    parallelism_num: 1,
    container_template: {
      gpu_name_set: ['RTX 4090', 'RTX 3090'],
      gpu_num: 1,
      cuda_v: 118,
      cpu_num_from: 1,
      cpu_num_to: 100,
      memory_size_from: 8,
      memory_size_to: 256,
      price_from: 100,
      price_to: 9000,
      image_uuid: 'image-0123456789',
      cmd: `python train.py --shard ${i} --epochs 10 --lr 0.001 --batch 256`,
      env_vars: [{ key: 'SHARD', value: String(i) }],
    },
  };
}

/** A fake platform: stock (nothing idle unless told), a deployment list in pages of 100, creates. Counts calls. */
function fakeApi(idle = 0) {
  const deps = [];
  const api = {
    calls: { stock: 0, list: 0, create: 0 },
    deps,
    stock: {
      get: async () => {
        api.calls.stock++;
        return { 'RTX 4090': { idle, total: 1000 }, 'RTX 3090': { idle: 0, total: 1000 } };
      },
    },
    images: { listAll: async function* () {} },
    deployments: {
      create: async (b) => {
        api.calls.create++;
        const d = { uuid: `dep-${deps.length + 1}`, name: b.name, deployment_type: 'Job', status: 'running', replica_num: 1, running_num: 1, finished_num: 0, failed_num: 0, created_at: new Date().toISOString() };
        deps.push(d);
        return { deployment_uuid: d.uuid };
      },
      listAll: async function* (filter = {}) {
        const match = deps.filter((d) => (!filter.name || d.name === filter.name) && (!filter.deployment_uuid || d.uuid === filter.deployment_uuid));
        api.calls.list += Math.max(1, Math.ceil(match.length / 100));
        yield* match;
      },
    },
  };
  return api;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function fill(store, n) {
  const now = Date.now();
  for (let i = 0; i < n; i += 5000) {
    await store.add(Array.from({ length: Math.min(5000, n - i) }, (_, k) => ({ body: body(i + k) })), now);
  }
}

async function tickCost(name, store) {
  await fill(store, pendingN);
  const api = fakeApi(0);
  const ctx = { store, api, workerId: 'bench', leaseMs: 300_000, now: Date.now, maxConsecutiveFailures: 3 };
  const floor = [];
  const tick = [];
  for (let r = 0; r < runs; r++) {
    global.gc?.();
    let t = performance.now();
    const rows = await store.list({ states: ['pending'] });
    floor.push(performance.now() - t);
    if (rows.length !== pendingN) throw new Error(`read ${rows.length} rows, expected ${pendingN}`);
    global.gc?.();
    t = performance.now();
    const res = await workerTick(ctx, { follow: true });
    tick.push(performance.now() - t);
    if (res.pending !== pendingN || res.created !== 0) throw new Error(`tick saw ${res.pending} pending, created ${res.created}`);
  }
  const f = median(floor);
  const k = median(tick);
  console.log(`${name.padEnd(10)}  ${String(pendingN).padStart(7)}  ${f.toFixed(0).padStart(8)}  ${k.toFixed(0).padStart(8)}  ${(k / f).toFixed(2).padStart(6)}`);
}

async function pgStore() {
  const url = process.env.AUTODL_TEST_PG_URL;
  if (!url) return undefined;
  const pg = (await import('pg')).default;
  const db = `autodl_bench_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`CREATE DATABASE ${db}`);
  await c.end();
  const u = new URL(url);
  u.pathname = `/${db}`;
  const store = await openPgStore({ url: u.toString() });
  const drop = async () => {
    await store.close();
    const c2 = new pg.Client({ connectionString: url });
    await c2.connect();
    await c2.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await c2.end();
  };
  return { store, drop };
}

async function callsPerTick(alive, followIntervalMs) {
  const store = new MemoryStore();
  const api = fakeApi(0);
  let t = 1_700_000_000_000;
  const now = () => t;
  const added = await store.add(Array.from({ length: alive }, (_, i) => ({ body: body(i) })), t);
  for (const e of added) {
    const { deployment_uuid } = await api.deployments.create({ ...e.body, name: e.deployment_name });
    await store.transition(e.id, 'submitted', { from: 'pending', now: t, set: { deployment_uuid, submitted_at: t } });
  }
  // running already: following moves nothing, it only costs its list calls
  for (const e of added) await store.transition(e.id, 'running', { from: 'submitted', now: t });
  await store.add([{ body: body(-1) }], t); // one entry waiting for stock
  api.calls = { stock: 0, list: 0, create: 0 };
  const sleep = async (ms) => {
    t += ms;
  };
  await runWorker({ store, api, workerId: 'bench', intervalMs: 30_000, maxTicks: ticks, now, sleep, ...(followIntervalMs ? { followIntervalMs } : {}) });
  const c = api.calls;
  return { perTick: (c.stock + c.list + c.create) / ticks, list: c.list / ticks, stock: c.stock / ticks };
}

console.log(`node ${process.version}`);
if (only !== 'calls') {
console.log(`§2 tick cost (median of ${runs}; ms)`);
console.log(`store       pending     floor      tick  ratio`);
{
  const s = await openSqliteStore({ path: join(work, 'tick.db') });
  await tickCost('sqlite', s);
  await s.close();
}
const pg = await pgStore();
if (pg) {
  try {
    await tickCost('postgres', pg.store);
  } finally {
    await pg.drop();
  }
} else console.log('postgres    (AUTODL_TEST_PG_URL not set: skipped)');
}

if (only !== 'tick') {
console.log(`\n§3 API calls per tick (${ticks} ticks of 30 s, one entry waiting for stock; stock polls between ticks included)`);
console.log(`  alive   paced: calls/tick  (lists, stock)   every tick: calls/tick  ratio`);
for (const n of aliveSizes) {
  const paced = await callsPerTick(n);
  const every = await callsPerTick(n, 30_000);
  console.log(
    `${String(n).padStart(7)}   ${paced.perTick.toFixed(2).padStart(16)}  (${paced.list.toFixed(2)}, ${paced.stock.toFixed(2)})   ${every.perTick.toFixed(2).padStart(22)}  ${(paced.perTick / every.perTick).toFixed(3).padStart(5)}`,
  );
}
}
rmSync(work, { recursive: true, force: true });
