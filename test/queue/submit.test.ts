import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, AutodlError } from '../../src/errors.js';
import { MemoryStore, submitAndWait, SUBMISSION_SUGGESTION } from '../../src/queue/index.js';
import type { SubmitProgress, SubmitOptions } from '../../src/queue/index.js';
import { FakeApi, body, manualClock } from './fake-api.js';

function setup(idle: Record<string, number>, images?: string[]) {
  const api = new FakeApi(Object.fromEntries(Object.entries(idle).map(([k, v]) => [k, { idle: v, total: 8 }])), images);
  const clock = manualClock();
  const progress: SubmitProgress[] = [];
  const opts = (over: Partial<SubmitOptions> = {}): SubmitOptions => ({
    api,
    body: body({ name: 'train' }),
    intervalMs: 30_000,
    timeoutSec: 0,
    now: clock.now,
    sleep: clock.sleep,
    onProgress: (p) => progress.push(p),
    ...over,
  });
  return { api, clock, progress, opts };
}

async function rejectsWith(p: Promise<unknown>, type: string): Promise<AutodlError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AutodlError, `expected AutodlError, got ${String(e)}`);
    assert.equal(e.errorType, type, e.message);
    return e;
  }
  assert.fail(`expected ${type}`);
}

test('free GPU: creates once under the marked name and reports success', async () => {
  const { api, opts } = setup({ 'RTX 4090': 2 });
  const r = await submitAndWait(opts());
  assert.equal(r.status, 'success');
  assert.equal(r.waited_seconds, 0);
  assert.equal(api.createCalls.length, 1);
  assert.match(api.createCalls[0]!.name, /^train-q[0-9a-z]{8}$/);
  assert.equal(r.deployment_uuid, api.created[0]!.uuid);
  assert.equal(r.deployment_name, api.createCalls[0]!.name);
});

test('waits for stock, reports each poll, then creates', async () => {
  const { api, clock, progress, opts } = setup({ 'RTX 4090': 0, 'RTX 3090': 0 });
  let sleeps = 0;
  const r = await submitAndWait(
    opts({
      body: body({ name: 'w' }, { gpu_name_set: ['RTX 4090', 'RTX 3090'] }),
      sleep: async (ms) => {
        clock.advance(ms);
        if (++sleeps === 4) api.stockNow['RTX 3090']!.idle = 1;
      },
    }),
  );
  assert.equal(r.waited_seconds, 120);
  assert.equal(api.createCalls.length, 1);
  const waits = progress.filter((p): p is Extract<SubmitProgress, { type: 'waiting' }> => p.type === 'waiting');
  assert.deepEqual(waits.map((w) => w.attempt), [1, 2, 3, 4]);
  assert.deepEqual(waits.map((w) => w.elapsed_s), [0, 30, 60, 90]);
  assert.deepEqual(waits[0]!.idle, { 'RTX 4090': 0, 'RTX 3090': 0 });
  assert.equal(waits[0]!.next_check_s, 30);
  assert.equal(api.stockCalls, 5);
});

test('image_not_found: requested and available_images; nothing created', async () => {
  const { api, opts } = setup({ 'RTX 4090': 2 }, ['img-a', 'img-b']);
  const e = await rejectsWith(submitAndWait(opts({ body: body({}, { image_uuid: 'img-zzz' }) })), 'image_not_found');
  assert.equal(e.details.requested, 'img-zzz');
  assert.deepEqual((e.details.available_images as Array<{ image_uuid: string }>).map((i) => i.image_uuid), ['img-a', 'img-b']);
  assert.equal(e.exitCode, 1);
  assert.equal(api.createCalls.length, 0);
});

test('gpu_type_not_found when none exists; a warning when only some are missing', async () => {
  const { api, progress, opts } = setup({ 'RTX 4090': 2, A100: 1 });
  const e = await rejectsWith(submitAndWait(opts({ body: body({}, { gpu_name_set: ['H100', 'V100'] }) })), 'gpu_type_not_found');
  assert.deepEqual(e.details.requested, ['H100', 'V100']);
  assert.deepEqual(e.details.available_gpus, ['RTX 4090', 'A100']);
  assert.equal(api.createCalls.length, 0);
  const r = await submitAndWait(opts({ body: body({}, { gpu_name_set: ['H100', 'A100'] }) }));
  assert.equal(r.status, 'success');
  const w = progress.find((p) => p.type === 'warning');
  assert.ok(w && w.type === 'warning');
  assert.deepEqual(w.missing, ['H100']);
});

test('timeout: elapsed_seconds, timeout_seconds, last_stock; the last wait is clipped; nothing created', async () => {
  const { api, progress, opts } = setup({ 'RTX 4090': 0, A100: 3 });
  const e = await rejectsWith(submitAndWait(opts({ timeoutSec: 100 })), 'timeout');
  assert.equal(e.exitCode, 2);
  assert.equal(e.details.timeout_seconds, 100);
  assert.equal(e.details.elapsed_seconds, 100);
  assert.deepEqual(e.details.last_stock, { 'RTX 4090': { idle: 0, total: 8 } });
  const waits = progress.filter((p) => p.type === 'waiting');
  assert.deepEqual(waits.map((w) => (w.type === 'waiting' ? w.next_check_s : -1)), [30, 30, 30, 10]);
  assert.equal(api.createCalls.length, 0);
});

test('submission_error after 3 consecutive refused creates while GPUs are free', async () => {
  const { api, opts } = setup({ 'RTX 4090': 4 });
  api.defaultCreate = 'reject';
  const store = new MemoryStore();
  const e = await rejectsWith(submitAndWait(opts({ store })), 'submission_error');
  assert.equal(api.createCalls.length, 3);
  assert.deepEqual(e.details.api_response, { kind: 'envelope', code: 'BadRequest', msg: '暂无库存' });
  assert.equal(e.details.suggestion, SUBMISSION_SUGGESTION);
  assert.match(String(e.details.suggestion), /price.*cpu.*memory.*CUDA/s);
  assert.equal(e.exitCode, 3);
  const [entry] = await store.list();
  assert.equal(entry!.state, 'failed');
  assert.equal(entry!.consecutive_failures, 3);
});

test('two refusals then a success: success (the count resets), one deployment', async () => {
  const { api, opts } = setup({ 'RTX 4090': 4 });
  api.script = ['reject', 'reject', 'ok'];
  const r = await submitAndWait(opts());
  assert.equal(r.status, 'success');
  assert.equal(api.created.length, 1);
  assert.equal(api.createCalls.length, 3);
  assert.equal(r.waited_seconds, 60);
});

test('transient failures (429, connection refused) are retried and not counted', async () => {
  const { api, opts } = setup({ 'RTX 4090': 4 });
  api.script = ['rate_limited', 'refused', 'rate_limited', 'network_not_applied', 'ok'];
  const r = await submitAndWait(opts());
  assert.equal(r.status, 'success');
  assert.equal(api.created.length, 1);
});

test('lost reply: the deployment is found by its mark, never created twice', async () => {
  const { api, opts } = setup({ 'RTX 4090': 4 });
  api.script = ['lost_reply'];
  // another deployment whose name contains the mark as a substring must not be mistaken for ours
  const store = new MemoryStore();
  const r = await submitAndWait(opts({ store }));
  assert.equal(api.createCalls.length, 1);
  assert.equal(api.created.length, 1);
  assert.equal(r.deployment_uuid, api.created[0]!.uuid);
  const [entry] = await store.list();
  assert.equal(entry!.state, 'submitted');
  assert.equal(entry!.deployment_uuid, r.deployment_uuid);
});

test('lost reply and no deployment: back to pending, created on a later poll', async () => {
  const { api, opts } = setup({ 'RTX 4090': 4 });
  api.script = [
    () => {
      throw new ApiError('socket hang up', { kind: 'network', method: 'POST', path: '/api/v1/dev/deployment', mayHaveApplied: true });
    },
  ];
  const store = new MemoryStore();
  const r = await submitAndWait(opts({ store }));
  assert.equal(r.status, 'success');
  assert.equal(api.createCalls.length, 2);
  assert.equal(api.created.length, 1);
  const [entry] = await store.list();
  assert.equal(entry!.attempts, 2);
  assert.equal(entry!.consecutive_failures, 0);
  assert.ok((await store.history(entry!.id)).some((h) => h.from_state === 'submitting' && h.to_state === 'pending'));
});

test('a lookup match must be exact: a name that merely contains the mark is not ours', async () => {
  const { api, opts } = setup({ 'RTX 4090': 4 });
  let other = '';
  api.script = [
    (b) => {
      // someone else's deployment whose name contains our mark (the fake filters by substring)
      other = api.commit({ ...b, name: `${b.name}-copy` }).uuid;
      throw new ApiError('timeout', { kind: 'timeout', method: 'POST', path: '/api/v1/dev/deployment', mayHaveApplied: true });
    },
  ];
  const r = await submitAndWait(opts());
  assert.equal(r.status, 'success');
  assert.notEqual(r.deployment_uuid, other);
  assert.equal(api.createCalls.length, 2);
});

test('abort while waiting: interrupted, nothing created, entry cancelled', async () => {
  const { api, clock, opts } = setup({ 'RTX 4090': 0 });
  const ac = new AbortController();
  const store = new MemoryStore();
  let n = 0;
  const e = await rejectsWith(
    submitAndWait(
      opts({
        store,
        signal: ac.signal,
        sleep: async (ms) => {
          clock.advance(ms);
          if (++n === 2) {
            api.stockNow['RTX 4090']!.idle = 8; // GPUs appear right when the user hits Ctrl-C
            ac.abort();
          }
        },
      }),
    ),
    'interrupted',
  );
  assert.equal(e.exitCode, 130);
  assert.equal(api.createCalls.length, 0);
  assert.equal((await store.list())[0]!.state, 'cancelled');
});

test('abort right before the create: no create is sent', async () => {
  const { api, opts } = setup({ 'RTX 4090': 2 });
  const ac = new AbortController();
  await rejectsWith(
    submitAndWait(
      opts({
        signal: ac.signal,
        onProgress: (p) => {
          if (p.type === 'creating') ac.abort();
        },
      }),
    ),
    'interrupted',
  );
  assert.equal(api.createCalls.length, 0);
});

test('already aborted: interrupted before any API call', async () => {
  const { api, opts } = setup({ 'RTX 4090': 2 });
  const ac = new AbortController();
  ac.abort();
  await rejectsWith(submitAndWait(opts({ signal: ac.signal })), 'interrupted');
  assert.equal(api.stockCalls, 0);
});
