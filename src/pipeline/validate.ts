// validate: every problem at once, each with a stable path (and a line when known).

import type { z } from 'zod';
import type { Dialect, CreateDeploymentBody } from '../api/types.js';
import { AutodlError } from '../errors.js';
import { KNOWN_DATA_CENTERS } from '../api/types.js';
import { KNOWN_CUDA_CODES } from './cuda.js';
import { MEMORY_BYTES_CERTAIN, maxGpusPerHost } from './lint.js';
import type { NormalizeResult } from './normalize.js';
import { BodySchema } from './schema.js';
import { formatPath, isPlainObject, nearestLine, type FieldPath, type HostShape, type LineOf, type ValidationIssue } from './types.js';

export interface ValidateOptions {
  lineOf?: LineOf;
  /** Source file, added to the error details. */
  file?: string;
}

interface Collected {
  path: (string | number)[];
  message: string;
}

const KNOWN_FIELDS: Record<string, readonly string[]> = {
  '': Object.keys(BodySchema.shape),
  container_template: [...Object.keys(BodySchema.shape.container_template.shape), 'cuda'],
};

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] ?? 0;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] ?? 0;
      dp[j] = Math.min((dp[j] ?? 0) + 1, (dp[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length] ?? 0;
}

function commonPrefix(a: string, b: string): number {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return k;
}

/** " (did you mean "x"?)" for a near-miss of a known field, else ''. */
function suggest(key: string, parent: string): string {
  const known = KNOWN_FIELDS[parent];
  if (!known) return '';
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 4))) return ` (did you mean "${best}"?)`;
  // "replicas" → "replica_num": a long shared prefix
  const byPrefix = known.filter((k) => commonPrefix(lower, k.toLowerCase()) >= Math.min(6, Math.max(4, lower.length - 1)));
  return byPrefix.length === 1 ? ` (did you mean "${byPrefix[0]}"?)` : '';
}

function getAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/**
 * Unknown fields that get a "did you mean" search (an edit distance to every known field):
 * a typo or two is what it is for; a hostile config with 30,000 junk keys would spend
 * seconds on it. The fields after these are still reported, without a suggestion.
 */
export const MAX_SUGGESTIONS = 50;

function fromZod(issues: readonly z.core.$ZodIssue[], root: unknown): Collected[] {
  const out: Collected[] = [];
  let suggestions = 0;
  for (const iss of issues) {
    const path = iss.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (iss.code === 'unrecognized_keys') {
      const parent = formatPath(path);
      for (const key of iss.keys) {
        const hint = suggestions++ < MAX_SUGGESTIONS ? suggest(key, parent) : '';
        out.push({ path: [...path, key], message: `unknown field "${key}"${hint}` });
      }
      continue;
    }
    if (iss.code === 'invalid_type' && getAt(root, iss.path) === undefined) {
      out.push({ path, message: 'required field is missing' });
      continue;
    }
    out.push({ path, message: iss.message });
  }
  return out;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Problems the schema cannot see: dialect rules, cross-field rules. */
function crossField(body: Record<string, unknown>, dialect: Dialect, hostShapes?: readonly HostShape[]): Collected[] {
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

function dedupe(list: Collected[]): Collected[] {
  const seen = new Set<string>();
  const out: Collected[] = [];
  for (const c of list) {
    const k = `${formatPath(c.path)}\u0000${c.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(c);
    }
  }
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

/** All problems of a (normalized) body, without throwing. */
export function collectIssues(
  body: unknown,
  dialect: Dialect,
  lineOf?: LineOf,
  pre: ValidationIssue[] = [],
  options: { hostShapes?: readonly HostShape[] } = {},
): ValidationIssue[] {
  const collected: Collected[] = [];
  if (!isPlainObject(body)) collected.push({ path: [], message: 'the config must be an object (a mapping of fields)' });
  else {
    const r = BodySchema.safeParse(body);
    if (!r.success) collected.push(...fromZod(r.error.issues, body));
    collected.push(...crossField(body, dialect, options.hostShapes));
  }
  const issues: ValidationIssue[] = [...pre];
  for (const c of dedupe(collected)) {
    const issue: ValidationIssue = { path: formatPath(c.path), message: c.message };
    const line = nearestLine(lineOf, c.path as FieldPath);
    if (line !== undefined) issue.line = line;
    issues.push(issue);
  }
  // Stable sort by line (problems without a line keep their order, after the others).
  return issues
    .map((issue, k) => ({ issue, k }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.k - b.k)
    .map((x) => x.issue);
}

/**
 * Validate a normalize() result: returns the API-ready body or throws
 * AutodlError('validation_error', …, { errors: [{ path, message, line? }, …] }) listing every problem.
 */
export function validate(normalized: NormalizeResult, options: ValidateOptions = {}): CreateDeploymentBody {
  const pre = normalized.issues.map((i) => {
    if (i.line !== undefined || !options.lineOf) return i;
    const segs = pathSegments(i.path);
    const line = nearestLine(options.lineOf, segs);
    return line === undefined ? i : { ...i, line };
  });
  const issues = collectIssues(normalized.body, normalized.dialect, options.lineOf, pre);
  if (issues.length > 0) throw validationError(issues, options.file);
  return normalized.body as unknown as CreateDeploymentBody;
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
