// Acting on many (issue 15 §3): deleting --count deployments (default 36, one sweep's worth)
// with src/ops/bulk.ts's actOnEach, one at a time versus at the default bound (4) — the way
// `autodl delete --label … --yes` acts — against the in-process simulator on loopback, every
// delete answered after --delay ms (the simulator's `slow` fault: a platform's round trip).
// Reported: the wall time of each, the median of --runs rounds, and the ratio.
// No thresholds: this is a measurement, not a test.
//
// Usage: node --import tsx bench/bulk.mjs [--count 36] [--delay 50] [--runs 3]
import { performance } from 'node:perf_hooks';
import { AutodlClient } from '../src/api/index.ts';
import { actOnEach, DEFAULT_CONCURRENCY } from '../src/ops/bulk.ts';
import { DEMO_IMAGE_UUID, startSimulator } from '../src/sim/index.ts';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : def;
};
const count = opt('count', 36);
const delay = opt('delay', 50);
const runs = opt('runs', 3);
const TOKEN = 'bench-bulk-token';

const hosts = Array.from({ length: Math.ceil(count / 8) }, (_, i) => ({
  machine_id: `bulk${i}`, data_center: 'westDC2', gpu_name: 'RTX 4090', gpu_num: 8, cpu_num: 128, memory_gb: 720, max_cuda: 122, price_per_gpu: 1500,
}));
const sim = await startSimulator({ clock: 'manual', backgroundLoad: false, tokens: [TOKEN], world: { hosts } });
const client = new AutodlClient({ token: TOKEN, host: sim.url });
const body = (name) => ({
  name,
  deployment_type: 'Container',
  container_template: { gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, cpu_num_from: 1, cpu_num_to: 100, memory_size_from: 1, memory_size_to: 256, image_uuid: DEMO_IMAGE_UUID, cmd: 'sleep infinity' },
});

async function round(concurrency, r) {
  const uuids = [];
  for (let i = 0; i < count; i++) uuids.push((await client.deployments.create(body(`bulk-${concurrency}-${r}-${i}`))).deployment_uuid);
  sim.faults.add({ method: 'DELETE', path: '/api/v1/dev/deployment', kind: 'slow', delay_ms: delay, count });
  const t0 = performance.now();
  const results = await actOnEach(uuids, (u) => ({ target: u }), async (u) => (await client.deployments.delete(u), { outcome: 'done' }), { concurrency });
  const ms = performance.now() - t0;
  sim.faults.clear();
  const failed = results.filter((x) => x.outcome !== 'done').length;
  if (failed) throw new Error(`${failed} deletes failed`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seq = [];
const bounded = [];
for (let r = 0; r < runs; r++) {
  seq.push(await round(1, r));
  bounded.push(await round(DEFAULT_CONCURRENCY, r));
}
await sim.close();
const a = median(seq);
const b = median(bounded);
console.log(`delete ${count} deployments, each answered after ${delay} ms (median of ${runs}):`);
console.log(`  one at a time      ${a.toFixed(0)} ms`);
console.log(`  ${DEFAULT_CONCURRENCY} at a time        ${b.toFixed(0)} ms`);
console.log(`  ratio              ${(a / b).toFixed(2)}x`);
