import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { demandOf, plan, planOrder } from '../../src/queue/planner.js';
import type { PlannableEntry } from '../../src/queue/planner.js';
import { body } from './fake-api.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

function e(id: string, over: { priority?: number; age?: number; gpuNum?: number; types?: string[]; replicas?: number; par?: number; type?: 'Job' | 'ReplicaSet' | 'Container'; price?: number | null } = {}, now = T0): PlannableEntry {
  const tpl: Record<string, unknown> = { gpu_num: over.gpuNum ?? 1, gpu_name_set: over.types ?? ['A'] };
  if (over.price !== undefined) tpl.price_to = over.price === null ? undefined : over.price;
  return {
    id,
    priority: over.priority ?? 0,
    created_at: now - (over.age ?? 0),
    body: body({ deployment_type: over.type ?? 'Job', replica_num: over.replicas ?? 1, parallelism_num: over.par ?? over.replicas ?? 1 }, tpl),
  };
}
const stock = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { idle: v, total: 100 }]));
const ids = (p: ReturnType<typeof plan>) => p.creates.map((c) => c.id);

test('demand: Job min(parallelism, replicas), ReplicaSet replicas, Container 1', () => {
  assert.equal(demandOf(body({ deployment_type: 'Job', replica_num: 10, parallelism_num: 3 }, { gpu_num: 2 })).gpus, 6);
  assert.equal(demandOf(body({ deployment_type: 'Job', replica_num: 2, parallelism_num: 8 }, { gpu_num: 1 })).gpus, 2);
  assert.equal(demandOf(body({ deployment_type: 'ReplicaSet', replica_num: 4 }, { gpu_num: 2 })).gpus, 8);
  assert.equal(demandOf(body({ deployment_type: 'Container', replica_num: 9 }, { gpu_num: 3 })).gpus, 3);
  assert.equal(demandOf(body({ deployment_type: 'Job', replica_num: 1 }, { gpu_num: 2, price_to: 1500 })).pricePerHour, 3);
});

test('higher priority first, then older first; ties keep insertion order', () => {
  const es = [e('a', { age: 1 }), e('b', { priority: 5 }), e('c', { age: 2 }), e('d', { age: 2 })];
  assert.deepEqual(planOrder(es, T0, 0).map((x) => x.id), ['b', 'c', 'd', 'a']);
  const p = plan(stock({ A: 2 }), es, { agingMs: 0 }, T0);
  assert.deepEqual(ids(p), ['b', 'c']);
  assert.equal(p.decisions.find((d) => d.id === 'a')?.action, 'wait');
});

test('one snapshot serves all: GPUs taken by a planned create are subtracted from its type', () => {
  const es = [e('big', { gpuNum: 4, age: 3 }), e('s1', { age: 2, types: ['A', 'B'] }), e('s2', { age: 1, types: ['A', 'B'] }), e('s3', { types: ['A', 'B'] })];
  const p = plan(stock({ A: 5, B: 1 }), es, { agingMs: 0 }, T0);
  assert.deepEqual(ids(p), ['big', 's1', 's2']);
  assert.deepEqual(p.creates.map((c) => c.gpu_name), ['A', 'A', 'B']);
  assert.deepEqual(p.idleAfter, { A: 0, B: 0 });
  const s3 = p.decisions.find((d) => d.id === 's3');
  assert.equal(s3?.action === 'wait' && s3.reason, 'no_stock');
});

test('fit all: a Job with parallelism 3 × 2 GPUs needs 6 idle (spread over its types allowed)', () => {
  const j = e('j', { gpuNum: 2, replicas: 5, par: 3, types: ['A', 'B'] });
  assert.deepEqual(ids(plan(stock({ A: 5 }), [j], {}, T0)), []);
  const p = plan(stock({ A: 4, B: 3 }), [j], {}, T0);
  assert.deepEqual(ids(p), ['j']);
  assert.deepEqual(p.creates[0]!.take, { A: 4, B: 2 });
  // fit 'one' (original rule): one container suffices
  assert.deepEqual(ids(plan(stock({ A: 2 }), [j], { fit: 'one' }, T0)), ['j']);
});

test('unknown GPU types wait with gpu_type_missing', () => {
  const p = plan(stock({ A: 8 }), [e('x', { types: ['Z'] })], {}, T0);
  assert.equal(p.creates.length, 0);
  assert.equal(p.decisions[0]!.action === 'wait' && p.decisions[0]!.reason, 'gpu_type_missing');
});

test('limits: maxRunning counts alive entries and planned creates', () => {
  const alive = [e('al1'), e('al2')];
  const es = [e('a', { age: 3 }), e('b', { age: 2 }), e('c', { age: 1 })];
  assert.deepEqual(ids(plan(stock({ A: 10 }), es, { maxRunning: 3 }, T0, alive)), ['a']);
  assert.deepEqual(ids(plan(stock({ A: 10 }), es, { maxRunning: 3 }, T0, [])), ['a', 'b', 'c']);
  const p = plan(stock({ A: 10 }), es, { maxRunning: 2 }, T0, alive);
  assert.ok(p.decisions.every((d) => d.action === 'wait' && d.reason === 'limit_running'));
});

test('limits: maxGpus lets a smaller younger entry backfill; maxPrice in yuan/hour', () => {
  const es = [e('big', { gpuNum: 4, age: 2 }), e('small', { gpuNum: 1, age: 1 })];
  const p = plan(stock({ A: 10 }), es, { maxGpus: 5, agingMs: 0 }, T0, [e('al', { gpuNum: 2 })]);
  assert.deepEqual(ids(p), ['small']);
  assert.equal(p.usage.gpus, 3);
  // price: 2000 milli-yuan/h per GPU × 2 GPUs = 4 yuan/h each
  const pe = [e('p1', { gpuNum: 2, price: 2000, age: 3 }), e('p2', { gpuNum: 2, price: 2000, age: 2 }), e('p3', { gpuNum: 1, price: 1000, age: 1 })];
  const pp = plan(stock({ A: 10 }), pe, { maxPrice: 9, agingMs: 0 }, T0);
  assert.deepEqual(ids(pp), ['p1', 'p2', 'p3']);
  const pq = plan(stock({ A: 10 }), pe, { maxPrice: 8.5, agingMs: 0 }, T0);
  assert.deepEqual(ids(pq), ['p1', 'p2']);
  assert.equal(pq.decisions.find((d) => d.id === 'p3')?.action === 'wait' && (pq.decisions.find((d) => d.id === 'p3') as { reason: string }).reason, 'limit_price');
  const unbounded = plan(stock({ A: 10 }), [e('u', { price: null })], { maxPrice: 100 }, T0);
  assert.equal(unbounded.decisions[0]!.action === 'wait' && unbounded.decisions[0]!.reason, 'price_unbounded');
});

test('anti-starvation: ageing lifts effective priority over time', () => {
  const old = e('old', { priority: 0, age: 35 * MIN });
  const hot = e('hot', { priority: 3, age: 0 });
  // 35 min at 10 min per step: effective 3, ties broken by age → old first
  assert.deepEqual(planOrder([hot, old], T0, 10 * MIN).map((x) => x.id), ['old', 'hot']);
  assert.deepEqual(planOrder([hot, old], T0, 0).map((x) => x.id), ['hot', 'old']);
});

test('anti-starvation: an aged large head reserves its type; younger large heads are backfilled', () => {
  const big = (age: number) => e('big', { gpuNum: 8, age });
  const smalls = [e('s1', { age: 1 }), e('s2', { age: 0 }), e('sB', { types: ['B'], age: 0 })];
  const limits = { agingMs: 0, reserveAfterMs: 30 * MIN };
  // young: smaller ones backfill
  const young = plan(stock({ A: 5, B: 1 }), [big(5 * MIN), ...smalls], limits, T0);
  assert.deepEqual(ids(young), ['s1', 's2', 'sB']);
  // aged: A is reserved; other types unaffected
  const aged = plan(stock({ A: 5, B: 1 }), [big(31 * MIN), ...smalls], limits, T0);
  assert.deepEqual(ids(aged), ['sB']);
  const d = aged.decisions.find((x) => x.id === 's1');
  assert.equal(d?.action === 'wait' && d.reason, 'reserved');
  assert.equal(aged.decisions.find((x) => x.id === 'big')?.action === 'wait' && (aged.decisions.find((x) => x.id === 'big') as { reserving: boolean }).reserving, true);
  // simulate: a stream of small entries keeps idle below 8 unless the head reserves
  const simulate = (lim: typeof limits) => {
    let idle = 5;
    for (let tick = 0; tick < 20; tick++) {
      const now = T0 + tick * 5 * MIN;
      const pending = [{ ...big(0), created_at: T0 }, e(`x${tick}a`, {}, now), e(`x${tick}b`, {}, now)];
      const p = plan(stock({ A: idle }), pending, lim, now);
      if (ids(p).includes('big')) return tick;
      idle = idle - p.creates.reduce((n, c) => n + c.demand.gpus, 0) + 2; // two GPUs free up per tick
    }
    return -1;
  };
  assert.equal(simulate({ agingMs: 0, reserveAfterMs: Infinity }), -1, 'without reservation the large entry starves');
  const started = simulate(limits);
  assert.ok(started > 0, 'with reservation the large entry eventually starts');
});

test('anti-starvation: an aged entry over the GPU budget blocks later creates', () => {
  const es = [e('big', { gpuNum: 4, age: 40 * MIN }), e('small', { age: 0 })];
  const p = plan(stock({ A: 10 }), es, { maxGpus: 3, agingMs: 0, reserveAfterMs: 30 * MIN }, T0);
  assert.deepEqual(ids(p), []);
  assert.equal(p.decisions[1]!.action === 'wait' && p.decisions[1]!.reason, 'blocked_by_head');
});

test('property: planned creates never exceed idle stock nor the limits', () => {
  const entryArb = fc.record({
    priority: fc.integer({ min: 0, max: 3 }),
    age: fc.integer({ min: 0, max: 60 * MIN }),
    gpuNum: fc.integer({ min: 1, max: 4 }),
    replicas: fc.integer({ min: 1, max: 4 }),
    types: fc.subarray(['A', 'B', 'C'], { minLength: 1 }),
    type: fc.constantFrom('Job' as const, 'ReplicaSet' as const, 'Container' as const),
    price: fc.integer({ min: 100, max: 3000 }),
  });
  fc.assert(
    fc.property(
      fc.array(entryArb, { maxLength: 30 }),
      fc.record({ A: fc.nat(16), B: fc.nat(16), C: fc.nat(16) }),
      fc.record({ maxRunning: fc.option(fc.nat(20), { nil: undefined }), maxGpus: fc.option(fc.nat(40), { nil: undefined }), maxPrice: fc.option(fc.nat(50), { nil: undefined }) }),
      (specs, idle, limits) => {
        const es = specs.map((s, i) => e(`e${i}`, s));
        const p = plan(stock(idle), es, limits, T0);
        const used: Record<string, number> = {};
        let gpus = 0;
        let price = 0;
        for (const c of p.creates) {
          for (const [t, n] of Object.entries(c.take)) used[t] = (used[t] ?? 0) + n;
          gpus += c.demand.gpus;
          price += c.demand.pricePerHour ?? 0;
          assert.ok(Object.values(c.take).reduce((a, b) => a + b, 0) === c.demand.gpus, 'fit all takes the whole demand');
        }
        for (const [t, n] of Object.entries(used)) assert.ok(n <= (idle as Record<string, number>)[t]!, `type ${t} over-used`);
        if (limits.maxRunning !== undefined) assert.ok(p.creates.length <= limits.maxRunning);
        if (limits.maxGpus !== undefined) assert.ok(gpus <= limits.maxGpus);
        if (limits.maxPrice !== undefined) assert.ok(price <= limits.maxPrice + 1e-6);
        assert.equal(p.decisions.length, es.length);
      },
    ),
    { numRuns: 300 },
  );
});
