// validate: every problem at once, each with a stable path (and a line when known).

import type { z } from 'zod';
import type { Dialect, CreateDeploymentBody } from '../api/types.js';
import { AutodlError } from '../errors.js';
import { english, said } from '../i18n/index.js';
import { KNOWN_CUDA_CODES } from './cuda.js';
import type { NormalizeResult } from './normalize.js';
import { BodySchema } from './schema.js';
import { formatPath, isPlainObject, nearestLine, type FieldPath, type LineOf, type ValidationIssue } from './types.js';

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

/** The known field a near-miss means, if any (for " (did you mean "x"?)"). */
function suggest(key: string, parent: string): string | undefined {
  const known = KNOWN_FIELDS[parent];
  if (!known) return undefined;
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
  if (best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 4))) return best;
  // "replicas" → "replica_num": a long shared prefix
  const byPrefix = known.filter((k) => commonPrefix(lower, k.toLowerCase()) >= Math.min(6, Math.max(4, lower.length - 1)));
  return byPrefix.length === 1 ? byPrefix[0] : undefined;
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
        const best = suggestions++ < MAX_SUGGESTIONS ? suggest(key, parent) : undefined;
        out.push({ path: [...path, key], message: english('spec.unknownField', { key, hint: best !== undefined ? said('spec.didYouMean', { name: best }) : '' }) });
      }
      continue;
    }
    if (iss.code === 'invalid_type' && getAt(root, iss.path) === undefined) {
      out.push({ path, message: english('spec.requiredMissing') });
      continue;
    }
    out.push({ path, message: iss.message });
  }
  return out;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Problems the schema cannot see: dialect rules, cross-field rules. */
function crossField(body: Record<string, unknown>, dialect: Dialect): Collected[] {
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
    if (dc === undefined) out.push({ path: [T, 'dc_list'], message: english('spec.dcRequired') });
    else if (Array.isArray(dc) && dc.length === 0) out.push({ path: [T, 'dc_list'], message: english('spec.dcEmpty') });
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
export function collectIssues(body: unknown, dialect: Dialect, lineOf?: LineOf, pre: ValidationIssue[] = []): ValidationIssue[] {
  const collected: Collected[] = [];
  if (!isPlainObject(body)) collected.push({ path: [], message: english('spec.notObject') });
  else {
    const r = BodySchema.safeParse(body);
    if (!r.success) collected.push(...fromZod(r.error.issues, body));
    collected.push(...crossField(body, dialect));
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
