// The queue's policies in the pure planner (issue 16): dependencies, budgets, fair shares,
// time limits and cost caps, with their reasons — no store, no clock, no network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { plan, type PlannableEntry, type PlanPolicies } from '../../src/queue/planner.js';
import { dependencyCycle, enforce, fmtDuration, shareLimits, type EntryPolicy, type PolicyContext, type PolicyState } from '../../src/queue/policies.js';
import { body } from './fake-api.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const HOUR = 60 * MIN;

function e(id: string, o: { gpuNum?: number; price?: number; label?: string; owner?: string; policy?: EntryPolicy; age?: number } = {}): PlannableEntry & { label: string | null; owner: string | null; policy: EntryPolicy | null } {
  const tpl: Record<string, unknown> = { gpu_num: o.gpuNum ?? 1, gpu_name_set: ['A'] };
  if (o.price !== undefined) tpl.price_to = o.price;
  return {
    id,
    priority: 0,
    created_at: T0 - (o.age ?? 0),
    body: body({ deployment_type: 'Job', replica_num: 1, parallelism_num: 1 }, tpl),
    label: o.label ?? null,
    owner: o.owner ?? null,
    policy: o.policy ?? null,
  };
}
const stock = (idle: number) => ({ A: { idle, total: 100 } });
function ctx(over: Omit<Partial<PolicyContext>, 'states'> & { states?: Record<string, PolicyState> } = {}): PolicyContext {
  return {
    states: new Map(Object.entries(over.states ?? {})),
    spent: over.spent ?? { byEntry: new Map(), byLabel: new Map(), total: 0 },
    budgets: over.budgets,
  };
}
const pol = (c: PolicyContext, shares?: PlanPolicies['shares']): PlanPolicies => ({ context: c, shares });
const reasonOf = (p: ReturnType<typeof plan>, id: string) => {
  const d = p.decisions.find((x) => x.id === id);
  return d?.action === 'create' ? 'create' : d?.reason;
};

test('after: an eval waits while its train is pending or running, starts once it finished', () => {
  const ev = e('eval', { policy: { after: ['train'] } });
  for (const s of ['pending', 'submitting', 'submitted', 'running'] as const) {
    const p = plan(stock(8), [ev], {}, T0, [], pol(ctx({ states: { train: s } })));
    assert.equal(reasonOf(p, 'eval'), 'after', s);
    assert.deepEqual(p.creates, []);
  }
  const p = plan(stock(8), [ev], {}, T0, [], pol(ctx({ states: { train: 'finished' } })));
  assert.deepEqual(p.creates.map((c) => c.id), ['eval']);
});

test('after: a failed, cancelled or missing dependency fails the dependant with the reason; after_any runs it once ended', () => {
  const ev = e('eval', { policy: { after: ['t1', 't2'] } });
  let p = plan(stock(8), [ev], {}, T0, [], pol(ctx({ states: { t1: 'finished', t2: 'failed' } })));
  assert.deepEqual(p.fails.map((f) => [f.id, f.reason, f.detail]), [['eval', 'dependency_failed', 't2 failed']]);
  p = plan(stock(8), [ev], {}, T0, [], pol(ctx({ states: { t1: 'cancelled', t2: 'finished' } })));
  assert.equal(p.fails[0]?.reason, 'dependency_failed');
  p = plan(stock(8), [ev], {}, T0, [], pol(ctx({ states: { t1: 'finished' } })));
  assert.equal(p.fails[0]?.reason, 'dependency_missing');
  const any = e('eval', { policy: { after: ['t1', 't2'], afterAny: true } });
  p = plan(stock(8), [any], {}, T0, [], pol(ctx({ states: { t1: 'failed', t2: 'running' } })));
  assert.equal(reasonOf(p, 'eval'), 'after');
  p = plan(stock(8), [any], {}, T0, [], pol(ctx({ states: { t1: 'failed', t2: 'cancelled' } })));
  assert.deepEqual(p.creates.map((c) => c.id), ['eval']);
});

test('budget: a sweep stops being admitted when its label budget is spent; others go on', () => {
  const sweep = [1, 2, 3].map((i) => e(`s${i}`, { label: 'lr', price: 2000, policy: { maxRuntimeMs: HOUR } }));
  const other = e('x', { label: 'other', price: 2000, policy: { maxRuntimeMs: HOUR } });
  const budgets = { byLabel: new Map([['lr', 5]]) };
  // ¥2/h × 1 h each: two fit in ¥5, the third would need ¥2 of the ¥1 left
  let p = plan(stock(8), [...sweep, other], {}, T0, [], pol(ctx({ budgets })));
  assert.deepEqual(p.creates.map((c) => c.id), ['s1', 's2', 'x']);
  assert.equal(reasonOf(p, 's3'), 'budget');
  // spent already: ¥5 of ¥5 → none of the sweep
  p = plan(stock(8), sweep, {}, T0, [], pol(ctx({ budgets, spent: { byEntry: new Map(), byLabel: new Map([['lr', 5]]), total: 5 } })));
  assert.deepEqual(p.creates, []);
  assert.deepEqual(p.decisions.map((d) => d.action === 'wait' && d.reason), ['budget', 'budget', 'budget']);
});

test('budget: the queue budget; an entry with no time limit is admitted only while money is left', () => {
  const open = e('open', { price: 3000 });
  let p = plan(stock(8), [open], {}, T0, [], pol(ctx({ budgets: { queue: 10 }, spent: { byEntry: new Map(), byLabel: new Map(), total: 9.5 } })));
  assert.deepEqual(p.creates.map((c) => c.id), ['open']);
  p = plan(stock(8), [open], {}, T0, [], pol(ctx({ budgets: { queue: 10 }, spent: { byEntry: new Map(), byLabel: new Map(), total: 10 } })));
  assert.equal(reasonOf(p, 'open'), 'budget');
});

test('shares: two owners with weights 1:1 split --max-gpus; alone, one owner may take it all', () => {
  const alice = [1, 2, 3, 4, 5, 6].map((i) => e(`a${i}`, { owner: 'alice', age: 100 - i }));
  const bob = [1, 2, 3].map((i) => e(`b${i}`, { owner: 'bob', age: 50 - i }));
  let p = plan(stock(8), [...alice, ...bob], { maxGpus: 6 }, T0, [], pol(ctx(), {}));
  const by = (o: string) => p.creates.filter((c) => c.id.startsWith(o)).length;
  assert.equal(by('a'), 3);
  assert.equal(by('b'), 3);
  assert.equal(reasonOf(p, 'a4'), 'share');
  // without shares the older entries (alice's) take every card
  p = plan(stock(8), [...alice, ...bob], { maxGpus: 6 }, T0, []);
  assert.equal(p.creates.filter((c) => c.id.startsWith('a')).length, 6);
  // alone
  p = plan(stock(8), alice, { maxGpus: 6 }, T0, [], pol(ctx(), {}));
  assert.equal(p.creates.length, 6);
  // weights 2:1 and a per-owner cap
  assert.deepEqual(Object.fromEntries(shareLimits(['alice', 'bob'], { maxGpus: 9 }, { weights: new Map([['alice', 2]]) })), {
    alice: { maxGpus: 6, maxRunning: Infinity },
    bob: { maxGpus: 3, maxRunning: Infinity },
  });
  p = plan(stock(8), alice, {}, T0, [], pol(ctx(), { perOwnerMaxGpus: 2 }));
  assert.equal(p.creates.length, 2);
});

test('shares count what an owner already has alive', () => {
  const alive = [e('a0', { owner: 'alice' }), e('a00', { owner: 'alice' })];
  const p = plan(stock(8), [e('a1', { owner: 'alice' }), e('b1', { owner: 'bob' })], { maxRunning: 4 }, T0, alive, pol(ctx(), {}));
  assert.deepEqual(p.creates.map((c) => c.id), ['b1']);
  assert.equal(reasonOf(p, 'a1'), 'share');
});

test('without policies (or with empty ones and no entry policy) the plan is the same as before', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ g: fc.integer({ min: 1, max: 4 }), age: fc.nat(100) }), { maxLength: 20 }), fc.nat(20), fc.option(fc.nat(12), { nil: undefined }), (specs, idle, maxGpus) => {
      const es = specs.map((s, i) => e(`e${i}`, { gpuNum: s.g, age: s.age * MIN }));
      const a = plan(stock(idle), es, { maxGpus }, T0);
      const b = plan(stock(idle), es, { maxGpus }, T0, [], pol(ctx()));
      assert.deepEqual(b.creates, a.creates);
      assert.deepEqual(b.decisions, a.decisions);
    }),
  );
});

test('enforce: a Job over its time limit is stopped at that minute, not before; with a grace it is warned then and stopped at its end', () => {
  const a = { ...e('j', { policy: { maxRuntimeMs: 4 * HOUR, graceMs: 5 * MIN } }), submitted_at: T0, pricePerHour: 2 };
  assert.deepEqual(enforce([a], T0 + 4 * HOUR - MIN, ctx()), []);
  assert.deepEqual(enforce([a], T0 + 4 * HOUR, ctx()), [{ id: 'j', action: 'warn', reason: 'max_runtime', detail: 'ran 4h of 4h: stops in 5m', forceAt: T0 + 4 * HOUR + 5 * MIN }]);
  assert.deepEqual(enforce([a], T0 + 4 * HOUR + 5 * MIN, ctx()), [{ id: 'j', action: 'stop', reason: 'max_runtime', detail: 'ran 4h5m of 4h' }]);
  const noGrace = { ...a, policy: { maxRuntimeMs: 4 * HOUR } };
  assert.deepEqual(enforce([noGrace], T0 + 4 * HOUR, ctx()), [{ id: 'j', action: 'stop', reason: 'max_runtime', detail: 'ran 4h of 4h' }]);
});

test('enforce: a cost cap stops (or only warns) once the money spent reaches it; a spent budget stops its label', () => {
  const cap = { ...e('c', { policy: { maxCost: 10 } }), submitted_at: T0, pricePerHour: 2 };
  const warn = { ...e('w', { policy: { maxCost: 10, onCap: 'warn' } }), submitted_at: T0, pricePerHour: 2 };
  const sweep = { ...e('s', { label: 'lr' }), submitted_at: T0, pricePerHour: 2 };
  const spent = (m: Record<string, number>, lr = 0) => ({ byEntry: new Map(Object.entries(m)), byLabel: new Map([['lr', lr]]), total: 0 });
  assert.deepEqual(enforce([cap, warn], T0, ctx({ spent: spent({ c: 9.99, w: 9.99 }) })), []);
  assert.deepEqual(
    enforce([cap, warn], T0, ctx({ spent: spent({ c: 10, w: 12 }) })).map((a) => [a.id, a.action, a.reason]),
    [['c', 'stop', 'max_cost'], ['w', 'warn', 'max_cost']],
  );
  assert.deepEqual(enforce([sweep], T0, ctx({ budgets: { byLabel: new Map([['lr', 6]]) }, spent: spent({}, 5) })), []);
  assert.equal(enforce([sweep], T0, ctx({ budgets: { byLabel: new Map([['lr', 6]]) }, spent: spent({}, 6) }))[0]?.reason, 'budget');
});

test('dependency cycles are found (and a long chain does not overflow); a DAG has none', () => {
  assert.deepEqual(dependencyCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), ['a', 'b', 'c', 'a']);
  assert.deepEqual(dependencyCycle(new Map([['a', ['a']]])), ['a', 'a']);
  assert.equal(dependencyCycle(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), undefined);
  const chain = new Map<string, string[]>();
  for (let i = 0; i < 100_000; i++) chain.set(`n${i}`, [`n${i + 1}`]);
  assert.equal(dependencyCycle(chain), undefined);
  chain.set('n100000', ['n0']);
  assert.equal(dependencyCycle(chain)?.length, 100_002);
});

test('durations in reasons read as people write them', () => {
  assert.equal(fmtDuration(4 * HOUR), '4h');
  assert.equal(fmtDuration(90 * MIN + 5000), '1h30m5s');
  assert.equal(fmtDuration(0), '0s');
  assert.equal(fmtDuration(2 * 24 * HOUR), '2d');
});
