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
