// The durable queue versus independent submits, side by side in one run (issue 4, §6).
//
// For each N (default 10, 100, 500) the same N one-GPU Jobs are submitted twice, each time
// against a fresh `autodl sim` process started with the same seed and speed, so both see the
// same simulated trace: background tenants fill ~75 % of the GPUs and free them over
// simulated time (seeded), and the submitted Jobs hold their GPU for --hold simulated seconds.
//
//   queue        `autodl sweep` adds the N entries to a fresh queue DB (before the simulator
//                starts: no API call), then ONE `autodl queue run --drain` worker submits them.
//   independent  N `autodl submit <config>` processes, each checking the image and GPU type
//                and polling stock on its own (the original skill's way), at most --pool at
//                once (a new one starts when one ends).
//
// Both use the same poll interval (--interval, real seconds; × --speed = simulated seconds;
// the defaults give the original's 30 simulated seconds). Reported per mode: API calls
// received by the simulator (its /__sim/stats, admin calls excluded), stock calls, creates,
// simulated minutes from the start until the last deployment was created, wall seconds, and
// the ratios queue / independent. Each run is checked: exactly N deployments, one per name.
// No thresholds: this is a measurement, not a test.
//
// Usage: npm run build && node bench/queue.mjs [--sizes 10,100,500] [--speed 300]
//        [--interval 0.1] [--hold 300] [--pool 100] [--seed 7] [--gpus 'RTX 4090,RTX 3090']
// (--gpus L20: 8 cards, so the Jobs contend for GPUs and the independent submits really wait)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const argv = process.argv.slice(2);
function opt(name, def) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
}
const sizes = String(opt('sizes', '10,100,500')).split(',').map(Number);
const speed = Number(opt('speed', 300));
const interval = Number(opt('interval', 0.1));
const hold = Number(opt('hold', 300));
const pool = Number(opt('pool', 100));
const seed = Number(opt('seed', 7));
const gpus = String(opt('gpus', 'RTX 4090,RTX 3090')).split(',');

const node = process.execPath;
const CLI = 'dist/autodl.cjs';
const TOKEN = 'bench-queue-token-0123456789';
const IMAGE = 'image-6b5ad2b1ce'; // DEMO_IMAGE_UUID, owned by every tenant
const work = mkdtempSync(join(tmpdir(), 'autodl-bench-queue-'));

function template(name, i) {
  return {
    name,
    deployment_type: 'Job',
    replica_num: 1,
    parallelism_num: 1,
    container_template: {
      gpu_name_set: gpus,
      gpu_num: 1,
      cuda_v: 117,
      cpu_num_from: 1,
      cpu_num_to: 200,
      memory_size_from: 8,
      memory_size_to: 800,
      price_from: 100,
      price_to: 90000,
      image_uuid: IMAGE,
      cmd: `python train.py --shard ${i}; sleep ${hold}`,
    },
  };
}

function run(args, env, { quiet = true } = {}) {
  const child = spawn(node, [CLI, ...args], { env, stdio: ['ignore', 'pipe', quiet ? 'ignore' : 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d) => (err += d));
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) => res({ code, out, err }));
  });
}

async function startSim() {
  const sim = spawn(node, [CLI, 'sim', '--port', '0', '--speed', String(speed), '--seed', String(seed), '--token', TOKEN], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [line] = await once(createInterface({ input: sim.stdout }), 'line');
  const url = line.trim();
  const admin = async (method, path) => {
    const r = await fetch(`${url}${path}`, { method });
    return (await r.json()).data;
  };
  return { url, admin, stop: () => sim.kill('SIGTERM') };
}

function baseEnv(url) {
  const env = { ...process.env, AUTODL_TOKEN: TOKEN, NO_COLOR: '1', AUTODL_LANG: 'en' };
  if (url) env.AUTODL_HOST = url;
  for (const k of Object.keys(env)) if (k === 'AUTODL_QUEUE_DB') delete env[k];
  return env;
}

/** Stats, simulated minutes to the last create, and the exactly-once check. */
async function measure(sim, t0Sim, wallMs, names) {
  const stats = await sim.admin('GET', '/__sim/stats');
  const deps = await sim.admin('GET', '/__sim/deployments?include_deleted=1');
  const mine = deps.filter((d) => d.tenant !== undefined);
  // `autodl submit` marks its create as `<name>-q<8>` too (its one entry in the queue store)
  const base = (name) => (names.includes(name) ? name : name.replace(/-q[0-9a-z]{8}$/, ''));
  const counts = new Map();
  for (const d of mine) counts.set(base(d.name), (counts.get(base(d.name)) ?? 0) + 1);
  const missing = names.filter((n) => !counts.has(n));
  const dup = [...counts.values()].filter((c) => c > 1).length;
  if (mine.length !== names.length || missing.length > 0 || dup > 0) {
    throw new Error(`expected ${names.length} deployments, one per name: got ${mine.length}, missing ${missing.length}, duplicated ${dup}`);
  }
  const last = Math.max(...mine.map((d) => Date.parse(d.created_at)));
  const route = (k) => Object.entries(stats.byRoute).filter(([r]) => r.includes(k)).reduce((s, [, n]) => s + n, 0);
  return {
    calls: stats.total,
    stock: route('gpu_stock'),
    creates: stats.byRoute['POST /api/v1/dev/deployment'] ?? 0,
    lists: stats.byRoute['POST /api/v1/dev/deployment/list'] ?? 0,
    simMin: (last - t0Sim) / 60_000,
    wallS: wallMs / 1000,
  };
}

async function queueMode(n) {
  const db = join(work, `queue-${n}.db`);
  const tpl = join(work, `tpl-${n}.json`);
  writeFileSync(tpl, JSON.stringify(template('bq{{i}}', '{{i}}')));
  const values = Array.from({ length: n }, (_, i) => String(i + 1)).join(',');
  const sim = await startSim();
  try {
    // The sweep sends no API call; it runs against the worker's host and token because an
    // entry belongs to the account (host + token) it was added for (issue 11).
    const add = await run(['sweep', tpl, '--param', `i=${values}`, '--db', db, '--json'], baseEnv(sim.url), { quiet: false });
    if (add.code !== 0) throw new Error(`sweep failed: ${add.out} ${add.err}`);
    const entries = JSON.parse(add.out).entries;
    const t0Sim = (await sim.admin('GET', '/__sim/clock')).now;
    const t0 = performance.now();
    const r = await run(['queue', 'run', '--drain', '--interval', String(interval), '--db', db, '--json', '--worker-id', `bench-${n}`], baseEnv(sim.url));
    const wall = performance.now() - t0;
    if (r.code !== 0) throw new Error(`queue run exited ${r.code}: ${r.out}`);
    return { ...(await measure(sim, t0Sim, wall, entries.map((e) => e.deployment_name))), processes: 1 };
  } finally {
    sim.stop();
  }
}

async function independentMode(n) {
  const files = [];
  const names = [];
  for (let i = 1; i <= n; i++) {
    const name = `bi${i}`;
    const p = join(work, `ind-${n}-${i}.json`);
    writeFileSync(p, JSON.stringify(template(name, i)));
    files.push(p);
    names.push(name);
  }
  const sim = await startSim();
  try {
    // `autodl submit` records its entry in a queue store (issue 11): a file of this run, never the user's own queue
    const env = { ...baseEnv(sim.url), AUTODL_QUEUE_DB: join(work, `submits-${n}.db`) };
    const t0Sim = (await sim.admin('GET', '/__sim/clock')).now;
    const t0 = performance.now();
    let next = 0;
    let failed = 0;
    const worker = async () => {
      while (next < files.length) {
        const f = files[next++];
        const r = await run(['submit', f, '--interval', String(interval), '--json'], env);
        if (r.code !== 0) {
          failed++;
          if (failed === 1) console.error(`submit ${f} exited ${r.code}: ${r.out.slice(0, 500)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(pool, n) }, worker));
    const wall = performance.now() - t0;
    if (failed > 0) throw new Error(`${failed} submit process(es) failed`);
    return { ...(await measure(sim, t0Sim, wall, names)), processes: n };
  } finally {
    sim.stop();
  }
}

const fmt = (x, d = 1) => (Number.isInteger(x) ? String(x) : x.toFixed(d));
const rows = [];
console.log(
  `node ${process.version}; sim --speed ${speed} --seed ${seed} (background load on); interval ${interval} s real = ${fmt(interval * speed)} s simulated; ` +
    `gpu_name_set ${gpus.join('|')}; hold ${hold} s simulated; independent submits at most ${pool} at once`,
);
for (const n of sizes) {
  const q = await queueMode(n);
  const ind = await independentMode(n);
  rows.push({ n, q, ind });
  const line = (mode, m) =>
    `${String(n).padStart(5)}  ${mode.padEnd(11)}  ${String(m.calls).padStart(7)}  ${String(m.stock).padStart(6)}  ${String(m.lists).padStart(6)}  ${String(m.creates).padStart(7)}  ${fmt(m.simMin).padStart(9)}  ${fmt(m.wallS).padStart(7)}  ${String(m.processes).padStart(5)}`;
  if (rows.length === 1) console.log(`    N  mode         API calls   stock   lists  creates  sim-min  wall-s  procs`);
  console.log(line('queue', q));
  console.log(line('independent', ind));
  console.log(
    `${String(n).padStart(5)}  ${'ratio q/i'.padEnd(11)}  ${fmt(q.calls / ind.calls, 3).padStart(7)}  ${fmt(q.stock / ind.stock, 3).padStart(6)}  ${''.padStart(6)}  ${''.padStart(7)}  ${fmt(q.simMin / ind.simMin, 2).padStart(9)}  ${fmt(q.wallS / ind.wallS, 2).padStart(7)}`,
  );
}
rmSync(work, { recursive: true, force: true });
