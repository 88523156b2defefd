// Simulator hosts for the queue's end-to-end tests.
import type { AutodlClient } from '../../src/api/index.js';
import { runWorker, type QueueEvent, type QueueStore } from '../../src/queue/index.js';
import type { HostConfig, Simulator } from '../../src/sim/index.js';

/** A host of `n` cards of `gpu` in westDC2 at ¥1.5/GPU·h. */
export const host = (id: string, gpu: string, n: number): HostConfig => ({
  machine_id: id,
  data_center: 'westDC2',
  gpu_name: gpu,
  gpu_num: n,
  cpu_num: 16 * n,
  memory_gb: 90 * n,
  max_cuda: 122,
  price_per_gpu: 1500,
});


/**
 * Run the worker against a manual-clock simulator, tick by tick (interval and stock poll
 * `stepMs`), until `until` says so or `maxTicks`: the clock moves only in the worker's sleeps.
 * The events it emitted, but ticks and observations.
 */
export async function driveOnManualClock(
  sim: Simulator,
  api: AutodlClient,
  store: QueueStore,
  o: { workerId: string; stepMs: number; maxTicks: number; budget?: number; until?: () => Promise<boolean> | boolean },
): Promise<QueueEvent[]> {
  const events: QueueEvent[] = [];
  const ac = new AbortController();
  await runWorker({
    store,
    api,
    workerId: o.workerId,
    intervalMs: o.stepMs,
    stockIntervalMs: o.stepMs,
    maxTicks: o.maxTicks,
    now: () => sim.world.now(),
    followGraceMs: 0,
    signal: ac.signal,
    ...(o.budget !== undefined ? { budget: o.budget } : {}),
    onEvent: (e) => {
      if (e.type !== 'tick' && e.type !== 'observed') events.push(e);
    },
    sleep: async (ms) => {
      sim.clock.advance(ms);
      if (o.until && (await o.until())) ac.abort();
    },
  });
  return events;
}
