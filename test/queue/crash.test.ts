// Crash safety: the worker runs as a child process, is SIGKILLed at random instants
// (including right after a create returned and before it was recorded, and while the
// simulator loses create replies after committing them), restarted, for
// QUEUE_CRASH_ROUNDS rounds; then exactly one deployment per entry and no entry lost.
// Also: two worker processes racing on one store.
import { describe, test, after, before } from 'node:test';
import type { CreateDeploymentBody } from '../../src/api/types.js';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFixture } from './fixtures/bundle.js';
import { startSimulator, DEMO_IMAGE_UUID, type HostConfig, type Simulator } from '../../src/sim/index.js';
import { openQueueStore } from '../../src/queue/index.js';
import { dropPgDatabases, freshPgDatabase, PG_SKIP } from './pg-helpers.js';
import type { QueueEntry } from '../../src/queue/index.js';

const TOKEN = 'queue-crash-token-0123456789';
const ROUNDS = Number(process.env.QUEUE_CRASH_ROUNDS ?? 10);
const ENTRIES = Number(process.env.QUEUE_CRASH_ENTRIES ?? 30);
let script = '';
let removeScript = () => {};
const dir = mkdtempSync(join(tmpdir(), 'autodl-queue-crash-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  removeScript();
});

const host = (id: string, n: number): HostConfig => ({
  machine_id: id, data_center: 'westDC2', gpu_name: 'RTX 4090', gpu_num: n, cpu_num: 16 * n, memory_gb: 90 * n, max_cuda: 122, price_per_gpu: 1500,
});

const body = (name: string): CreateDeploymentBody => ({
  name,
  deployment_type: 'Job',
  replica_num: 1,
  parallelism_num: 1,
  container_template: {
    gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, cpu_num_from: 1, cpu_num_to: 1000, memory_size_from: 1, memory_size_to: 10000,
    price_from: 100, price_to: 2000, image_uuid: DEMO_IMAGE_UUID, cmd: 'sleep 600',
  },
});

let sim: Simulator;
before(async () => {
  const b = await bundleFixture('worker-proc');
  script = b.path;
  removeScript = b.remove;
  // room for every test of every backend (the Jobs never end under the manual clock)
  const hosts = Array.from({ length: Math.ceil((ENTRIES * 4) / 8) }, (_, i) => host(`h${i}`, 8));
  sim = await startSimulator({ tokens: [TOKEN], clock: 'manual', backgroundLoad: false, world: { hosts } });
});
after(() => sim.close());
after(() => dropPgDatabases());

function startWorker(db: string, workerId: string, extra: Record<string, string> = {}): { child: ChildProcess; done: Promise<number | null> } {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, SIM_URL: sim.url, SIM_TOKEN: TOKEN, QUEUE_DB: db, WORKER_ID: workerId, ...extra },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.resume(); // never let a full pipe block the child
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, done };
}

function checkExactlyOnce(entries: QueueEntry[], prefix: string): void {
  const deps = sim.world.allDeployments(true).filter((d) => d.name.startsWith(prefix));
  const byName = new Map<string, string[]>();
  for (const d of deps) byName.set(d.name, [...(byName.get(d.name) ?? []), d.uuid]);
  for (const e of entries) {
    assert.equal(e.state, 'submitted', `${e.id} is ${e.state}`);
    assert.deepEqual(byName.get(e.deployment_name), [e.deployment_uuid], `${e.id}: deployments ${JSON.stringify(byName.get(e.deployment_name))}`);
  }
  assert.equal(deps.length, entries.length, 'no stray deployments');
}

// Each backend in turn: a SQLite file, and a PostgreSQL database (a killed worker's open
// transaction is rolled back by the server instead of by SQLite's journal).
const backends: Array<[string, (name: string) => Promise<string>, false | string]> = [
  ['sqlite', async (name) => join(dir, `${name}.db`), false],
  ['postgres', async () => freshPgDatabase(), PG_SKIP],
];

for (const [backend, location, skip] of backends) {
  describe(`crash safety (${backend})`, { skip }, () => {
    const prefix = backend === 'sqlite' ? '' : `${backend}-`;
    test(`SIGKILL at random instants for ${ROUNDS} rounds: exactly one deployment per entry, none lost`, async () => {
      const db = await location('crash');
      const store = await openQueueStore(db);
      const added = await store.add(Array.from({ length: ENTRIES }, (_, i) => ({ body: body(`${prefix}crash-${i}`) })), Date.now());
      await store.close();
      // lose a fifth of create replies after the create committed
      sim.faults.add({ method: 'POST', path: '/api/v1/dev/deployment', kind: 'commit_then_reset', probability: 0.2 });
      let seed = 12345;
      const rand = () => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed / 4294967296;
      };
      let killedByUs = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // mostly the same worker id (reclaims its own leases at once), sometimes a new one (waits for lease expiry)
        const id = rand() < 0.7 ? 'crashy' : `crashy-${round}`;
        const w = startWorker(db, id, { CRASH_AFTER_CREATE: '0.15', SEED: String(round + 1), LEASE_MS: '300' });
        // kill at a random point of its progress: after the k-th claim it reports (the signal lands
        // somewhere between that claim, the create and the recording of its result)
        const k = 1 + Math.floor(rand() * 4);
        let fired = false;
        let claims = 0;
        w.child.stderr!.on('data', (d: Buffer) => {
          claims += (d.toString().match(/"type":"claimed"/g) ?? []).length;
          if (!fired && claims >= k) {
            fired = true;
            w.child.kill('SIGKILL');
          }
        });
        await w.done;
        if (fired) killedByUs++;
      }
      if (ROUNDS > 0) assert.ok(killedByUs > 0, 'at least one round was killed from outside');
      // a final, undisturbed run drains whatever is left (including expired foreign leases)
      const final = startWorker(db, 'final', { LEASE_MS: '300' });
      assert.equal(await final.done, 0);
      sim.faults.clear();
      const s2 = await openQueueStore(db);
      const entries = await s2.list();
      assert.equal(entries.length, added.length, 'no entry lost');
      checkExactlyOnce(entries, `${prefix}crash-`);
      // the hard paths were exercised: some entries were resolved by looking their mark up
      const notes = (await Promise.all(entries.map((e) => s2.history(e.id)))).flat().map((h) => h.note ?? '');
      assert.ok(notes.some((n) => n.startsWith('found by mark')), 'some creates were recovered by lookup');
      assert.ok(notes.some((n) => n.startsWith('reclaimed by')), 'some entries were reclaimed after a crash');
      await s2.close();
    });

    test('two worker processes racing on one store submit every entry exactly once', async () => {
      const db = await location('race');
      const store = await openQueueStore(db);
      await store.add(Array.from({ length: ENTRIES }, (_, i) => ({ body: body(`${prefix}race-${i}`) })), Date.now());
      await store.close();
      sim.faults.add({ method: 'POST', path: '/api/v1/dev/deployment', kind: 'commit_then_reset', probability: 0.1 });
      const a = startWorker(db, 'racer-a', { LEASE_MS: '60000' });
      const b = startWorker(db, 'racer-b', { LEASE_MS: '60000' });
      assert.deepEqual(await Promise.all([a.done, b.done]), [0, 0]);
      sim.faults.clear();
      const s2 = await openQueueStore(db);
      const entries = await s2.list();
      checkExactlyOnce(entries, `${prefix}race-`);
      await s2.close();
    });
  });
}
