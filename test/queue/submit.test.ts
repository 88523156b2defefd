import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, AutodlError } from '../../src/errors.js';
import { hostname } from 'node:os';
import { closeSubmitIntent, MemoryStore, submitAndWait, submitKeyFor, submitOwnerGone, submitOwnerId, SUBMISSION_SUGGESTION } from '../../src/queue/index.js';
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

// ---------- issue 11: a durable submit (an intent key in the store; a rerun resumes) ----------

const intent = { host: 'https://private.autodl.com', account: 'acct-0123456789ab' };

test('durable: a rerun of a submit that never reported takes its entry up and reports its deployment; after the report the same config is a new deployment', async () => {
  const { api, opts } = setup({ 'RTX 4090': 4 });
  const store = new MemoryStore();
  const first = await submitAndWait(opts({ store, intent }));
  assert.deepEqual([first.resumed, first.found_earlier_create], [false, false]);
  // killed before the result was delivered: the intent is still open
  const again = await submitAndWait(opts({ store, intent }));
  assert.equal(again.deployment_uuid, first.deployment_uuid);
  assert.deepEqual([again.resumed, again.found_earlier_create], [true, true]);
  assert.equal(api.createCalls.length, 1, 'no second create');
  // reported: the intent is closed and the same config makes a new deployment
  await closeSubmitIntent(store, again.entry_id, 0);
  const third = await submitAndWait(opts({ store, intent }));
  assert.notEqual(third.deployment_uuid, first.deployment_uuid);
  assert.equal(third.resumed, false);
  assert.equal(api.createCalls.length, 2);
  // another account or host with the same body is another submit
  const other = await submitAndWait(opts({ store, intent: { ...intent, account: 'acct-other' } }));
  assert.equal(other.resumed, false);
  assert.equal(api.createCalls.length, 3);
});

/** An entry left in `submitting` by a submit process that was killed during its create. */
async function killedDuringCreate(store: MemoryStore, at: number, owner = 'submit@elsewhere:4242:abcdef') {
  const key = submitKeyFor(body({ name: 'train' }), intent.host, intent.account);
  const [e] = await store.add([{ body: body({ name: 'train' }), account: intent.account, submit_key: key }], at);
  const [claimed] = await store.claim([e!.id], owner, at + 300_000, at, intent.account);
  return claimed!;
}

test('durable: in flight, owner gone, the create landed: found by its mark, nothing created', async () => {
  const { api, clock, progress, opts } = setup({ 'RTX 4090': 4 });
  const store = new MemoryStore();
  const e = await killedDuringCreate(store, clock.now());
  api.commit({ ...body({ name: 'train' }), name: e.deployment_name });
  const r = await submitAndWait(opts({ store, intent, ownerGone: () => true }));
  assert.deepEqual([r.resumed, r.found_earlier_create, r.entry_id], [true, true, e.id]);
  assert.equal(api.createCalls.length, 0);
  assert.ok(progress.some((p) => p.type === 'resumed'));
  assert.ok(progress.some((p) => p.type === 'found_earlier_create'));
});

test('durable: in flight, owner gone, not listed: nothing is created before the settle window since the send time has passed', async () => {
  const { api, clock, opts } = setup({ 'RTX 4090': 4 });
  const store = new MemoryStore();
  const sentAt = clock.now();
  const e = await killedDuringCreate(store, sentAt);
  let createdAt = -1;
  api.script = [() => void (createdAt = clock.now())];
  const r = await submitAndWait(opts({ store, intent, ownerGone: () => true, settleMs: 90_000 }));
  assert.equal(r.resumed, true);
  assert.equal(r.found_earlier_create, false, 'this run created it');
  assert.equal(api.createCalls.length, 1);
  assert.ok(createdAt >= sentAt + 90_000, `created at +${createdAt - sentAt} ms`);
  assert.equal(r.entry_id, e.id);
});

test('durable: in flight, owner gone, the create lands late inside the settle window: found, never created twice', async () => {
  const { api, clock, opts } = setup({ 'RTX 4090': 4 });
  const store = new MemoryStore();
  const e = await killedDuringCreate(store, clock.now());
  let sleeps = 0;
  const r = await submitAndWait(
    opts({
      store,
      intent,
      ownerGone: () => true,
      settleMs: 90_000,
      sleep: async (ms) => {
        clock.advance(ms);
        if (++sleeps === 1) api.commit({ ...body({ name: 'train' }), name: e.deployment_name }); // the platform applies it now
      },
    }),
  );
  assert.deepEqual([r.resumed, r.found_earlier_create], [true, true]);
  assert.equal(api.createCalls.length, 0);
});

test('durable: in flight and its owner alive: the lease is respected until it expires', async () => {
  const { api, clock, opts } = setup({ 'RTX 4090': 4 });
  const store = new MemoryStore();
  const t0 = clock.now();
  await killedDuringCreate(store, t0);
  let createdAt = -1;
  api.script = [() => void (createdAt = clock.now())];
  const r = await submitAndWait(opts({ store, intent, ownerGone: () => false, settleMs: 1000 }));
  assert.equal(api.createCalls.length, 1);
  assert.ok(createdAt >= t0 + 300_000, 'not before the live owner\'s lease expired');
  assert.equal(r.resumed, true);
});

test('durable: a submit never takes over the stale leases of other queue entries', async () => {
  const { opts } = setup({ 'RTX 4090': 4 });
  const store = new MemoryStore();
  const [other] = await store.add([{ body: body({ name: 'queued' }) }], 0);
  await store.claim([other!.id], 'some-worker', 1, 0); // a worker's lease, long expired
  await submitAndWait(opts({ store, intent }));
  const after = await store.get(other!.id);
  assert.equal(after!.lease_owner, 'some-worker', 'left for the queue worker to reconcile');
});

test('submitOwnerGone: a pid on this host that does not exist is gone; this process, other hosts and odd ids are not', () => {
  assert.equal(submitOwnerGone(`submit@${hostname()}:${process.pid}:abc123`), false);
  assert.equal(submitOwnerGone(`submit@${hostname()}:2147483646:abc123`), true);
  assert.equal(submitOwnerGone('submit@some-other-host:1:abc123'), false);
  assert.equal(submitOwnerGone('(settling)'), false);
  assert.match(submitOwnerId(), new RegExp(`^submit@${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${process.pid}:[0-9a-f]+$`));
});
