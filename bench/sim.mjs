// The simulator at scale (issue 14, §1), measured side by side in one run:
//
//   page        one deployment-list page (POST /api/v1/dev/deployment/list, page_size 100) at
//               10,000 deployments versus at 1,000: the ratio should be near 1 (a page costs
//               O(page size), not O(all deployments)).
//   full pass   every page of the list (page_size 100, as the SDK's listAll and the queue
//               worker's follow pass read it), at 10,000 versus 1,000 deployments; reported
//               raw (10× the pages: ~10 when a page is O(page size), ~100 when it is O(D)) and
//               per deployment listed (target ≤ 3).
//   memory      heap and RSS of a world holding 10,000 deployments / 100,000 containers (all
//               running), in this process after a GC (World from dist/index.js) and the RSS of
//               the `autodl sim` process serving the 10,000 (target < 300 MB).
//   advance     one ReplicaSet of 20 replicas running `sleep 1` (each replica exits after a
//               second and is replaced): real time to advance one simulated hour, the first
//               hour versus the last of --hours (ratio near 1 when an advance costs what
//               changes, growing with the hour when it scans every container the deployment
//               ever had).
//
// The lists are read over HTTP from `node dist/autodl.cjs sim --manual --no-background`, one
// process per size, each with one large host (so every container is placed at once); the
// deployments are created over HTTP too (Jobs of 10 replicas, 10 in parallel, `sleep infinity`).
// No thresholds: this is a measurement, not a test.
//
// Usage: npm run build && node bench/sim.mjs [--sizes 1000,10000] [--replicas 10] [--runs 5] [--hours 6]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const argv = process.argv.slice(2);
function opt(name, def) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
}
const sizes = String(opt('sizes', '1000,10000')).split(',').map(Number);
const replicas = Number(opt('replicas', 10));
const runs = Number(opt('runs', 5));
const hours = Number(opt('hours', 6));
const PAGE = 100;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const { World, DEMO_TOKEN, DEMO_IMAGE_UUID } = await import('../dist/index.js');
const node = process.execPath;
const GPU = 'RTX 4090';
const bigHost = (gpus) => ({
  machine_id: 'benchhost01',
  data_center: 'westDC2',
  gpu_name: GPU,
  gpu_num: gpus,
  cpu_num: gpus * 8,
  memory_gb: gpus * 32,
  max_cuda: 122,
  price_per_gpu: 1980,
});
const template = { gpu_name_set: [GPU], gpu_num: 1, cuda_v: 118, cpu_num_from: 1, cpu_num_to: 100, memory_size_from: 1, memory_size_to: 256, image_uuid: DEMO_IMAGE_UUID, cmd: 'sleep infinity' };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const MB = (b) => b / 1024 / 1024;
const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);

async function startSim() {
  const sim = spawn(node, ['dist/autodl.cjs', 'sim', '--port', '0', '--manual', '--no-background'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const rl = createInterface({ input: sim.stdout });
  const [line] = await once(rl, 'line');
  return { proc: sim, url: line.trim() };
}

async function call(url, method, path, body, token = DEMO_TOKEN) {
  const res = await fetch(url + path, {
    method,
    headers: { Authorization: token, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = await res.json();
  if (path.startsWith('/__sim') ? !res.ok : json.code !== 'Success') throw new Error(`${method} ${path}: ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

function rssOf(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** One simulator process with `n` deployments: page and full-pass timings over HTTP. */
async function measureList(n) {
  const { proc, url } = await startSim();
  try {
    await call(url, 'PUT', '/__sim/hosts', [bigHost(n * replicas + 10)]);
    for (let i = 0; i < n; i++) {
      await call(url, 'POST', '/api/v1/dev/deployment', {
        name: `bench-${i}`,
        deployment_type: 'Job',
        replica_num: replicas,
        parallelism_num: replicas,
        reuse_container: false,
        container_template: template,
      });
    }
    await call(url, 'POST', '/__sim/clock/advance', { ms: 60_000 });
    const first = await call(url, 'POST', '/api/v1/dev/deployment/list', { page_index: 1, page_size: PAGE });
    if (first.data.result_total !== n) throw new Error(`expected ${n} deployments, the list says ${first.data.result_total}`);
    if (first.data.list[0].running_num !== replicas) throw new Error(`expected ${replicas} running, got ${first.data.list[0].running_num}`);
    const rssBuilt = rssOf(proc.pid);
    // warm the JIT up on both sides alike (the same number of page requests), not counted
    for (let w = 0; w < 200; w++) await call(url, 'POST', '/api/v1/dev/deployment/list', { page_index: 1 + (w % Math.ceil(n / PAGE)), page_size: PAGE });
    const page = [];
    const mid = [];
    const pass = [];
    // run 0 is not counted either
    for (let r = 0; r <= runs; r++) {
      let t0 = process.hrtime.bigint();
      await call(url, 'POST', '/api/v1/dev/deployment/list', { page_index: 1, page_size: PAGE });
      if (r > 0) page.push(ms(t0));
      t0 = process.hrtime.bigint();
      await call(url, 'POST', '/api/v1/dev/deployment/list', { page_index: Math.ceil(n / PAGE / 2), page_size: PAGE });
      if (r > 0) mid.push(ms(t0));
      t0 = process.hrtime.bigint();
      let seen = 0;
      for (let p = 1; ; p++) {
        const res = await call(url, 'POST', '/api/v1/dev/deployment/list', { page_index: p, page_size: PAGE });
        seen += res.data.list.length;
        if (res.data.list.length < PAGE) break;
      }
      if (r > 0) pass.push(ms(t0));
      if (seen !== n) throw new Error(`full pass saw ${seen} of ${n}`);
    }
    return { n, page: median(page), mid: median(mid), pass: median(pass), rssBuilt, rss: rssOf(proc.pid) };
  } finally {
    proc.kill('SIGTERM');
    await once(proc, 'exit');
  }
}

/** A world in this process holding n deployments × replicas running containers: heap and RSS after GC. */
function measureMemory(n) {
  gc();
  const before = process.memoryUsage();
  let world = new World({ backgroundLoad: false, world: { hosts: [bigHost(n * replicas + 10)] } });
  const t = world.tenantFor(DEMO_TOKEN);
  const tpl = { gpuNames: [GPU], gpuNum: 1, cudaMin: 118, imageUuid: DEMO_IMAGE_UUID, cmd: 'sleep infinity', cpuFrom: 1, cpuTo: 100, memFrom: 1, memTo: 256 };
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    world.createDeployment(t, {
      name: `bench-${i}`,
      deployment_type: 'Job',
      replica_num: replicas,
      parallelism_num: replicas,
      reuse_container: false,
      reuse_container_scope: 'all',
      template: tpl,
      rawTemplate: { ...template },
    });
  }
  world.advance(60_000);
  const build = ms(t0);
  const containers = world.activeContainerCount();
  gc();
  const after = process.memoryUsage();
  const out = { n, containers, build, heap: after.heapUsed - before.heapUsed, rssDelta: after.rss - before.rss, rss: after.rss };
  world = undefined;
  gc();
  return out;
}

/** Real ms per simulated hour of a 20-replica ReplicaSet running `sleep 1`, hour by hour. */
function measureAdvance() {
  const world = new World({ backgroundLoad: false });
  const t = world.tenantFor(DEMO_TOKEN);
  const tpl = { gpuNames: [GPU], gpuNum: 1, cudaMin: 118, imageUuid: DEMO_IMAGE_UUID, cmd: 'sleep 1' };
  world.createDeployment(t, {
    name: 'bench-rs',
    deployment_type: 'ReplicaSet',
    replica_num: 20,
    parallelism_num: 20,
    reuse_container: true,
    reuse_container_scope: 'all',
    template: tpl,
    rawTemplate: { gpu_name_set: [GPU], gpu_num: 1, cuda_v: 118, image_uuid: DEMO_IMAGE_UUID, cmd: 'sleep 1' },
  });
  const per = [];
  for (let h = 0; h < hours; h++) {
    const t0 = process.hrtime.bigint();
    world.advance(3600_000);
    per.push(ms(t0));
  }
  const uuid = world.allDeployments()[0].uuid;
  const containers = world.listContainers(t, uuid, {}).length;
  return { per, containers };
}

console.log(`node ${process.version}, ${replicas} containers per deployment, page_size ${PAGE}, median of ${runs}\n`);
const lists = [];
for (const n of sizes) lists.push(await measureList(n));
console.log('deployment list over HTTP (autodl sim process):');
for (const r of lists) {
  console.log(`  ${String(r.n).padStart(6)} deployments: page 1 ${f2(r.page)} ms, middle page ${f2(r.mid)} ms, full pass ${f1(r.pass)} ms (${Math.ceil(r.n / PAGE)} pages); sim RSS ${f1(MB(r.rssBuilt))} MB when built, ${f1(MB(r.rss))} MB after the passes`);
}
const small = lists[0];
const large = lists[lists.length - 1];
if (lists.length > 1) {
  const k = large.n / small.n;
  console.log(`  ratios ${large.n} / ${small.n}: page 1 ${f2(large.page / small.page)}×, middle page ${f2(large.mid / small.mid)}×, full pass ${f2(large.pass / small.pass)}× raw, ${f2(large.pass / small.pass / k)}× per deployment listed (target ≤ 3×)`);
}

const mem = measureMemory(large.n);
console.log(`\nmemory: ${mem.n} deployments / ${mem.containers} running containers built in ${f1(mem.build)} ms: heap +${f1(MB(mem.heap))} MB, RSS +${f1(MB(mem.rssDelta))} MB (process RSS ${f1(MB(mem.rss))} MB; target < 300 MB)`);

const adv = measureAdvance();
console.log(`\nadvance: ReplicaSet of 20 replicas running \`sleep 1\`, ${adv.containers} containers after ${hours} simulated hours`);
console.log(`  ms per simulated hour: ${adv.per.map(f1).join(', ')}`);
console.log(`  ratio last hour / first hour: ${f2(adv.per[adv.per.length - 1] / adv.per[0])}× (≈ 1 when an advance costs what changes)`);
