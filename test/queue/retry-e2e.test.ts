// Retries that know why (issue 16) end to end: the worker through the real SDK over loopback
// HTTP against the simulator on its manual clock, in SQLite and (with AUTODL_TEST_PG_URL)
// PostgreSQL. A failed Job is resubmitted under a fresh mark up to retry.max times (never two
// deployments of one run); containers failing twice on one host get it blacklisted; a
// deployment left unscheduled while the stock shows its cards is stopped and requeued.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutodlClient } from '../../src/api/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { driveOnManualClock, host } from './sim-hosts.js';
import { jobBody } from '../queue-cli/duplicate-scenarios.js';
import { openSqliteStore } from '../../src/queue/index.js';
import type { QueueEvent, QueueStore } from '../../src/queue/index.js';
import { spentCeiling } from '../../src/queue/spent.js';
import { dropPgDatabases, freshPgDatabase, PG_URL } from './pg-helpers.js';
import { openPgStore } from '../../src/queue/pg-store.js';

const TOKEN = 'queue-retry-token-0123456789';
const MIN = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'autodl-retry-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let sim: Simulator;
let api: AutodlClient;
before(async () => {
  // one host of two cards: every container of these tests runs there
  sim = await startSimulator({ tokens: [TOKEN], clock: 'manual', backgroundLoad: false, world: { hosts: [host('h1', 'RTX 4090', 2)] } });
  api = new AutodlClient({ token: TOKEN, host: sim.url });
});
after(() => sim.close());
after(() => dropPgDatabases());

/** The worker tick by tick (1 simulated min) on the manual clock (./sim-hosts.ts). */
const drive = (store: QueueStore, o: { maxTicks: number; until?: () => Promise<boolean> | boolean }) => driveOnManualClock(sim, api, store, { workerId: 'retry-e2e', stepMs: MIN, ...o });

/** The simulator's deployments whose name starts with the entry's mark. */
const deploymentsOf = (name: string) => sim.world.allDeployments(true).filter((d) => d.name.startsWith(name));

const stores: Array<[string, () => Promise<QueueStore>]> = [['sqlite', async () => openSqliteStore({ path: join(dir, `${Math.random().toString(36).slice(2)}.db`) })]];
if (PG_URL) stores.push(['postgres', async () => openPgStore({ url: await freshPgDatabase() })]);

for (const [kind, open] of stores) {
  describe(`retries that know why (${kind})`, () => {
    test('a Job whose containers fail is resubmitted up to retry.max times, each run under a fresh mark, then fails', async () => {
      sim.world.reset();
      const store = await open();
      const name = `retry-fail-${kind}`;
      const [e] = await store.add([{ body: jobBody(name, 'sleep 120; exit 3'), policy: { retry: { max: 2, on: ['failed'] } } }], sim.world.now());
      const events = await drive(store, { maxTicks: 40, until: async () => (await store.get(e!.id))!.state === 'failed' });
      const done = (await store.get(e!.id))!;
      assert.equal(done.state, 'failed');
      assert.equal(done.retries, 2);
      // three runs, three marks, one deployment each (never a second create of one run)
      const made = deploymentsOf(name).map((d) => d.name).sort();
      const mark = `${name}-q${e!.tag}`;
      assert.deepEqual(made, [mark, `${mark}-r1`, `${mark}-r2`]);
      assert.equal(done.deployment_name, `${mark}-r2`);
      assert.deepEqual(done.retry_log!.map((r) => [r.n, r.cause, r.deployment_name]), [[1, 'failed', mark], [2, 'failed', `${mark}-r1`]]);
      // each record knows where the containers failed and what the run cost (from its containers)
      for (const r of done.retry_log!) {
        assert.deepEqual(r.failed_on, { h1: 1 });
        assert.ok(r.spent_yuan! > 0 && r.spent_yuan! <= r.spent_at_most! + 1e-6, JSON.stringify(r));
      }
      // the earlier runs' money still counts for the entry's budgets
      assert.ok(spentCeiling(done, sim.world.now()) >= done.retry_log!.reduce((s, r) => s + r.spent_yuan!, 0));
      const retries = events.filter((x): x is Extract<QueueEvent, { type: 'retry' }> => x.type === 'retry');
      assert.deepEqual(retries.map((x) => [x.n, x.max, x.cause, x.next_deployment_name]), [[1, 2, 'failed', `${mark}-r1`], [2, 2, 'failed', `${mark}-r2`]]);
      assert.equal(events.filter((x) => x.type === 'created').length, 3);
      const hist = await store.history(e!.id);
      assert.equal(hist.filter((h) => h.to_state === 'pending' && /^resubmit \d of 2 \(failed\)/.test(h.note ?? '')).length, 2);
      assert.ok(hist.some((h) => h.to_state === 'failed' && /retries used: 2 of 2/.test(h.note ?? '')));
      await store.close();
    });

    test('a resubmission never creates twice: each run\'s create loses its reply after committing, and is found by its own mark', async () => {
      sim.world.reset();
      sim.faults.clear();
      const store = await open();
      const name = `retry-lost-${kind}`;
      const [e] = await store.add([{ body: jobBody(name, 'sleep 60; exit 2'), policy: { retry: { max: 1, on: ['failed'] } } }], sim.world.now());
      sim.faults.add({ method: 'POST', path: '/api/v1/dev/deployment', kind: 'commit_then_reset', count: 2 });
      try {
        const events = await drive(store, { maxTicks: 40, until: async () => (await store.get(e!.id))!.state === 'failed' });
        const done = (await store.get(e!.id))!;
        assert.equal(done.state, 'failed');
        assert.equal(done.retries, 1);
        const mark = `${name}-q${e!.tag}`;
        assert.deepEqual(deploymentsOf(name).map((d) => d.name).sort(), [mark, `${mark}-r1`], 'one deployment per run');
        assert.equal(events.filter((x) => x.type === 'created').length, 0, 'both replies were lost');
        assert.deepEqual(events.filter((x): x is Extract<QueueEvent, { type: 'found' }> => x.type === 'found').map((x) => x.deployment_name), [mark, `${mark}-r1`]);
      } finally {
        sim.faults.clear();
        await store.close();
      }
    });

    test('failing twice on one host: the host is blacklisted (platform expiry), then the run left unscheduled is stopped and requeued', async () => {
      sim.world.reset();
      const store = await open();
      const name = `retry-host-${kind}`;
      const policy = { retry: { max: 3, on: ['failed', 'host_error', 'unscheduled'] as const, unscheduledAfterMs: 2 * MIN, blacklistHosts: true } };
      const [e] = await store.add([{ body: jobBody(name, 'sleep 60; exit 1'), policy: { retry: { ...policy.retry, on: [...policy.retry.on] } } }], sim.world.now());
      const events = await drive(store, { maxTicks: 40, until: async () => (await store.get(e!.id))!.retries >= 3 });
      const done = (await store.get(e!.id))!;
      const causes = done.retry_log!.map((r) => r.cause);
      assert.deepEqual(causes, ['failed', 'host_error', 'unscheduled']);
      assert.deepEqual(done.retry_log![1]!.blacklisted, ['h1']);
      const bl = await api.blacklist.list();
      assert.ok(bl.some((b) => b.machine_id === 'h1'), JSON.stringify(bl));
      assert.ok(events.some((x) => x.type === 'blacklisted' && x.machine_id === 'h1' && x.failures === 2 && x.expire_in_minutes === 1440));
      // the unscheduled run (on the blacklisted host only) was stopped before it was requeued,
      // and not before unscheduled_after had passed
      const mark = `${name}-q${e!.tag}`;
      const third = sim.world.allDeployments(true).find((d) => d.name === `${mark}-r2`)!;
      assert.equal(third.status, 'stopped');
      const unsched = done.retry_log![2]!;
      assert.match(unsched.detail, /no container for \d+m.* while the stock shows RTX 4090 2 idle/);
      // it never had a container: it cost nothing (not its price ceiling over the wait)
      assert.equal(unsched.spent_yuan, 0);
      assert.ok(unsched.spent_at_most! > 0);
      const r2 = await store.history(e!.id);
      const sentR2 = r2.find((h) => /the next create is .*-r2$/.test(h.note ?? ''))!.ts;
      assert.ok(unsched.at - sentR2 >= 2 * MIN, `requeued ${(unsched.at - sentR2) / MIN} min after`);
      await store.close();
    });
  });
}
