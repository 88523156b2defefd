// Retries that know why (issue 16), the pure part: the verdicts from what the worker saw, the
// host attribution, the bounds of the stored retry policy, and the fresh mark per run.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Deployment, Stock } from '../../src/api/types.js';
import { deploymentNameFor } from '../../src/queue/ids.js';
import { normalizePolicy, type EntryPolicy } from '../../src/queue/policies.js';
import { failuresByHost, hostFailures, mayBeUnscheduled, noContainerYet, retryOnFailure, retryUnscheduled } from '../../src/queue/retry.js';
import { earlierRunsSpent } from '../../src/queue/spent.js';
import type { QueueEntry, RetryRecord } from '../../src/queue/types.js';
import { jobBody } from '../queue-cli/duplicate-scenarios.js';
import { MemoryStore, openSqliteStore, type QueueStore } from '../../src/queue/index.js';
import { openPgStore } from '../../src/queue/pg-store.js';
import { dropPgDatabases, freshPgDatabase, PG_URL } from './pg-helpers.js';

const MIN = 60_000;
after(() => dropPgDatabases());
const dep = (o: Partial<Deployment>): Deployment =>
  ({ uuid: 'd1', name: 'x', deployment_type: 'Job', status: 'running', replica_num: 1, starting_num: 0, running_num: 0, finished_num: 0, failed_num: 0, ...o }) as Deployment;
const ctr = (machine_id: string, status = 'shutdown', stopped_at: string | null = '2026-12-02 10:00:00'): Pick<Container, 'machine_id' | 'status' | 'stopped_at'> => ({ machine_id, status, stopped_at });
const entry = (policy: EntryPolicy | null, o: Partial<QueueEntry> = {}) =>
  ({ policy, retries: 0, retry_log: null, submitted_at: 0, state: 'submitted', body: jobBody('r'), ...o }) as QueueEntry;
const rec = (failed_on: Record<string, number>, o: Partial<RetryRecord> = {}): RetryRecord => ({ n: 1, cause: 'failed', detail: '', at: 0, deployment_uuid: null, deployment_name: 'x', failed_on, ...o });

describe('retry verdicts', () => {
  test('failures are put on a host only when every ended container ran there', () => {
    assert.deepEqual(failuresByHost(dep({ failed_num: 2 }), [ctr('h1'), ctr('h1')]), { h1: 2 });
    assert.deepEqual(failuresByHost(dep({ failed_num: 1 }), [ctr('h1'), ctr('h2')]), {}, 'ambiguous: two hosts');
    // a container still running elsewhere does not make it ambiguous: only the ended ones count
    assert.deepEqual(failuresByHost(dep({ failed_num: 1 }), [ctr('h1'), ctr('h2', 'running', null)]), { h1: 1 });
    assert.deepEqual(failuresByHost(dep({ failed_num: 0 }), [ctr('h1')]), {});
    // a host id the server made up (control characters, a huge one) is never recorded
    assert.deepEqual(failuresByHost(dep({ failed_num: 1 }), [ctr('h1\u001b[31m')]), {});
    assert.deepEqual(failuresByHost(dep({ failed_num: 1 }), [ctr('h'.repeat(200))]), {});
    assert.deepEqual([...hostFailures([rec({ h1: 1 }), rec({ h2: 1 })], { h1: 1 })], [['h1', 2], ['h2', 1]]);
  });

  test('failed: resubmit while retries are left; host_error once one host failed twice; only this run\'s hosts are blacklisted, once', () => {
    const p = (on: Array<'failed' | 'host_error' | 'unscheduled'>, blacklistHosts = false): EntryPolicy => ({ retry: { max: 2, on, ...(blacklistHosts ? { blacklistHosts } : {}) } });
    assert.deepEqual(retryOnFailure(entry(null), 'n', { h1: 1 }), { retry: false });
    assert.deepEqual(retryOnFailure(entry(p(['failed']), { retries: 2 }), 'n', {}), { retry: false }, 'max used');
    assert.deepEqual(retryOnFailure(entry(p(['unscheduled'])), 'n', {}), { retry: false }, 'failed not listed');
    const first = retryOnFailure(entry(p(['failed', 'host_error'], true)), 'n', { h1: 1 });
    assert.ok(first.retry && first.cause === 'failed' && first.blacklist.length === 0);
    const second = retryOnFailure(entry(p(['failed', 'host_error'], true), { retries: 1, retry_log: [rec({ h1: 1 })] }), 'n', { h1: 1 });
    assert.ok(second.retry && second.cause === 'host_error');
    assert.deepEqual(second.retry && second.blacklist, ['h1']);
    // host_error not listed: still retried as failed, and the host blacklisted when asked
    const plain = retryOnFailure(entry(p(['failed'], true), { retries: 1, retry_log: [rec({ h1: 1 })] }), 'n', { h1: 1 });
    assert.ok(plain.retry && plain.cause === 'failed');
    assert.deepEqual(plain.retry && plain.blacklist, ['h1']);
    // already blacklisted, or failed there only in earlier runs: not again
    const again = retryOnFailure(entry(p(['failed', 'host_error'], true), { retries: 1, retry_log: [rec({ h1: 2 }, { blacklisted: ['h1'] })] }), 'n', { h1: 1 });
    assert.deepEqual(again.retry && again.blacklist, []);
    const elsewhere = retryOnFailure(entry(p(['failed', 'host_error'], true), { retries: 1, retry_log: [rec({ h1: 2 })] }), 'n', { h2: 1 });
    assert.deepEqual(elsewhere.retry && elsewhere.blacklist, []);
  });

  test('unscheduled: only with no container at all, past unscheduled_after, while the stock shows the cards', () => {
    const pol: EntryPolicy = { retry: { max: 1, on: ['unscheduled'], unscheduledAfterMs: 5 * MIN } };
    const stock: Stock = { 'RTX 4090': { idle: 1, total: 8 } } as unknown as Stock;
    const none: Stock = { 'RTX 4090': { idle: 0, total: 8 } } as unknown as Stock;
    const e = entry(pol);
    assert.equal(retryUnscheduled(e, dep({}), stock, 5 * MIN).retry, true);
    assert.equal(retryUnscheduled(e, dep({}), stock, 5 * MIN - 1).retry, false, 'too early');
    assert.equal(retryUnscheduled(e, dep({}), none, 5 * MIN).retry, false, 'no idle cards: it waits for stock like any other');
    assert.equal(retryUnscheduled(e, dep({}), undefined, 5 * MIN).retry, false, 'no stock read');
    assert.equal(retryUnscheduled(e, dep({ starting_num: 1 }), stock, 5 * MIN).retry, false, 'a container is starting');
    assert.equal(retryUnscheduled(entry(pol, { retries: 1 }), dep({}), stock, 5 * MIN).retry, false, 'max used');
    assert.equal(noContainerYet(dep({ running_num: undefined as unknown as number })), false, 'a list without counts says nothing');
    assert.equal(mayBeUnscheduled(e, 5 * MIN), true);
    assert.equal(mayBeUnscheduled(entry(pol, { state: 'running' }), 5 * MIN), false);
    // the default unscheduled_after is 10 min
    assert.equal(mayBeUnscheduled(entry({ retry: { max: 1, on: ['unscheduled'] } }), 9 * MIN), false);
    assert.equal(mayBeUnscheduled(entry({ retry: { max: 1, on: ['unscheduled'] } }), 10 * MIN), true);
  });

  test('the stored retry policy is bounded; each run has its own mark', () => {
    assert.deepEqual(normalizePolicy({ retry: { max: 3, on: ['host_error', 'failed'] } }), { retry: { max: 3, on: ['failed', 'host_error'] } });
    assert.deepEqual(normalizePolicy({ retry: { max: 1 } as never }), { retry: { max: 1, on: ['failed'] } });
    for (const bad of [{ max: 21, on: ['failed'] }, { max: -1, on: ['failed'] }, { max: 1.5, on: ['failed'] }, { max: 1, on: ['crash'] }, { max: 1, on: [] }, { max: 1, on: ['unscheduled'], unscheduledAfterMs: 1000 }]) {
      assert.throws(() => normalizePolicy({ retry: bad as never }), (e: Error & { errorType?: string }) => e.errorType === 'validation_error', JSON.stringify(bad));
    }
    assert.equal(deploymentNameFor('train', 'q-abcdefgh'), 'train-qabcdefgh');
    assert.equal(deploymentNameFor('train', 'q-abcdefgh', 2), 'train-qabcdefgh-r2');
    assert.equal(earlierRunsSpent({ retry_log: [rec({}, { spent_yuan: 1.5, spent_at_most: 9 }), rec({}, { spent_at_most: 2 })] }), 3.5);
  });
});

describe('a resubmission moves only the run it was decided on (all stores)', () => {
  const backends: Array<[string, () => Promise<QueueStore>]> = [
    ['memory', async () => new MemoryStore()],
    ['sqlite', async () => openSqliteStore({ path: ':memory:' })],
  ];
  if (PG_URL) backends.push(['postgres', async () => openPgStore({ url: await freshPgDatabase() })]);
  for (const [kind, open] of backends) {
    test(kind, async () => {
      const store = await open();
      const [e] = await store.add([{ body: jobBody('run-cas'), policy: { retry: { max: 2, on: ['failed'] } } }], 0);
      // the entry's second run exists (another worker resubmitted it and created r1)
      await store.claim([e!.id], 'w', 100, 1);
      await store.transition(e!.id, 'submitted', { from: 'submitting', now: 2, set: { deployment_uuid: 'dep-0', submitted_at: 2 } });
      const stale = { deployment_uuid: 'dep-0', retries: 0 };
      const moved = await store.transition(e!.id, 'pending', { from: 'submitted', run: stale, now: 3, set: { retries: 1, deployment_name: deploymentNameFor('run-cas', e!.id, 1), deployment_uuid: null } });
      assert.equal(moved?.retries, 1);
      assert.equal(moved?.deployment_name, `run-cas-q${e!.tag}-r1`);
      await store.claim([e!.id], 'w', 100, 4);
      await store.transition(e!.id, 'submitted', { from: 'submitting', now: 5, set: { deployment_uuid: 'dep-1', submitted_at: 5 } });
      // a worker that read the first run decides again on it: refused, nothing written
      const before = (await store.history(e!.id)).length;
      assert.equal(await store.transition(e!.id, 'pending', { from: 'submitted', run: stale, now: 6, set: { retries: 1 } }), undefined);
      const now = (await store.get(e!.id))!;
      assert.equal(now.state, 'submitted');
      assert.equal(now.deployment_uuid, 'dep-1');
      assert.equal((await store.history(e!.id)).length, before);
      await store.close();
    });
  }
});
