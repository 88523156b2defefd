// Simulator hosts for the queue's end-to-end tests.
import type { HostConfig } from '../../src/sim/index.js';

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
