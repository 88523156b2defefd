// Section 4 — load: the simulator (in a child process of its own) under sustained requests
// from concurrent SDK clients on loopback, bounded in time and count; then the queue
// worker's tick over 1,000 waiting entries: CPU time and memory.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { AutodlClient } from '../src/api/index.js';
import { jobBody } from './faults.js';
import { check, mb, ms, newSection, percentile, report, ROOT, type Section, type Suite } from './lib.js';

type Mem = NodeJS.MemoryUsage;

function ask<T>(child: ChildProcess, type: string, reply: string): Promise<T> {
  return new Promise((res) => {
    const on = (m: { type: string } & Record<string, unknown>) => {
      if (m.type === reply) {
        child.off('message', on);
        res(m as T);
      }
    };
    child.on('message', on);
    child.send({ type });
  });
}

export async function load(suite: Suite): Promise<Section> {
  const { loadClients, loadSeconds, loadMaxRequests, workerEntries, workerTicks } = suite.sizes;
  const sec = newSection('load', '4. Load', `The simulator in its own process (manual clock) under ${loadClients} concurrent SDK clients (retries off) on loopback for ${loadSeconds} s or ${loadMaxRequests} requests, whichever comes first: a mix of stock, deployment/container/event/image/blacklist lists over 20 seeded deployments; then the queue worker's tick over ${workerEntries} waiting entries (SQLite store; no GPU free, so every entry is planned every tick).`);
  const tokens = Array.from({ length: 2 }, () => `rel-load-${randomBytes(12).toString('hex')}`);
  tokens.forEach((t) => suite.secret(t));
  const out = join(ROOT, 'node_modules', '.cache', 'autodl-reliability', `sim-proc-${process.pid}.mjs`);
  await build({ entryPoints: [fileURLToPath(new URL('./sim-proc.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'warning' });
  const child = fork(out, [], { execArgv: ['--expose-gc'], env: { ...process.env, SIM_TOKENS: tokens.join(',') }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let childErr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (childErr += d));
  child.stdout!.resume();
  const cmd = `${suite.rerun('load')} (simulator child + ${loadClients} AutodlClient loops)`;
  try {
    const { url } = await ask<{ url: string }>(child, '', 'ready').catch(() => ({ url: '' }));
    const seedClient = new AutodlClient({ token: tokens[0]!, host: url, retries: 0 });
    const deps: string[] = [];
    for (let i = 0; i < 20; i++) deps.push((await seedClient.deployments.create({ ...jobBody(`load-${i}`), deployment_type: 'ReplicaSet' })).deployment_uuid);
    await ask(child, 'advance', 'advanced');
    const memBefore = (await ask<{ mem: Mem }>(child, 'mem', 'mem')).mem;

    const latencies: number[] = [];
    let errors = 0;
    let firstError = '';
    let sent = 0;
    const deadline = performance.now() + loadSeconds * 1000;
    const t0 = performance.now();
    const loops = Array.from({ length: loadClients }, async (_, k) => {
      const c = new AutodlClient({ token: tokens[k % 2]!, host: url, retries: 0, timeoutMs: 10_000 });
      const dep = deps[k % deps.length]!;
      const ops: Array<() => Promise<unknown>> = [
        () => c.stock.get(),
        () => c.deployments.list({}, { page_index: 1, page_size: 20 }),
        () => c.containers.list({ deployment_uuid: dep }),
        () => c.events.list({ deployment_uuid: dep }),
        () => c.images.list(),
        () => c.blacklist.list(),
      ];
      for (let i = k; performance.now() < deadline && sent < loadMaxRequests; i++) {
        sent++;
        const t = performance.now();
        try {
          await ops[i % ops.length]!();
          latencies.push(performance.now() - t);
        } catch (e) {
          errors++;
          firstError ||= e instanceof Error ? e.message : String(e);
        }
      }
    });
    await Promise.all(loops);
    const seconds = (performance.now() - t0) / 1000;
    const memAfter = (await ask<{ mem: Mem }>(child, 'mem', 'mem')).mem;
    latencies.sort((a, b) => a - b);
    check(sec, 'errors (failed requests)', `${errors} of ${sent}`, errors === 0, cmd, firstError);
    report(sec, 'requests / duration', `${sent} in ${seconds.toFixed(1)} s`, cmd);
    report(sec, 'throughput', `${Math.round(latencies.length / seconds)} requests/s`, cmd);
    report(sec, 'latency p50 / p99 / max', `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))} / ${ms(latencies[latencies.length - 1] ?? NaN)}`, cmd);
    report(sec, 'simulator RSS before → after (after a GC)', `${mb(memBefore.rss)} → ${mb(memAfter.rss)}`, cmd);
    report(sec, 'simulator heap used before → after (after a GC)', `${mb(memBefore.heapUsed)} → ${mb(memAfter.heapUsed)}`, cmd);

    // ---- the worker with 1,000 waiting entries ----
    await fetch(`${url}/__sim/occupy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ gpu_name: 'RTX 4090', count: 100_000 }) });
    const db = join(suite.work, 'load-queue.db');
    const workerOut = join(ROOT, 'node_modules', '.cache', 'autodl-reliability', `worker-proc-${process.pid}.mjs`);
    await build({ entryPoints: [fileURLToPath(new URL('./worker-proc.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: workerOut, external: ['better-sqlite3'], banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" }, logLevel: 'warning' });
    const worker = fork(workerOut, [], {
      execArgv: ['--expose-gc'],
      env: { ...process.env, WORKER_URL: url, WORKER_TOKEN: tokens[0]!, WORKER_DB: db, WORKER_ENTRIES: String(workerEntries), WORKER_TICKS: String(workerTicks) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let workerErr = '';
    worker.stderr!.setEncoding('utf8').on('data', (d: string) => (workerErr += d));
    type WorkerResult = { created: number; cpu: number[]; wall: number[]; mem0: Mem; mem1: Mem; gc: boolean };
    const result = await new Promise<WorkerResult>((res, rej) => {
      worker.once('message', (m: WorkerResult) => res(m));
      worker.once('exit', (code) => rej(new Error(`worker child exited ${code}: ${workerErr.slice(-500)}`)));
    }).finally(() => rmSync(workerOut, { force: true }));
    const { created, cpu, wall, mem0: heap0, mem1: heap1 } = result;
    cpu.sort((a, b) => a - b);
    wall.sort((a, b) => a - b);
    const cmdW = `${suite.rerun('load')} (workerTick × ${workerTicks}, ${workerEntries} pending entries, SQLite store)`;
    check(sec, 'worker: creates while no GPU is free', created, created === 0, cmdW);
    report(sec, `worker tick over ${workerEntries} entries: CPU time median / max`, `${ms(percentile(cpu, 50))} / ${ms(cpu[cpu.length - 1] ?? NaN)}`, cmdW);
    report(sec, 'worker tick: wall time median / max (includes the stock request)', `${ms(percentile(wall, 50))} / ${ms(wall[wall.length - 1] ?? NaN)}`, cmdW);
    report(sec, `worker process (a child of its own): RSS / heap used before → after ${workerTicks} ticks${result.gc ? ' (after a GC)' : ''}`, `${mb(heap0.rss)} → ${mb(heap1.rss)} / ${mb(heap0.heapUsed)} → ${mb(heap1.heapUsed)}`, cmdW);

    const { secrets } = await ask<{ secrets: string[] }>(child, 'secrets', 'secrets');
    secrets.forEach((s) => suite.secret(s));
    child.send({ type: 'stop' });
    await new Promise((r) => child.once('exit', r));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    suite.capture('load simulator child (stderr)', childErr);
    rmSync(out, { force: true });
  }
  return sec;
}
