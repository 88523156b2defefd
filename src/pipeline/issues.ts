// The parts of validation that need no schema library: the error thrown for a list of problems,
// the dialect and cross-field rules, and paths. ./validate.ts (zod) and ./quick.ts share them.

import { english, said } from '../i18n/index.js';
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
    out.push({ path: ['replica_num'], message: english('spec.requiredFor', { type }) });
  }
  if (type === 'Job') {
    if (body.parallelism_num === undefined) out.push({ path: ['parallelism_num'], message: english('spec.requiredFor', { type: 'Job' }) });
    else if (num(body.parallelism_num) && num(body.replica_num) && body.parallelism_num > body.replica_num) {
      out.push({
        path: ['parallelism_num'],
        message: english('spec.parallelismAboveReplicas', { parallelism: body.parallelism_num, replicas: body.replica_num }),
      });
    }
  }
  const tpl = body.container_template;
  if (!isPlainObject(tpl)) return out;
  const T = 'container_template';
  for (const [lo, hi, unit] of [
    ['cpu_num_from', 'cpu_num_to', 'spec.unit.cores'],
    ['memory_size_from', 'memory_size_to', 'spec.unit.gb'],
    ['price_from', 'price_to', 'spec.unit.milliYuan'],
    ['cuda_v_from', 'cuda_v_to', 'spec.unit.cudaCode'],
  ] as const) {
    const a = tpl[lo];
    const b = tpl[hi];
    if (num(a) && num(b) && a > b) {
      out.push({ path: [T, lo], message: english('spec.invertedRange', { lo, a, hi, b, unit: said(unit) }) });
    }
  }
  // Configs that cannot run, for certain: memory written in bytes, more GPUs than any host has.
  for (const k of ['memory_size_from', 'memory_size_to'] as const) {
    const v = tpl[k];
    if (num(v) && v >= MEMORY_BYTES_CERTAIN) {
      out.push({
        path: [T, k],
        message: english('spec.memoryBytesCertain', { value: v, gb: Math.round(v / 1024 ** 3) }),
      });
    }
  }
  const maxGpus = maxGpusPerHost(hostShapes);
  if (num(tpl.gpu_num) && tpl.gpu_num > maxGpus) {
    out.push({
      path: [T, 'gpu_num'],
      message: english('spec.gpuNumAboveHosts', { n: tpl.gpu_num, max: maxGpus }),
    });
  }
  for (const k of ['cpu_num_to', 'memory_size_to', 'price_to'] as const) {
    if (tpl[k] === 0) out.push({ path: [T, k], message: english('spec.zeroCeiling') });
  }
  const codes = KNOWN_CUDA_CODES.join(', ');
  if (dialect === 'private') {
    if (tpl.cuda_v === undefined) {
      out.push({ path: [T, 'cuda_v'], message: english('spec.cudaRequiredPrivate', { codes }) });
    }
    for (const k of ['cuda_v_from', 'cuda_v_to'] as const) {
      if (tpl[k] !== undefined) out.push({ path: [T, k], message: english('spec.privateNoRange') });
    }
  } else {
    for (const k of ['cuda_v_from', 'cuda_v_to'] as const) {
      if (tpl[k] === undefined) {
        out.push({ path: [T, k], message: english('spec.cudaRequiredPublic', { codes }) });
      }
    }
    if (tpl.cuda_v !== undefined) out.push({ path: [T, 'cuda_v'], message: english('spec.publicNoCudaV') });
    const dc = tpl.dc_list;
    const known = said('spec.dcSeen', { list: KNOWN_DATA_CENTERS.join(', ') });
    if (dc === undefined) out.push({ path: [T, 'dc_list'], message: english('spec.dcRequired', { known }) });
    else if (Array.isArray(dc) && dc.length === 0) out.push({ path: [T, 'dc_list'], message: english('spec.dcEmpty', { known }) });
  }
  const price = (k: 'price_from' | 'price_to') => {
    const v = tpl[k];
    if (num(v) && !Number.isInteger(v) && v > 0 && v < 100) {
      out.push({ path: [T, k], message: english('spec.priceLooksLikeYuan', { value: v, milli: Math.round(v * 1000) }) });
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
