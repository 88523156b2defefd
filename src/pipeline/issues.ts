// The parts of validation that need no schema library: the error thrown for a list of problems,
// the dialect and cross-field rules, and paths. ./validate.ts (zod) and ./quick.ts share them.

import { KNOWN_DATA_CENTERS, type Dialect } from '../api/types.js';
import { AutodlError } from '../errors.js';
import { KNOWN_CUDA_CODES } from './cuda.js';
import { MEMORY_BYTES_CERTAIN, maxGpusPerHost } from './lint.js';
import { isPlainObject, type HostShape, type ValidationIssue } from './types.js';

export interface Collected {
  path: (string | number)[];
  message: string;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Problems the schema cannot see: dialect rules, cross-field rules. */
export function crossField(body: Record<string, unknown>, dialect: Dialect, hostShapes?: readonly HostShape[]): Collected[] {
  const out: Collected[] = [];
  const type = body.deployment_type;
  if ((type === 'ReplicaSet' || type === 'Job') && body.replica_num === undefined) {
    out.push({ path: ['replica_num'], message: `required for deployment_type ${type}` });
  }
  if (type === 'Job') {
    if (body.parallelism_num === undefined) out.push({ path: ['parallelism_num'], message: 'required for deployment_type Job' });
    else if (num(body.parallelism_num) && num(body.replica_num) && body.parallelism_num > body.replica_num) {
      out.push({
        path: ['parallelism_num'],
        message: `parallelism_num (${body.parallelism_num}) is greater than replica_num (${body.replica_num})`,
      });
    }
  }
  const tpl = body.container_template;
  if (!isPlainObject(tpl)) return out;
  const T = 'container_template';
  for (const [lo, hi, unit] of [
    ['cpu_num_from', 'cpu_num_to', 'cores'],
    ['memory_size_from', 'memory_size_to', 'GB'],
    ['price_from', 'price_to', 'milli-yuan per hour'],
    ['cuda_v_from', 'cuda_v_to', 'CUDA code'],
  ] as const) {
    const a = tpl[lo];
    const b = tpl[hi];
    if (num(a) && num(b) && a > b) {
      out.push({ path: [T, lo], message: `inverted range: ${lo} (${a}) is greater than ${hi} (${b}) (${unit})` });
    }
  }
  // Configs that cannot run, for certain: memory written in bytes, more GPUs than any host has.
  for (const k of ['memory_size_from', 'memory_size_to'] as const) {
    const v = tpl[k];
    if (num(v) && v >= MEMORY_BYTES_CERTAIN) {
      out.push({
        path: [T, k],
        message: `${v} is bytes, not GB: memory is given in GB (this is ${Math.round(v / 1024 ** 3)} GB if it is bytes)`,
      });
    }
  }
  const maxGpus = maxGpusPerHost(hostShapes);
  if (num(tpl.gpu_num) && tpl.gpu_num > maxGpus) {
    out.push({
      path: [T, 'gpu_num'],
      message: `gpu_num = ${tpl.gpu_num}: no host type has more than ${maxGpus} GPUs, and a container runs on one host (use several replicas instead)`,
    });
  }
  for (const k of ['cpu_num_to', 'memory_size_to', 'price_to'] as const) {
    if (tpl[k] === 0) out.push({ path: [T, k], message: 'must be at least 1 (0 would allow nothing)' });
  }
  const codes = KNOWN_CUDA_CODES.join(', ');
  if (dialect === 'private') {
    if (tpl.cuda_v === undefined) {
      out.push({ path: [T, 'cuda_v'], message: `required: the minimum CUDA code (e.g. 118 for CUDA 11.8; known: ${codes}), or give cuda: "11.8"` });
    }
    for (const k of ['cuda_v_from', 'cuda_v_to'] as const) {
      if (tpl[k] !== undefined) out.push({ path: [T, k], message: 'the private dialect takes one cuda_v, not a range: give cuda_v (or cuda_v_from)' });
    }
  } else {
    for (const k of ['cuda_v_from', 'cuda_v_to'] as const) {
      if (tpl[k] === undefined) {
        out.push({ path: [T, k], message: `required by the public dialect (a CUDA code; known: ${codes}), or give cuda: "11.8"` });
      }
    }
    if (tpl.cuda_v !== undefined) out.push({ path: [T, 'cuda_v'], message: 'the public dialect takes cuda_v_from/cuda_v_to, not cuda_v' });
    const dc = tpl.dc_list;
    const known = `data centres seen: ${KNOWN_DATA_CENTERS.join(', ')}`;
    if (dc === undefined) out.push({ path: [T, 'dc_list'], message: `required by the public dialect: a non-empty list of data-centre ids (${known})` });
    else if (Array.isArray(dc) && dc.length === 0) out.push({ path: [T, 'dc_list'], message: `must list at least one data centre (public dialect; ${known})` });
  }
  const price = (k: 'price_from' | 'price_to') => {
    const v = tpl[k];
    if (num(v) && !Number.isInteger(v) && v > 0 && v < 100) {
      out.push({ path: [T, k], message: `${v} looks like yuan: prices are integer milli-yuan per hour (e.g. ${Math.round(v * 1000)} = ${v} yuan)` });
    }
  };
  price('price_from');
  price('price_to');
  return out;
}

/** The validation_error thrown for a list of problems. */
export function validationError(errors: ValidationIssue[], file?: string): AutodlError {
  const first = errors[0];
  const head = first ? `${first.path || '(config)'}: ${first.message}` : 'invalid config';
  const message =
    errors.length === 1 ? `Invalid deployment config: ${head}` : `Invalid deployment config: ${errors.length} problems (first: ${head})`;
  const details: Record<string, unknown> = { errors };
  if (file !== undefined) details.path = file;
  return new AutodlError('validation_error', message, details);
}

/** Parse a formatted path back into segments ("a.b[2].c" → ["a", "b", 2, "c"]). */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[1] !== undefined) out.push(m[1]);
  }
  return out;
}
