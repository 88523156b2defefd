import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.js';
import { MemoryStore, runWorker, openSqliteStore, followedState } from '../../src/queue/index.js';
import type { QueueEvent } from '../../src/queue/index.js';
import type { Deployment } from '../../src/api/types.js';
import { FakeApi, body, manualClock } from './fake-api.js';

const stock = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { idle: v, total: 100 }]));

test('drains by priority within the stock, one stock call per tick', async () => {
  const api = new FakeApi(stock({ 'RTX 4090': 2 }));
  const clock = manualClock();
  const store = new MemoryStore();
  const low = await store.add([{ body: body({ name: 'low' }) }], clock.now());
  clock.advance(1);
  const high = await store.add([{ body: body({ name: 'high' }), priority: 5 }, { body: body({ name: 'mid' }), priority: 1 }], clock.now());
  const s = await runWorker({ store, api, workerId: 'w', intervalMs: 1000, once: true, now: clock.now, sleep: clock.sleep, follow: false });
  assert.equal(s.created, 2);
  assert.equal(api.stockCalls, 1);
  assert.deepEqual(api.createCalls.map((b) => b.name.replace(/-q.*$/, '')), ['high', 'mid']);
  assert.equal((await store.get(low[0]!.id))!.state, 'pending');
  assert.equal((await store.get(high[0]!.id))!.state, 'submitted');
  api.stockNow['RTX 4090']!.idle = 1;
  const s2 = await runWorker({ store, api, workerId: 'w', intervalMs: 1000, drain: true, now: clock.now, sleep: clock.sleep, follow: false });
  assert.equal(s2.stopped, 'drained');
  assert.equal((await store.get(low[0]!.id))!.state, 'submitted');
  assert.equal(api.created.length, 3);
});

test('crash recovery: own submitting entries are reconciled before any create', async () => {
  const api = new FakeApi(stock({ 'RTX 4090': 8 }));
  const clock = manualClock();
  const store = new MemoryStore();
  const [a, b] = await store.add([{ body: body({ name: 'a' }) }, { body: body({ name: 'b' }) }], clock.now());
  // previous incarnation of w1 claimed both; a's create reached the platform, b's did not
  await store.claim([a!.id, b!.id], 'w1', clock.now() + 600_000, clock.now());
  api.commit({ ...a!.body, name: a!.deployment_name });
  const events: QueueEvent[] = [];
  await runWorker({ store, api, workerId: 'w1', intervalMs: 1000, drain: true, now: clock.now, sleep: clock.sleep, follow: false, onEvent: (e) => events.push(e) });
  assert.equal(api.countByPrefix(a!.deployment_name), 1, 'a not created again');
  assert.equal(api.countByPrefix(b!.deployment_name), 1, 'b created once');
  const ea = (await store.get(a!.id))!;
  assert.equal(ea.state, 'submitted');
  assert.equal(ea.deployment_uuid, api.created[0]!.uuid);
  assert.ok(events.some((e) => e.type === 'found' && e.id === a!.id));
  // b was looked up (not found) and requeued, so its second claim counts attempt 2
  assert.equal((await store.get(b!.id))!.attempts, 2);
});

test('a foreign live lease is left alone; an expired one is taken over', async () => {
  const api = new FakeApi(stock({ 'RTX 4090': 8 }));
  const clock = manualClock();
  const store = new MemoryStore();
  const [a] = await store.add([{ body: body({ name: 'a' }) }], clock.now());
  await store.claim([a!.id], 'other', clock.now() + 60_000, clock.now());
  await runWorker({ store, api, workerId: 'me', intervalMs: 1000, once: true, now: clock.now, sleep: clock.sleep, follow: false });
  assert.equal((await store.get(a!.id))!.state, 'submitting');
  assert.equal(api.createCalls.length, 0);
  clock.advance(60_001);
  await runWorker({ store, api, workerId: 'me', intervalMs: 1000, drain: true, now: clock.now, sleep: clock.sleep, follow: false });
  assert.equal((await store.get(a!.id))!.state, 'submitted');
  assert.equal(api.created.length, 1);
});

test('a failed lookup keeps the entry in submitting; nothing is created until it resolves', async () => {
  const api = new FakeApi(stock({ 'RTX 4090': 8 }));
  const clock = manualClock();
  const store = new MemoryStore();
  const [a] = await store.add([{ body: body({ name: 'a' }) }], clock.now());
  api.script = ['lost_reply'];
  api.failList = true;
  await runWorker({ store, api, workerId: 'w', intervalMs: 1000, maxTicks: 3, now: clock.now, sleep: clock.sleep, follow: false });
  assert.equal((await store.get(a!.id))!.state, 'submitting');
  assert.equal(api.createCalls.length, 1);
  api.failList = false;
  await runWorker({ store, api, workerId: 'w', intervalMs: 1000, drain: true, now: clock.now, sleep: clock.sleep, follow: false });
  assert.equal((await store.get(a!.id))!.state, 'submitted');
  assert.equal(api.created.length, 1);
  assert.equal(api.createCalls.length, 1);
});

test('3 refused creates in a row → failed with submission_error details; others proceed', async () => {
  const api = new FakeApi(stock({ 'RTX 4090': 8 }));
  const clock = manualClock();
  const store = await openSqliteStore({ path: ':memory:' });
  const [bad, good] = await store.add([{ body: body({ name: 'bad' }), priority: 1 }, { body: body({ name: 'good' }) }], clock.now());
  api.defaultCreate = (b) => {
    if (b.name.startsWith('bad')) throw new ApiError('refused', { kind: 'envelope', method: 'POST', path: '/api/v1/dev/deployment', code: 'BadRequest', msg: '请求参数错误' });
  };
  await runWorker({ store, api, workerId: 'w', intervalMs: 1000, drain: true, now: clock.now, sleep: clock.sleep, follow: false });
  const e = (await store.get(bad!.id))!;
  assert.equal(e.state, 'failed');
  assert.equal(e.consecutive_failures, 3);
  assert.equal(e.attempts, 3);
  assert.ok(e.error_details && typeof e.error_details.suggestion === 'string');
  assert.deepEqual(e.error_details.api_response, { kind: 'envelope', code: 'BadRequest', msg: '请求参数错误' });
  assert.equal((await store.get(good!.id))!.state, 'submitted');
  assert.equal(api.createCalls.filter((b) => b.name.startsWith('bad')).length, 3);
  await store.close();
});

test('follows deployments: running then finished frees maxRunning', async () => {
  const api = new FakeApi(stock({ 'RTX 4090': 8 }));
  const clock = manualClock();
  const store = new MemoryStore();
  await store.add([{ body: body({ name: 'a' }) }, { body: body({ name: 'b' }) }], clock.now());
  const opts = { store, api, workerId: 'w', intervalMs: 1000, once: true, now: clock.now, sleep: clock.sleep, limits: { maxRunning: 1 } } as const;
  await runWorker(opts);
  assert.equal(api.created.length, 1);
  await runWorker(opts);
  assert.equal(api.created.length, 1, 'limit holds while alive');
  api.created[0]!.running_num = 1;
  await runWorker(opts);
  assert.equal((await store.list({ states: ['running'] })).length, 1);
  assert.equal(api.created.length, 1);
  api.created[0]!.running_num = 0;
  api.created[0]!.finished_num = 1;
  await runWorker(opts);
  assert.equal((await store.list({ states: ['finished'] })).length, 1);
  assert.equal(api.created.length, 2, 'next one created once the first finished');
});

test('followedState reads completion from the counts', () => {
  const d = (o: Partial<Deployment>): Deployment => ({
    uuid: 'u', name: 'n', deployment_type: 'Job', status: 'running', replica_num: 4, parallelism_num: 2, reuse_container: false,
    starting_num: 0, running_num: 0, finished_num: 0, failed_num: 0, price_estimates: 0, image_uuid: 'i', template: {}, created_at: '', stopped_at: null, ...o,
  });
  assert.equal(followedState(d({ finished_num: 4 }), 'running')?.to, 'finished');
  assert.equal(followedState(d({ finished_num: 3 }), 'running'), undefined);
  assert.equal(followedState(d({ finished_num: 3, failed_num: 1 }), 'running')?.to, 'failed');
  assert.equal(followedState(d({ running_num: 2 }), 'submitted')?.to, 'running');
  assert.equal(followedState(d({ deployment_type: 'ReplicaSet', finished_num: 9, running_num: 2 }), 'running'), undefined);
  assert.equal(followedState(d({ deployment_type: 'ReplicaSet', status: 'stopped' }), 'running')?.to, 'finished');
});

test('abort: the worker stops and creates nothing after the signal', async () => {
  const api = new FakeApi(stock({ 'RTX 4090': 0 }));
  const clock = manualClock();
  const store = new MemoryStore();
  await store.add([{ body: body() }], clock.now());
  const ac = new AbortController();
  let n = 0;
  const s = await runWorker({
    store, api, workerId: 'w', intervalMs: 1000, signal: ac.signal, now: clock.now, follow: false,
    sleep: async (ms) => {
      clock.advance(ms);
      if (++n === 3) {
        api.stockNow['RTX 4090']!.idle = 4;
        ac.abort();
      }
    },
  });
  assert.equal(s.stopped, 'aborted');
  assert.equal(s.ticks, 3);
  assert.equal(api.createCalls.length, 0);
});

test('a create applied late (after the client timed out) is found after the settle window, not created twice', async () => {
  const api = new FakeApi(stock({ 'RTX 4090': 8 }));
  const clock = manualClock();
  const store = new MemoryStore();
  const [a] = await store.add([{ body: body({ name: 'late' }) }], clock.now());
  // the server takes the request but applies it 20 s later; the client times out first
  let applyAt: number | undefined;
  let pending: Parameters<FakeApi['commit']>[0] | undefined;
  api.script = [
    (b) => {
      pending = b;
      applyAt = clock.now() + 20_000;
      throw new ApiError('no reply within 30000 ms', { kind: 'timeout', method: 'POST', path: '/api/v1/dev/deployment', mayHaveApplied: true });
    },
  ];
  const realList = api.deployments.listAll;
  api.deployments.listAll = (filter) => {
    if (pending && applyAt !== undefined && clock.now() >= applyAt) {
      api.commit(pending);
      pending = undefined;
    }
    return realList(filter);
  };
  const events: QueueEvent[] = [];
  await runWorker({ store, api, workerId: 'w', intervalMs: 1000, drain: true, now: clock.now, sleep: clock.sleep, follow: false, settleMs: 60_000, onEvent: (e) => events.push(e) });
  const e = (await store.get(a!.id))!;
  assert.equal(e.state, 'submitted');
  assert.equal(api.createCalls.length, 1, 'no second create');
  assert.equal(api.created.length, 1);
  assert.ok(events.some((x) => x.type === 'unresolved' && /settling/.test(x.error)));
  assert.ok(events.some((x) => x.type === 'found'));

  // without the settle window the same story creates twice: the window is what prevents it
  const api2 = new FakeApi(stock({ 'RTX 4090': 8 }));
  const store2 = new MemoryStore();
  await store2.add([{ body: body({ name: 'late' }) }], clock.now());
  let pending2: Parameters<FakeApi['commit']>[0] | undefined;
  let applyAt2 = 0;
  api2.script = [
    (b) => {
      pending2 = b;
      applyAt2 = clock.now() + 20_000;
      throw new ApiError('no reply', { kind: 'timeout', method: 'POST', path: '/api/v1/dev/deployment', mayHaveApplied: true });
    },
  ];
  const realList2 = api2.deployments.listAll;
  api2.deployments.listAll = (filter) => {
    if (pending2 && clock.now() >= applyAt2) {
      api2.commit(pending2);
      pending2 = undefined;
    }
    return realList2(filter);
  };
  await runWorker({ store: store2, api: api2, workerId: 'w', intervalMs: 1000, maxTicks: 40, now: clock.now, sleep: clock.sleep, follow: false, settleMs: 0 });
  clock.advance(30_000);
  for await (const _ of api2.deployments.listAll({})) void _; // the platform applies the late request
  assert.equal(api2.createCalls.length, 2);
  assert.equal(api2.created.length, 2, 'the late create lands next to the second one');
});

test('accounts (issue 11): a worker never finishes an alive entry of another account or of none that its list does not show; one of none that it lists is adopted', async () => {
  const api = new FakeApi(stock({ 'RTX 4090': 8 }));
  const clock = manualClock();
  const store = new MemoryStore();
  const [theirs, legacyGone, legacyMine] = await store.add([{ body: body({ name: 'theirs' }), account: 'acct-b' }, { body: body({ name: 'gone' }) }, { body: body({ name: 'mine' }) }], clock.now());
  // all three submitted earlier; only legacyMine's deployment is in this token's list
  for (const [e, uuid] of [[theirs!, 'dep-b'], [legacyGone!, 'dep-x']] as const) {
    await store.claim([e.id], 'old', clock.now() + 1000, clock.now());
    await store.transition(e.id, 'submitted', { from: 'submitting', now: clock.now(), set: { deployment_uuid: uuid, submitted_at: clock.now() } });
  }
  await store.claim([legacyMine!.id], 'old', clock.now() + 1000, clock.now());
  const d = api.commit({ ...legacyMine!.body, name: legacyMine!.deployment_name });
  await store.transition(legacyMine!.id, 'submitted', { from: 'submitting', now: clock.now(), set: { deployment_uuid: d.uuid, submitted_at: clock.now() } });
  clock.advance(10 * 60_000); // far past the "no longer listed" grace
  await runWorker({ store, api, workerId: 'wa', account: 'acct-a', intervalMs: 1000, once: true, now: clock.now, sleep: clock.sleep });
  assert.equal((await store.get(theirs!.id))!.state, 'submitted', "another account's entry: not followed");
  assert.equal((await store.get(legacyGone!.id))!.state, 'submitted', 'an entry of no account this token cannot see: never finished');
  assert.equal((await store.get(legacyGone!.id))!.account, null);
  assert.equal((await store.get(legacyMine!.id))!.account, 'acct-a', 'listed by this token: adopted');
  // without an account (a queue of one account), the rule of a queue of one account: not
  // listed for the grace (counted from the first miss, issue 11) and not found by uuid → finished
  await runWorker({ store, api, workerId: 'w', intervalMs: 1000, once: true, now: clock.now, sleep: clock.sleep });
  assert.equal((await store.get(legacyGone!.id))!.state, 'submitted', 'first miss: recorded, still alive');
  assert.notEqual((await store.get(legacyGone!.id))!.missing_since, null);
  clock.advance(61_000);
  await runWorker({ store, api, workerId: 'w', intervalMs: 1000, once: true, now: clock.now, sleep: clock.sleep });
  assert.equal((await store.get(legacyGone!.id))!.state, 'finished');
});
