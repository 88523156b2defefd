// The whole flow of the CLI against a simulator of each dialect, which answers with the shapes
// the real platform was recorded giving (issue 12: "a run of autodl through submit, watch,
// wait, cost, events --follow and the queue works against a simulator in each dialect"):
// submit → events --follow → wait --for finished → watch → describe → cost, then the same
// config through the queue (queue add → queue run --drain → queue ls). The simulator's clock
// runs at 50× so that the Jobs really run and finish.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { assertTokenNeverPrinted, collect, emptyDir, ensureBuilt, json, runCli, spawnCli, startSim, waitFor, type SimHandle } from '../cli/helpers.js';

const CONFIG = { private: resolve('examples', 'train-job.yaml'), public: resolve('examples', 'public-job.yaml') } as const;

for (const dialect of ['private', 'public'] as const) {
  describe(`the whole flow on the ${dialect} simulator (recorded shapes)`, () => {
    let sim: SimHandle;
    let uuid = '';
    const d = ['--dialect', dialect];
    before(async () => {
      ensureBuilt();
      sim = await startSim({ dialect, clock: { speed: 50 } });
    });
    after(async () => {
      await sim.close();
      assertTokenNeverPrinted();
    });

    test('submit waits for a card and creates', async () => {
      const r = await runCli(['submit', CONFIG[dialect], ...d, '--interval', '0.05', '--timeout', '120', '--db', join(emptyDir(), 'q.db'), '--json'], { sim });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const res = json<{ status: string; deployment_uuid: string; waited_seconds: number }>(r);
      assert.equal(res.status, 'success');
      assert.equal(typeof res.waited_seconds, 'number');
      uuid = res.deployment_uuid;
      assert.ok(sim.world.allDeployments().some((x) => x.uuid === uuid), 'the deployment exists on the simulator');
    });

    test('events --follow streams the containers coming up, each event once, oldest first', async () => {
      const child = spawnCli(['events', uuid, '--follow', '--interval', '0.05', ...d, '--json'], { sim });
      const done = collect(child);
      await waitFor(child, 'stdout', /"status":"running"/);
      child.kill('SIGINT');
      const r = await done;
      const events = r.stdout
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .map((l) => JSON.parse(l) as { deployment_container_uuid?: string; status?: string; created_at?: string })
        .filter((e) => typeof e.status === 'string' && typeof e.created_at === 'string');
      assert.ok(events.length >= 2, r.stdout + r.stderr);
      const keys = events.map((e) => `${e.deployment_container_uuid}|${e.status}|${e.created_at}`);
      assert.equal(new Set(keys).size, keys.length, `an event repeated: ${keys.join(', ')}`);
      const times = events.map((e) => Date.parse(e.created_at!));
      assert.deepEqual(times, [...times].sort((a, b) => a - b), 'oldest first');
    });

    test('wait --for finished sees every replica finish', async () => {
      const r = await runCli(['wait', uuid, '--for', 'finished', '--interval', '0.05', '--timeout', '120', ...d, '--json'], { sim });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(json<{ status: string }>(r).status, 'success');
    });

    test('watch, describe and cost read the recorded shapes', async () => {
      const w = await runCli(['watch', uuid, '--count', '1', '--interval', '0.05', ...d, '--json'], { sim });
      assert.equal(w.code, 0, w.stdout + w.stderr);
      assert.ok(w.stdout.includes(uuid), w.stdout);
      const desc = await runCli(['describe', uuid, ...d, '--json'], { sim });
      assert.equal(desc.code, 0, desc.stdout + desc.stderr);
      const dj = json<{ deployment: { uuid: string }; containers: unknown[] }>(desc);
      assert.equal(dj.deployment.uuid, uuid);
      assert.ok(dj.containers.length > 0);
      const c = await runCli(['cost', uuid, ...d, '--json'], { sim });
      assert.equal(c.code, 0, c.stdout + c.stderr);
      const cj = json<{ total_yuan?: number; deployments?: Array<{ uuid: string; spent_yuan: number }> }>(c);
      const mine = cj.deployments?.find((x) => x.uuid === uuid);
      assert.ok(mine, c.stdout);
      assert.ok(mine.spent_yuan > 0, `the finished containers cost something: ${c.stdout}`);
    });

    test('the queue: add, run --drain, ls', async () => {
      const db = join(emptyDir(), 'queue.db');
      const add = await runCli(['queue', 'add', CONFIG[dialect], '--db', db, ...d, '--json'], { sim });
      assert.equal(add.code, 0, add.stdout + add.stderr);
      const before = sim.world.allDeployments().length;
      const run = await runCli(['queue', 'run', '--drain', '--interval', '0.05', '--db', db, ...d, '--json'], { sim });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(json<{ created: number }>(run).created, 1);
      assert.equal(sim.world.allDeployments().length, before + 1, 'exactly one deployment');
      const ls = await runCli(['queue', 'ls', '--all', '--db', db, ...d, '--json'], { sim });
      assert.equal(ls.code, 0, ls.stdout + ls.stderr);
      const entries = json<{ entries: Array<{ state: string; deployment_uuid: string | null }> }>(ls).entries;
      assert.equal(entries.length, 1);
      assert.ok(['submitted', 'running', 'finished'].includes(entries[0]!.state), JSON.stringify(entries));
      assert.ok(entries[0]!.deployment_uuid);
    });
  });
}
