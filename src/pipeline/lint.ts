// lint: warnings about configs that are valid but probably not what the user wants.
// The CLI prints them; `--strict` turns them into validation errors.

import { KNOWN_DATA_CENTERS, type CreateDeploymentBody } from '../api/types.js';
import { english, said, type Said } from '../i18n/index.js';
import { endsInBackground, endsInSleepInfinity, mixesAndOr, usesCondaActivate } from './shell.js';
import type { HostShape, LintContext, SpecWarning } from './types.js';

/**
 * Typical AutoDL host shapes per GPU model — A GUESS, not platform data. One scheduling
 * unit is 1 GPU + cpu_per_gpu vCPU + memory_gb_per_gpu GB; max_gpus per host. A model may
 * have several shapes (a floor or ceiling is flagged only when NO shape of ANY requested
 * model can meet it). Sources: the platform's own example (8 × RTX 3090, 128 cores, 720 GB
 * → 16 vCPU + 90 GB), the observation that a 16 GB memory floor fails on RTX 4090 D where
 * 8 GB works (a small unit), common AutoDL instance sizes. Private clouds differ: pass real
 * shapes in `context.hostShapes` to override.
 */
export const DEFAULT_HOST_SHAPES: readonly HostShape[] = [
  { gpu_name: 'RTX 4090', max_gpus: 8, cpu_per_gpu: 16, memory_gb_per_gpu: 60 },
  { gpu_name: 'RTX 4090', max_gpus: 8, cpu_per_gpu: 16, memory_gb_per_gpu: 90 },
  { gpu_name: 'RTX 4090', max_gpus: 8, cpu_per_gpu: 14, memory_gb_per_gpu: 60 },
  { gpu_name: 'RTX 4090 D', max_gpus: 8, cpu_per_gpu: 12, memory_gb_per_gpu: 15 },
  { gpu_name: 'RTX 3090', max_gpus: 8, cpu_per_gpu: 16, memory_gb_per_gpu: 90 },
  { gpu_name: 'RTX 3090', max_gpus: 8, cpu_per_gpu: 12, memory_gb_per_gpu: 45 },
  { gpu_name: 'RTX 3080 Ti', max_gpus: 8, cpu_per_gpu: 12, memory_gb_per_gpu: 60 },
  { gpu_name: 'RTX 2080 Ti', max_gpus: 8, cpu_per_gpu: 8, memory_gb_per_gpu: 32 },
  { gpu_name: 'RTX 5090', max_gpus: 8, cpu_per_gpu: 16, memory_gb_per_gpu: 90 },
  { gpu_name: 'L20', max_gpus: 8, cpu_per_gpu: 16, memory_gb_per_gpu: 90 },
  { gpu_name: 'A800-80GB', max_gpus: 8, cpu_per_gpu: 14, memory_gb_per_gpu: 120 },
  { gpu_name: 'A100-SXM4-80GB', max_gpus: 8, cpu_per_gpu: 14, memory_gb_per_gpu: 120 },
  { gpu_name: 'H800', max_gpus: 8, cpu_per_gpu: 20, memory_gb_per_gpu: 200 },
];

/** Memory values above this many GB are probably bytes (or MB): 4 TB per container is implausible. */
export const MEMORY_GB_PLAUSIBLE_MAX = 4096;

/**
 * Memory values at or above this are bytes for certain (1 GiB written in bytes; a billion GB per
 * container does not exist): validate refuses them (validation_error) instead of warning.
 */
export const MEMORY_BYTES_CERTAIN = 1024 ** 3;

/** The most GPUs any known host type has (the built-in shapes): a container cannot have more. */
export function maxGpusPerHost(shapes: readonly HostShape[] = DEFAULT_HOST_SHAPES): number {
  let max = 0;
  for (const s of shapes) max = Math.max(max, s.max_gpus ?? Infinity);
  return max === 0 ? Infinity : max;
}

/** "NVIDIA GeForce RTX 4090" and "RTX 4090" name the same model. */
export function canonicalGpuName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\bnvidia\b|\bgeforce\b/g, ' ')
    .replace(/[\s_]+/g, ' ')
    .trim();
}

const T = 'container_template';

export function lint(body: CreateDeploymentBody, context: LintContext = {}): SpecWarning[] {
  const out: SpecWarning[] = [];
  const tpl = body.container_template;
  const cmd = typeof tpl.cmd === 'string' ? tpl.cmd : '';

  const type = typeof body.deployment_type === 'string' ? body.deployment_type : 'Job';
  if (mixesAndOr(cmd)) {
    out.push({
      code: 'cmd_and_or_trap',
      path: `${T}.cmd`,
      message: english('lint.andOr', { type }),
    });
  }
  if (body.deployment_type === 'Job' && endsInSleepInfinity(cmd)) {
    out.push({
      code: 'cmd_never_ends',
      path: `${T}.cmd`,
      message: english('lint.sleepInfinity'),
    });
  }
  if (endsInBackground(cmd)) {
    out.push({
      code: 'cmd_background_only',
      path: `${T}.cmd`,
      message: english('lint.background'),
    });
  }
  if (usesCondaActivate(cmd)) {
    out.push({
      code: 'cmd_conda_activate',
      path: `${T}.cmd`,
      message: english('lint.conda'),
    });
  }

  for (const k of ['memory_size_from', 'memory_size_to'] as const) {
    const v = tpl[k];
    if (typeof v === 'number' && v > MEMORY_GB_PLAUSIBLE_MAX && v < MEMORY_BYTES_CERTAIN) {
      const guess = v >= 1024 ** 3 ? said('lint.memoryIfBytes', { gb: Math.round(v / 1024 ** 3) }) : said('lint.memoryIfMb', { gb: Math.round(v / 1024) });
      out.push({
        code: 'memory_looks_like_bytes',
        path: `${T}.${k}`,
        message: english('lint.memoryBytes', { field: k, value: v, guess }),
      });
    }
  }

  out.push(...lintShapes(body, context));

  const prices = (context.pricesSeen ?? []).filter((p) => typeof p === 'number' && Number.isFinite(p));
  if (typeof tpl.price_to === 'number' && prices.length > 0) {
    const cheapest = Math.min(...prices);
    // pricesSeen are per GPU; a container costs at least that much, whether price_to is per GPU or per container.
    if (tpl.price_to < cheapest) {
      out.push({
        code: 'price_below_all',
        path: `${T}.price_to`,
        message: english('lint.priceBelowAll', { price: tpl.price_to, cheapest }),
      });
    }
  }

  if (context.liveNames?.includes(body.name)) {
    out.push({ code: 'name_in_use', path: 'name', message: english('lint.nameInUse', { name: body.name }) });
  }

  if (body.deployment_type === 'Container' && (body.replica_num !== undefined || body.parallelism_num !== undefined)) {
    out.push({
      code: 'field_ignored',
      path: body.replica_num !== undefined ? 'replica_num' : 'parallelism_num',
      message: english('lint.containerCounts'),
    });
  }
  if (body.deployment_type === 'ReplicaSet' && body.parallelism_num !== undefined) {
    out.push({ code: 'field_ignored', path: 'parallelism_num', message: english('lint.replicaSetParallelism') });
  }

  const dcs = 'dc_list' in tpl && Array.isArray(tpl.dc_list) ? tpl.dc_list : [];
  dcs.forEach((dc, i) => {
    if (typeof dc === 'string' && !(KNOWN_DATA_CENTERS as readonly string[]).includes(dc)) {
      out.push({
        code: 'unknown_data_center',
        path: `${T}.dc_list[${i}]`,
        message: english('lint.unknownDc', { dc, known: KNOWN_DATA_CENTERS.join(', ') }),
      });
    }
  });
  return out;
}

/** floor_unsatisfiable / ceiling_unsatisfiable: no known host shape gives gpu_num units inside the ranges. */
function lintShapes(body: CreateDeploymentBody, context: LintContext): SpecWarning[] {
  const tpl = body.container_template;
  const custom = context.hostShapes !== undefined;
  const shapes = context.hostShapes ?? DEFAULT_HOST_SHAPES;
  const names = new Set((tpl.gpu_name_set ?? []).map(canonicalGpuName));
  const relevant = shapes.filter((s) => names.has(canonicalGpuName(s.gpu_name)));
  // Only when every requested model has a known shape: an unknown model might fit.
  const covered = [...names].every((n) => relevant.some((s) => canonicalGpuName(s.gpu_name) === n));
  if (relevant.length === 0 || !covered) return [];
  const n = tpl.gpu_num;
  const source: Said = said(custom ? 'lint.shapesGiven' : 'lint.shapesBuiltIn');
  const out: SpecWarning[] = [];

  const check = (
    code: 'floor_unsatisfiable' | 'ceiling_unsatisfiable',
    field: 'cpu_num_from' | 'cpu_num_to' | 'memory_size_from' | 'memory_size_to',
    ok: (s: HostShape) => boolean,
    what: string,
  ) => {
    const v = tpl[field];
    if (typeof v !== 'number' || v >= MEMORY_BYTES_CERTAIN) return; // bytes: validate's error says so
    const fits = relevant.filter(ok);
    if (fits.length === 0) {
      const offers = [
        ...new Set(relevant.map((s) => `${s.gpu_name}: ${what === 'CPU' ? `${s.cpu_per_gpu * n} vCPU` : `${s.memory_gb_per_gpu * n} GB`}`)),
      ].join(', ');
      out.push({
        code,
        path: `${T}.${field}`,
        message: english(code === 'floor_unsatisfiable' ? (what === 'CPU' ? 'lint.floorCpu' : 'lint.floorMemory') : what === 'CPU' ? 'lint.ceilingCpu' : 'lint.ceilingMemory', { field, value: v, n, offers, source }),
      });
    }
  };
  check('floor_unsatisfiable', 'cpu_num_from', (s) => s.cpu_per_gpu * n >= (tpl.cpu_num_from ?? 0), 'CPU');
  check('floor_unsatisfiable', 'memory_size_from', (s) => s.memory_gb_per_gpu * n >= (tpl.memory_size_from ?? 0), 'memory');
  check('ceiling_unsatisfiable', 'cpu_num_to', (s) => s.cpu_per_gpu * n <= (tpl.cpu_num_to ?? Infinity), 'CPU');
  check('ceiling_unsatisfiable', 'memory_size_to', (s) => s.memory_gb_per_gpu * n <= (tpl.memory_size_to ?? Infinity), 'memory');

  const maxGpus = Math.max(...relevant.map((s) => s.max_gpus ?? Infinity));
  // Above every host type's size validate refuses it (validation_error): no warning as well.
  if (n > maxGpus && n <= maxGpusPerHost(shapes)) {
    out.push({
      code: 'floor_unsatisfiable',
      path: `${T}.gpu_num`,
      message: english('lint.gpuNumTooMany', { n, max: maxGpus, source }),
    });
  }
  return out;
}
