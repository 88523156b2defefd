// The queue's policies end to end (issue 16): the worker through the real SDK over loopback
// HTTP against the simulator on its manual clock, with SQLite and PostgreSQL stores.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateDeploymentBody } from '../../src/api/types.js';
import { AutodlClient } from '../../src/api/index.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { driveOnManualClock, host } from './sim-hosts.js';
import { jobBody } from '../queue-cli/duplicate-scenarios.js';
import { openSqliteStore } from '../../src/queue/index.js';
import type { QueueEvent, QueueStore } from '../../src/queue/index.js';
import { freshPgDatabase, PG_URL } from './pg-helpers.js';
import { openPgStore } from '../../src/queue/pg-store.js';

const TOKEN = 'queue-policy-token-0123456789';
const MIN = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'autodl-policy-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));


/** A one-GPU Job at ¥2/h at most (price_to 2000): the budget tests count on that price. */
function job(name: string, seconds: number | 'forever', price = 2000): CreateDeploymentBody {
  const b = jobBody(name, seconds === 'forever' ? 'sleep infinity' : `sleep ${seconds}`);
  return { ...b, container_template: { ...b.container_template, price_to: price } };
}

let sim: Simulator;
let api: AutodlClient;
before(async () => {
  sim = await startSimulator({ tokens: [TOKEN], clock: 'manual', backgroundLoad: false, world: { hosts: [host('h1', 'RTX 4090', 8)] } });
  api = new AutodlClient({ token: TOKEN, host: sim.url });
});
after(() => sim.close());

/** The worker tick by tick (1 simulated min) on the manual clock (./sim-hosts.ts). */
const drive = (store: QueueStore, o: { maxTicks: number; budget?: number; until?: () => Promise<boolean> | boolean }) => driveOnManualClock(sim, api, store, { workerId: 'policy-e2e', stepMs: MIN, ...o });

const stores: Array<[string, () => Promise<QueueStore>]> = [['sqlite', async () => openSqliteStore({ path: join(dir, `${Math.random().toString(36).slice(2)}.db`) })]];
if (PG_URL) stores.push(['postgres', async () => openPgStore({ url: await freshPgDatabase() })]);

for (const [kind, open] of stores) {
  describe(`policies end to end (${kind})`, () => {
    test('a Job over its max_runtime is stopped at that simulated minute, with the reason recorded and an event', async () => {
      const store = await open();
      const t0 = sim.world.now();
      const [e] = await store.add([{ body: job(`ttl-${kind}`, 'forever'), policy: { maxRuntimeMs: 10 * MIN } }], t0);
      const events = await drive(store, { maxTicks: 30, until: async () => (await store.get(e!.id))!.state === 'finished' });
      const done = (await store.get(e!.id))!;
      assert.equal(done.state, 'finished');
      assert.equal(done.enforced?.reason, 'max_runtime');
      assert.equal(done.enforced?.action, 'stop');
      // created on the first tick; stopped on the first tick at or after 10 min of running, not before
      const ran = done.finished_at! - done.submitted_at!;
      assert.ok(ran >= 10 * MIN && ran < 11 * MIN, `stopped after ${ran / MIN} min`);
      const d = sim.world.allDeployments(true).find((x) => x.uuid === done.deployment_uuid)!;
      assert.equal(d.status, 'stopped');
      assert.ok(events.some((x) => x.type === 'policy' && x.action === 'stop' && x.reason === 'max_runtime' && x.id === e!.id));
      const hist = await store.history(e!.id);
      assert.ok(hist.some((h) => /stopped by policy: max_runtime/.test(h.note ?? '')));
      await store.close();
    });

    test('a sweep stops being admitted when its budget is spent; the rest wait with reason budget', async () => {
      const store = await open();
      // ¥2/h each (price_to 2000 × 1 GPU), 30 min limit → ¥1 worst case each; label budget ¥2.5: two run, the third waits
      const inputs = [0, 1, 2].map((i) => ({ body: job(`sw-${kind}-${i}`, 'forever'), label: `sweep-${kind}`, policy: { maxRuntimeMs: 30 * MIN, labelBudget: 2.5 } }));
      const added = await store.add(inputs, sim.world.now());
      const events = await drive(store, { maxTicks: 5 });
      const states = await Promise.all(added.map(async (x) => (await store.get(x.id))!.state));
      assert.deepEqual(states.filter((s) => s === 'pending').length, 1, `states ${states}`);
      assert.equal(states.filter((s) => s === 'submitted' || s === 'running').length, 2);
      assert.equal(events.filter((x) => x.type === 'created').length, 2);
      // once the two have run 30 min (¥1 each, ¥2 spent), ¥0.5 is left: the third still cannot have its ¥1
      await drive(store, { maxTicks: 40 });
      const after = await Promise.all(added.map(async (x) => (await store.get(x.id))!));
      assert.equal(after.filter((x) => x.state === 'finished' && x.enforced?.reason === 'max_runtime').length, 2);
      assert.equal(after.filter((x) => x.state === 'pending').length, 1);
      await store.close();
    });

    test('an eval starts only after its train finished; a failed train fails its eval with the reason', async () => {
      const store = await open();
      const [train] = await store.add([{ body: job(`train-${kind}`, 5 * 60) }], sim.world.now());
      const [evalE] = await store.add([{ body: job(`eval-${kind}`, 60), policy: { after: [train!.id] } }], sim.world.now());
      let evalCreatedWhileTrainAlive = false;
      await drive(store, {
        maxTicks: 30,
        until: async () => {
          const [t, v] = [(await store.get(train!.id))!, (await store.get(evalE!.id))!];
          if (v.deployment_uuid && t.state !== 'finished') evalCreatedWhileTrainAlive = true;
          return v.state === 'finished';
        },
      });
      const [t, v] = [(await store.get(train!.id))!, (await store.get(evalE!.id))!];
      assert.equal(t.state, 'finished');
      assert.equal(v.state, 'finished');
      assert.equal(evalCreatedWhileTrainAlive, false);
      assert.ok(v.submitted_at! >= t.finished_at!, 'eval created after train finished');

      // a cancelled dependency fails its dependant (not with after_any)
      const [dep] = await store.add([{ body: job(`dep-${kind}`, 60) }], sim.world.now());
      const [child] = await store.add([{ body: job(`child-${kind}`, 60), policy: { after: [dep!.id] } }], sim.world.now());
      await store.cancel(dep!.id, sim.world.now());
      const events = await drive(store, { maxTicks: 2 });
      const c = (await store.get(child!.id))!;
      assert.equal(c.state, 'failed');
      assert.match(c.last_error ?? '', /dependency_failed/);
      assert.equal(c.deployment_uuid, null);
      assert.ok(events.some((x) => x.type === 'policy' && x.action === 'fail' && x.id === child!.id));
      await store.close();
    });
  });
}
