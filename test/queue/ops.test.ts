import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AutodlError } from '../../src/errors.js';
import { MemoryStore, cancelEntry, previewPlan, retryEntry, setPriority } from '../../src/queue/index.js';
import { FakeApi, body } from './fake-api.js';

const T = 1_700_000_000_000;
const isType = (t: string) => (e: unknown) => e instanceof AutodlError && e.errorType === t;

test('previewPlan: one stock call, no create, decisions per pending entry', async () => {
  const api = new FakeApi({ 'RTX 4090': { idle: 1, total: 8 } });
  const store = new MemoryStore();
  await store.add([{ body: body({ name: 'a' }), priority: 1 }, { body: body({ name: 'b' }) }], T);
  const p = await previewPlan({ store, api, now: T });
  assert.equal(api.stockCalls, 1);
  assert.equal(api.createCalls.length, 0);
  assert.deepEqual(p.decisions.map((d) => d.action), ['create', 'wait']);
});

test('cancel, retry, priority: allowed states only', async () => {
  const store = new MemoryStore();
  const [a, b] = await store.add([{ body: body() }, { body: body() }], T);
  assert.equal((await cancelEntry(store, a!.id, T)).state, 'cancelled');
  assert.equal((await cancelEntry(store, a!.id, T)).state, 'cancelled', 'idempotent');
  await assert.rejects(cancelEntry(store, 'q-00000000', T), isType('not_found'));
  assert.equal((await retryEntry(store, a!.id, T)).state, 'pending');
  await assert.rejects(retryEntry(store, b!.id, T), isType('validation_error'));
  assert.equal((await setPriority(store, b!.id, 7, T)).priority, 7);
  await store.claim([b!.id], 'w', T + 1, T);
  await assert.rejects(setPriority(store, b!.id, 1, T), isType('validation_error'));
  await assert.rejects(cancelEntry(store, b!.id, T), isType('validation_error'));
});

test('retry by hand after a deployment: the next run gets a fresh mark (the old deployment is never taken for it); an entry resubmitted by its retry policy is not taken for an adopted one', async () => {
  const store = new MemoryStore();
  const [a, c] = await store.add([{ body: body({ name: 'job' }) }, { body: body({ name: 'never' }) }], T);
  const first = a!.deployment_name;
  await store.claim([a!.id], 'w', T + 60_000, T);
  await store.transition(a!.id, 'submitted', { from: 'submitting', owner: 'w', now: T, set: { deployment_uuid: 'dep-1', submitted_at: T } });
  await store.transition(a!.id, 'failed', { from: 'submitted', now: T + 1, set: { finished_at: T + 1 } });
  const again = await retryEntry(store, a!.id, T + 2);
  assert.equal(again.state, 'pending');
  assert.equal(again.deployment_uuid, null, 'the old deployment is not this run’s');
  assert.notEqual(again.deployment_name, first, 'a fresh mark for the next create');
  assert.equal(again.deployment_name, `${first}-r1`);
  assert.equal(again.retries, 1);
  // and once more: the run's own mark is recognised (not refused as adopted), the next one fresh again
  await store.claim([a!.id], 'w', T + 60_000, T + 3);
  await store.transition(a!.id, 'submitted', { from: 'submitting', owner: 'w', now: T + 3, set: { deployment_uuid: 'dep-2', submitted_at: T + 3 } });
  await store.transition(a!.id, 'failed', { from: 'submitted', now: T + 4, set: { finished_at: T + 4 } });
  assert.equal((await retryEntry(store, a!.id, T + 5)).deployment_name, `${first}-r2`);
  // cancelled before any create: nothing was sent, the name stays
  await cancelEntry(store, c!.id, T);
  const c2 = await retryEntry(store, c!.id, T + 6);
  assert.equal(c2.deployment_name, c!.deployment_name);
  assert.equal(c2.retries, 0);
});
