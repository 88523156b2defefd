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
//
// Freed GPU to use (issue 14, §4), a second table: for each N of --latency-sizes (default
// 100,500) a simulator without background load and every GPU of the types occupied; N
// entries wait, either in the queue (ONE `autodl queue run` worker, --interval as above and
// --stock-interval between ticks) or as min(N, --pool) `autodl submit` pollers (each checks
// the stock every --interval and creates when its type is idle, like the original
// queue_submit.py). Once every poller has polled, --frees times one GPU is freed (at a seeded
// random gap) and the simulated seconds until it is used — one more GPU held by a container
// of ours: a create that took it, or a deployment a poller created earlier without a GPU that
// the simulator placed on it — are recorded (the Jobs hold their GPU for longer than the run).
// Reported per mode: mean/max seconds from the free to the use, API calls per simulated
// minute during the frees, the deployments of ours at the end (more than --frees: pollers that
// created on the same idle GPU), and the ratios queue / pollers. Runs at --latency-speed (default
// 10, so that --latency-interval 3 s real = 30 s simulated: at a higher speed a second the
// 100 poller processes wait for a CPU is a minute of simulated time, and their latency
// measures the machine, not their polling). The worker polls the stock at its own default
// for N waiting, scaled to simulated time (defaultStockSeconds), unless --stock-interval S
// (real seconds) is given.
// Two more rows per N, both N pollers in THIS process (the same engine as `autodl submit`,
// submitAndWait from dist/index.js, each with its own SDK client and in-memory store; one
// process, so N = 500 is really 500 and none is starved of a CPU):
//   inproc-once    all N started at once, as a shell loop starting N submits does (their
//                  polls come in one burst per interval);
//   inproc-spread  started at seeded random moments over one interval (independent users:
//                  polls evenly spread; the pollers' best case — the first of N polls within
//                  about interval / (N + 1) of any moment).
// --latency-modes queue,pollers,inproc-once,inproc-spread picks the rows (q/x ratios against
// each poller row).
// --latency-sizes '' skips it; --sizes '' skips the first table.
import { spawn } from 'node:child_process';
import { once, setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const argv = process.argv.slice(2);
function opt(name, def) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
}
const list = (v) => String(v).split(',').filter((x) => x.length > 0).map(Number);
const sizes = list(opt('sizes', '10,100,500'));
const latencySizes = list(opt('latency-sizes', '100,500'));
const latencySpeed = Number(opt('latency-speed', 10));
const latencyInterval = Number(opt('latency-interval', 3));
const stockInterval = opt('stock-interval', undefined) === undefined ? undefined : Number(opt('stock-interval', 0));
/**
 * The worker's default stock poll (src/queue/worker.ts defaultStockInterval) for `waiting`
 * entries at the SIMULATED scale, in real seconds: --interval and the poll scale with
 * --latency-speed, but the default's 1 s floor is real time, so the bench passes the poll the
 * worker would take with a 30 s interval of real time.
 */
function defaultStockSeconds(waiting) {
  const simMs = latencyInterval * latencySpeed * 1000;
  const polls = Math.max(6, Math.ceil(waiting / 10));
  return Math.min(simMs, Math.max(1000, Math.round(simMs / polls))) / 1000 / latencySpeed;
}
const latencyModes = String(opt('latency-modes', 'queue,pollers,inproc-once,inproc-spread')).split(',').filter((x) => x.length > 0);
const frees = Number(opt('frees', 10));
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

function template(name, i, holdS = hold) {
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
      // the simulator reads `…; sleep N` as its default run time (60 s): a held GPU needs `sleep infinity`
      cmd: holdS === Infinity ? `sleep infinity` : `python train.py --shard ${i}; sleep ${holdS}`,
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

async function startSim(o = {}) {
  const extra = o.noBackground ? ['--no-background'] : [];
  const sim = spawn(node, [CLI, 'sim', '--port', '0', '--speed', String(o.speed ?? speed), '--seed', String(seed), '--token', TOKEN, ...extra], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [line] = await once(createInterface({ input: sim.stdout }), 'line');
  const url = line.trim();
  const admin = async (method, path, body) => {
    // a kept-alive socket the server has just closed fails once: try again on a new one
    for (let i = 0; ; i++) {
      try {
        const r = await fetch(`${url}${path}`, { method, ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
        return (await r.json()).data;
      } catch (e) {
        if (i >= 3 || sim.exitCode !== null) throw e;
      }
    }
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


/** A seeded random number in [0, 1) (mulberry32). */
function rng(seed0) {
  let a = seed0 >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const sleepReal = (ms) => new Promise((r) => setTimeout(r, ms));
/** The latency runs' Jobs never end: no GPU of ours frees during a run. */
const LAT_HOLD_S = Infinity;

/** Freed GPU → create latency for one mode ('queue' | 'pollers'), N entries waiting. */
async function latencyMode(kind, n) {
  const sim = await startSim({ speed: latencySpeed, noBackground: true });
  const children = [];
  const tasks = [];
  const inprocErrors = [];
  let stopInproc = async () => {};
  try {
    for (const g of gpus) await sim.admin('POST', '/__sim/occupy', { gpu_name: g, count: 100_000 });
    const env = baseEnv(sim.url);
    const ours = async () => (await sim.admin('GET', '/__sim/deployments')).filter((d) => d.tenant !== undefined);
    // GPUs held by our containers (no background tenants in this world: every tenant is us)
    const inUse = async () => (await sim.admin('GET', '/__sim/hosts')).reduce((a, h) => a + h.used_by_tenants, 0);
    let procs;
    if (kind === 'queue') {
      const db = join(work, `lat-queue-${n}.db`);
      const tpl = join(work, `lat-tpl-${n}.json`);
      writeFileSync(tpl, JSON.stringify(template('lq{{i}}', '{{i}}', LAT_HOLD_S)));
      const values = Array.from({ length: n }, (_, i) => String(i + 1)).join(',');
      const add = await run(['sweep', tpl, '--param', `i=${values}`, '--db', db, '--json'], env, { quiet: false });
      if (add.code !== 0) throw new Error(`sweep failed: ${add.out} ${add.err}`);
      const args = ['queue', 'run', '--interval', String(latencyInterval), '--stock-interval', String(stockInterval ?? defaultStockSeconds(n)), '--db', db, '--json', '--worker-id', `lat-${n}`];
      children.push(spawn(node, [CLI, ...args], { env, stdio: 'ignore' }));
      procs = 1;
    } else if (kind.startsWith('inproc')) {
      // N pollers in this process: the engine of `autodl submit` (submitAndWait), each with
      // its own client and in-memory store; 'inproc-spread' starts them at seeded random
      // moments over one interval, 'inproc-once' all at once
      const { createClient, prepareSpec, submitAndWait } = await import('../dist/index.js');
      const ac = new AbortController();
      setMaxListeners(0, ac.signal); // one sleep listener per poller
      const start = rng(seed + n);
      for (let i = 1; i <= n; i++) {
        const api = createClient({ host: sim.url, token: TOKEN });
        const { body } = prepareSpec(template(`lp${i}`, i, LAT_HOLD_S), { dialect: api.dialect });
        const delay = kind === 'inproc-spread' ? start() * latencyInterval * 1000 : 0;
        const task = (async () => {
          await sleepReal(delay);
          if (ac.signal.aborted) return;
          await submitAndWait({ api, body, intervalMs: Math.round(latencyInterval * 1000), timeoutSec: 0, signal: ac.signal });
        })().catch((e) => {
          if (!ac.signal.aborted) inprocErrors.push(e);
        });
        tasks.push(task);
      }
      stopInproc = async () => {
        ac.abort();
        await Promise.allSettled(tasks);
      };
      procs = n;
    } else {
      procs = Math.min(n, pool);
      for (let i = 1; i <= procs; i++) {
        // a store file of its own each (no lock shared between the pollers: as the original script, which had none)
        const penv = { ...env, AUTODL_QUEUE_DB: join(work, `lat-submit-${n}-${i}.db`) };
        const f = join(work, `lat-ind-${n}-${i}.json`);
        writeFileSync(f, JSON.stringify(template(`li${i}`, i, LAT_HOLD_S)));
        children.push(spawn(node, [CLI, 'submit', f, '--interval', String(latencyInterval), '--json'], { env: penv, stdio: 'ignore' }));
      }
    }
    // warm-up: every process has read the stock at least once (and then one more interval)
    const stockCalls = async () => {
      const st = await sim.admin('GET', '/__sim/stats');
      return Object.entries(st.byRoute).filter(([r]) => r.includes('gpu_stock')).reduce((a, [, v]) => a + v, 0);
    };
    for (let i = 0; (await stockCalls()) < procs; i++) {
      if (i > 3000) throw new Error('the waiting processes never polled the stock');
      await sleepReal(20);
    }
    await sleepReal(latencyInterval * 1000 * 1.5);
    if ((await ours()).length !== 0) throw new Error('a deployment was created before any GPU was free');
    await sim.admin('DELETE', '/__sim/stats');
    const t0 = (await sim.admin('GET', '/__sim/clock')).now;
    const r = rng(seed);
    const lat = [];
    let held = await inUse();
    for (let k = 0; k < frees; k++) {
      const tFree = (await sim.admin('GET', '/__sim/clock')).now;
      await sim.admin('POST', '/__sim/free', { gpu_name: gpus[0], count: 1 });
      // "used": one more GPU held by a container of ours — a create that took it, or (pollers)
      // a deployment created earlier without a GPU that the platform placed on it. It happened
      // after `lo` (a clock read before a hosts read that showed no more) and before `hi` (a
      // clock read after the read that showed it): the estimate is the midpoint
      let lo = tFree;
      let got;
      for (let i = 0; got === undefined; i++) {
        if (i > 6000) throw new Error(`${kind}: the freed GPU was not used within 60 s real after free ${k + 1}`);
        await sleepReal(5);
        const a = (await sim.admin('GET', '/__sim/clock')).now;
        const u = await inUse();
        if (u > held) {
          const hi = (await sim.admin('GET', '/__sim/clock')).now;
          got = (lo + hi) / 2;
          held = u;
        } else lo = a;
      }
      lat.push((got - tFree) / 1000);
      // the next free after a seeded gap of 0.5–1.5 intervals (simulated time passes meanwhile)
      await sleepReal(latencyInterval * 1000 * (0.5 + r()));
    }
    const t1 = (await sim.admin('GET', '/__sim/clock')).now;
    const stats = await sim.admin('GET', '/__sim/stats');
    const minutes = (t1 - t0) / 60_000;
    if (inprocErrors.length > 0) throw new Error(`${kind}: ${inprocErrors.length} poller(s) failed: ${inprocErrors[0]}`);
    const created = (await ours()).length;
    return { mean: lat.reduce((a, b) => a + b, 0) / lat.length, max: Math.max(...lat), callsPerMin: stats.total / minutes, calls: stats.total, procs, created };
  } finally {
    await stopInproc();
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'close') : undefined)));
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
if (latencySizes.length > 0) {
  console.log(
    `\nfreed GPU to use: sim --speed ${latencySpeed} --no-background, every GPU of ${gpus.join('|')} occupied, ${frees} frees of one ${gpus[0]}; ` +
      `interval ${latencyInterval} s real = ${fmt(latencyInterval * latencySpeed)} s simulated; queue stock poll ${stockInterval === undefined ? `the worker's default for N waiting (${latencySizes.map((n) => `N=${n}: ${fmt(defaultStockSeconds(n) * latencySpeed)} s`).join(', ')} simulated)` : `${stockInterval} s real = ${fmt(stockInterval * latencySpeed)} s simulated`}`,
  );
  console.log(`    N  mode           procs  mean-s  max-s  calls/sim-min  created`);
  for (const n of latencySizes) {
    const got = [];
    for (const mode of latencyModes) got.push([mode, await latencyMode(mode, n)]);
    const line = (mode, m) => `${String(n).padStart(5)}  ${mode.padEnd(13)}  ${String(m.procs).padStart(5)}  ${fmt(m.mean, 2).padStart(6)}  ${fmt(m.max, 1).padStart(5)}  ${fmt(m.callsPerMin, 1).padStart(13)}  ${String(m.created).padStart(7)}`;
    for (const [mode, m] of got) console.log(line(mode, m));
    const q = got.find(([mode]) => mode === 'queue')?.[1];
    if (q) {
      for (const [mode, m] of got) {
        if (mode === 'queue') continue;
        console.log(`${String(n).padStart(5)}  ${`q/${mode}`.padEnd(13)}  ${''.padStart(5)}  ${fmt(q.mean / m.mean, 2).padStart(6)}  ${''.padStart(5)}  ${fmt(q.callsPerMin / m.callsPerMin, 3).padStart(13)}`);
      }
    }
  }
}
rmSync(work, { recursive: true, force: true });
