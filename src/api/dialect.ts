// The two dialects behind one interface: host → dialect, create-body conversion and
// GPU-stock normalization. Pure functions, shared by the SDK, the CLI's --dry-run and
// the queue.

import { AutodlError } from '../errors.js';
import {
  CUDA_CODES,
  type AnyContainerTemplate,
  type ContainerTemplateBase,
  type CreateDeploymentBody,
  type Dialect,
  type PrivateContainerTemplate,
  type PublicContainerTemplate,
  type Stock,
} from './types.js';

export const PUBLIC_HOSTNAMES: readonly string[] = ['api.autodl.com'];

/** api.autodl.com → 'public'; anything else (including unparsable hosts) → 'private'. */
export function dialectForHost(host: string): Dialect {
  let hostname = host;
  try {
    hostname = new URL(host.includes('://') ? host : `https://${host}`).hostname;
  } catch {
    /* keep the raw text */
  }
  return PUBLIC_HOSTNAMES.includes(hostname.toLowerCase()) ? 'public' : 'private';
}

export function isDialect(v: unknown): v is Dialect {
  return v === 'private' || v === 'public';
}

/** The highest known CUDA code that is ≥ `from`, or `from` itself when none is. */
export function highestCudaAtLeast(from: number): number {
  const max = Math.max(...CUDA_CODES);
  return max >= from ? max : from;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Convert a create body (either CUDA form) to what `dialect` wants:
 * - private: `cuda_v` only (from cuda_v, else cuda_v_from); cuda range and dc_list stripped.
 * - public: `cuda_v_from`/`cuda_v_to` (from the range, or cuda_v → [cuda_v, highest known ≥ it])
 *   and `dc_list`, which is required (AutodlError 'validation_error' when absent or empty).
 * The input is not modified.
 */
export function toDialectBody(body: CreateDeploymentBody, dialect: 'private'): CreateDeploymentBody<PrivateContainerTemplate>;
export function toDialectBody(body: CreateDeploymentBody, dialect: 'public'): CreateDeploymentBody<PublicContainerTemplate>;
export function toDialectBody(
  body: CreateDeploymentBody,
  dialect: Dialect,
): CreateDeploymentBody<PrivateContainerTemplate> | CreateDeploymentBody<PublicContainerTemplate>;
export function toDialectBody(
  body: CreateDeploymentBody,
  dialect: Dialect,
): CreateDeploymentBody<PrivateContainerTemplate> | CreateDeploymentBody<PublicContainerTemplate> {
  const src: AnyContainerTemplate = (body.container_template ?? {}) as AnyContainerTemplate;
  const { cuda_v, cuda_v_from, cuda_v_to, dc_list, ...rest } = src;
  if (dialect === 'private') {
    const cuda = num(cuda_v) ?? num(cuda_v_from);
    const ct = { ...rest } as PrivateContainerTemplate;
    if (cuda !== undefined) ct.cuda_v = cuda;
    return { ...body, container_template: ct };
  }
  const from = num(cuda_v_from) ?? num(cuda_v);
  let to = num(cuda_v_to);
  if (to === undefined && from !== undefined) to = highestCudaAtLeast(from);
  if (!Array.isArray(dc_list) || dc_list.length === 0) {
    const message =
      'the public dialect needs container_template.dc_list: a non-empty list of data-centre ids (e.g. ["westDC2"])';
    throw new AutodlError('validation_error', message, {
      errors: [{ path: 'container_template.dc_list', message }],
    });
  }
  const ct = { ...rest, dc_list: [...dc_list] } as PublicContainerTemplate;
  if (from !== undefined) ct.cuda_v_from = from;
  if (to !== undefined) ct.cuda_v_to = to;
  return { ...body, container_template: ct };
}

function count(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function addItem(out: Stock, name: string, item: unknown): void {
  if (!isRecord(item) || name === '' || name === '__proto__') return;
  const idle = count(item.idle_gpu_num ?? item.idle);
  const total = count(item.total_gpu_num ?? item.total);
  const prev = out[name];
  // the same GPU twice (public array): counts add up
  out[name] = prev ? { idle: prev.idle + idle, total: prev.total + total } : { idle, total };
}

/**
 * Both GPU-stock shapes → `{ [gpuName]: { idle, total } }`.
 * Private: `{ "RTX 4090": { idle_gpu_num, total_gpu_num } }`; public: `[{ "RTX 4090": {…} }, …]`.
 * Defensive: non-numeric counts become 0 (numeric strings are accepted), malformed entries are
 * skipped, anything else yields `{}`.
 */
export function normalizeStock(data: unknown): Stock {
  const out: Stock = {};
  if (Array.isArray(data)) {
    for (const el of data) {
      if (!isRecord(el)) continue;
      // an item may also be flat: { gpu_name, idle_gpu_num, total_gpu_num }
      if (typeof el.gpu_name === 'string' && ('idle_gpu_num' in el || 'total_gpu_num' in el)) {
        addItem(out, el.gpu_name, el);
        continue;
      }
      for (const [name, item] of Object.entries(el)) addItem(out, name, item);
    }
  } else if (isRecord(data)) {
    for (const [name, item] of Object.entries(data)) addItem(out, name, item);
  }
  return out;
}
