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
import { freshPgDatabase, PG_URL } from './pg-helpers.js';

const MIN = 60_000;
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
