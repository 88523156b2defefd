// `autodl cost` reads "now" from the server's clock (the Date header), not this machine's:
// against a simulator whose clock is a month ahead, the estimate still equals price × hours.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AutodlClient } from '../../src/api/client.js';
import { DEMO_IMAGE_UUID } from '../../src/sim/index.js';
import { ensureBuilt, json, runCli, startSim, type SimHandle } from '../cli/helpers.js';

let sim: SimHandle;
const AHEAD_MS = 30 * 24 * 3_600_000;

before(async () => {
  ensureBuilt();
  sim = await startSim({ startTime: Date.now() + AHEAD_MS });
});
after(() => sim.close());

test('the SDK exposes the server clock from the Date header', async () => {
  const client = new AutodlClient({ host: sim.url, token: sim.token });
  await client.stock.get();
  const skew = client.serverNow() - Date.now();
  // a month ahead, to the Date header's one-second resolution (generous margin for slow machines)
  assert.ok(Math.abs(skew - AHEAD_MS) < 60_000, `skew ${skew}`);
});

test('cost without --at uses the server clock: price × hours of a running container', async () => {
  const client = new AutodlClient({ host: sim.url, token: sim.token });
  const { deployment_uuid } = await client.deployments.create({
    name: 'clock-ahead',
    deployment_type: 'ReplicaSet',
    replica_num: 1,
    container_template: { gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, image_uuid: DEMO_IMAGE_UUID, cmd: 'sleep infinity' },
  });
  sim.world.advance(30_000);
  sim.world.advance(3 * 3_600_000);
  const [c] = (await client.containers.list({ deployment_uuid })).list;
  assert.equal(c!.status, 'running');
  const hours = (sim.world.now() - Date.parse(c!.started_at!)) / 3_600_000;
  const r = await runCli(['cost', deployment_uuid, '--json'], { sim });
  assert.equal(r.code, 0, r.stderr);
  const res = json<{ total_yuan: number }>(r);
  const expected = (c!.price / 1000) * hours;
  assert.ok(hours > 3);
  // within the Date header's resolution plus the run's own duration (a few seconds of price)
  assert.ok(Math.abs(res.total_yuan - expected) < (c!.price / 1000) * (60 / 3600), `${res.total_yuan} vs ${expected}`);
});
