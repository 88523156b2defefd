// The queue worker in a child process of its own, for the load section: its CPU time and
// memory are measured apart from the suite's (which holds the load generator's buffers and
// every earlier section's garbage). Env: WORKER_URL, WORKER_TOKEN, WORKER_DB, WORKER_ENTRIES,
// WORKER_TICKS. Fills the store, ticks once to warm up, then WORKER_TICKS times measured;
// sends {type:'result', created, cpu, wall, mem0, mem1} (memory after a GC) and exits.
import { AutodlClient } from '../src/api/index.js';
import { openSqliteStore, workerTick, type SubmitterContext } from '../src/queue/index.js';
import { jobBody } from './faults.js';

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const entries = Number(env('WORKER_ENTRIES'));
const ticks = Number(env('WORKER_TICKS'));
const store = await openSqliteStore({ path: env('WORKER_DB') });
const base = jobBody('x');
await store.add(
  Array.from({ length: entries }, (_, i) => ({ body: { ...jobBody(`wait-${i}`), container_template: { ...base.container_template, gpu_name_set: ['RTX 4090'] } } })),
  Date.now(),
);
const ctx: SubmitterContext = {
  store,
  api: new AutodlClient({ token: env('WORKER_TOKEN'), host: env('WORKER_URL'), retries: 0 }),
  workerId: 'load-worker',
  leaseMs: 60_000,
  now: Date.now,
  maxConsecutiveFailures: 3,
};
const gc = (globalThis as { gc?: () => void }).gc;
await workerTick(ctx, { follow: true }); // warm-up
gc?.();
const mem0 = process.memoryUsage();
const cpu: number[] = [];
const wall: number[] = [];
let created = 0;
for (let i = 0; i < ticks; i++) {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const r = await workerTick(ctx, { follow: true });
  wall.push(performance.now() - w0);
  const d = process.cpuUsage(c0);
  cpu.push((d.user + d.system) / 1000);
  created += r.created;
}
gc?.();
const mem1 = process.memoryUsage();
await store.close();
process.send!({ type: 'result', created, cpu, wall, mem0, mem1, gc: gc !== undefined }, () => process.exit(0));
