// normalize: a user's config → the body the target dialect wants, plus warnings.
// Lenient by design: it converts only what is unambiguous and leaves everything else
// for validate() to report (it never throws).

import type { Dialect } from '../api/types.js';
import { HIGHEST_CUDA_CODE, resolveCuda } from './cuda.js';
import { DURATION_TEXT, QueueBlockSchema, SweepSchema } from './schema.js';
import { formatPath, isPlainObject, type QueueDecl, type RetryCause, type SpecWarning, type SweepParams, type ValidationIssue } from './types.js';

export interface NormalizeOptions {
  dialect: Dialect;
}

export interface NormalizeResult {
  /** The body with conveniences resolved; not yet validated. */
  body: Record<string, unknown>;
  warnings: SpecWarning[];
  /** The `sweep:` block, set aside (values as strings). */
  sweep?: SweepParams;
  /** The `queue:` block, set aside and checked (durations in ms); never part of the body. */
  queue?: QueueDecl;
  dialect: Dialect;
  /** Problems found while normalizing; validate() reports them with the rest. */
  issues: ValidationIssue[];
}

const T = 'container_template';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function normalize(raw: unknown, options: NormalizeOptions): NormalizeResult {
  const dialect = options.dialect;
  const warnings: SpecWarning[] = [];
  const issues: ValidationIssue[] = [];
  if (!isPlainObject(raw)) {
    issues.push({ path: '', message: 'the config must be an object (a mapping of fields)' });
    return { body: {}, warnings, dialect, issues };
  }
  // Copy with spread (CreateDataProperty): a "__proto__" key stays an own key and is reported as unknown.
  const body: Record<string, unknown> = { ...raw };
  delete body.$schema;

  let sweep: SweepParams | undefined;
  if ('sweep' in body) {
    const s = body.sweep;
    delete body.sweep;
    const parsed = SweepSchema.safeParse(s);
    if (parsed.success) {
      sweep = Object.fromEntries(Object.entries(parsed.data).map(([k, vs]) => [k, vs.map((v) => String(v))]));
    } else {
      for (const iss of parsed.error.issues) {
        issues.push({ path: formatPath(['sweep', ...iss.path.map((p) => (typeof p === 'symbol' ? String(p) : p))]), message: iss.message });
      }
    }
  }

  let queue: QueueDecl | undefined;
  if ('queue' in body) {
    const q = body.queue;
    delete body.queue;
    queue = normalizeQueue(q, issues);
  }

  const tpl0 = body.container_template;
  if (isPlainObject(tpl0)) {
    const tpl: Record<string, unknown> = { ...tpl0 };
    body.container_template = tpl;
    normalizeCuda(tpl, dialect, warnings, issues);
    if (dialect === 'private' && 'dc_list' in tpl) {
      delete tpl.dc_list;
      warnings.push({
        code: 'dc_list_dropped',
        path: `${T}.dc_list`,
        message: 'dc_list is a public-dialect field; the private cloud has no region field, so it was dropped',
      });
    }
  }
  return { body, warnings, ...(sweep ? { sweep } : {}), ...(queue ? { queue } : {}), dialect, issues };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "4h", "1h30m", "90s", a bare number (seconds) → ms; undefined when it is none of these. */
export function durationMs(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v * 1000 : undefined;
  if (typeof v !== 'string' || !DURATION_TEXT.test(v)) return undefined;
  const t = v.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}

/** The bounds the queue keeps (src/queue/policies.ts POLICY_BOUNDS holds the same numbers for the stored form). */
const QUEUE_BOUNDS = { maxRuntimeMs: [1_000, 366 * 86_400_000], graceMs: [0, 86_400_000], unscheduledMs: [60_000, 7 * 86_400_000] } as const;

function normalizeQueue(q: unknown, issues: ValidationIssue[]): QueueDecl | undefined {
  const parsed = QueueBlockSchema.safeParse(q);
  if (!parsed.success) {
    for (const iss of parsed.error.issues) {
      issues.push({ path: formatPath(['queue', ...iss.path.map((p) => (typeof p === 'symbol' ? String(p) : p))]), message: iss.message });
    }
    return undefined;
  }
  const d = parsed.data;
  const out: QueueDecl = {};
  const dur = (field: string, v: unknown, [lo, hi]: readonly [number, number]): number | undefined => {
    if (v === undefined) return undefined;
    const ms = durationMs(v);
    if (ms === undefined) issues.push({ path: `queue.${field}`, message: 'must be a duration such as "4h", "90m" or "1h30m" (a bare number is seconds)' });
    else if (ms < lo || ms > hi) issues.push({ path: `queue.${field}`, message: `must be from ${lo / 1000} s to ${hi / 86_400_000} days` });
    else return ms;
    return undefined;
  };
  const maxRuntime = dur('max_runtime', d.max_runtime, QUEUE_BOUNDS.maxRuntimeMs);
  if (maxRuntime !== undefined) out.max_runtime_ms = maxRuntime;
  const grace = dur('grace', d.grace, QUEUE_BOUNDS.graceMs);
  if (grace !== undefined) out.grace_ms = grace;
  if (d.grace !== undefined && d.max_runtime === undefined) issues.push({ path: 'queue.grace', message: 'needs max_runtime (the grace runs after the time limit)' });
  const yuanMax = 10_000_000;
  for (const f of ['max_cost', 'label_budget'] as const) {
    const v = d[f];
    if (v === undefined) continue;
    if (v > yuanMax) issues.push({ path: `queue.${f}`, message: `must be at most ${yuanMax} yuan` });
    else out[f] = v;
  }
  if (d.on_cap !== undefined) out.on_cap = d.on_cap;
  if (d.after !== undefined && d.after.length > 0) out.after = [...new Set(d.after.map((a) => a.trim()))];
  if (d.after_any !== undefined) {
    if (d.after_any && !d.after?.length) issues.push({ path: 'queue.after_any', message: 'needs after (the entries to wait for)' });
    else if (d.after_any) out.after_any = true;
  }
  if (d.owner !== undefined) out.owner = d.owner;
  if (d.retry !== undefined) {
    const r = d.retry;
    const on: RetryCause[] = [...new Set<RetryCause>(r.on ?? ['failed'])];
    const retry: NonNullable<QueueDecl['retry']> = { max: r.max, on };
    const after = dur('retry.unscheduled_after', r.unscheduled_after, QUEUE_BOUNDS.unscheduledMs);
    if (after !== undefined) retry.unscheduled_after_ms = after;
    if (r.unscheduled_after !== undefined && !on.includes('unscheduled')) {
      issues.push({ path: 'queue.retry.unscheduled_after', message: 'needs "unscheduled" in retry.on' });
    }
    if (r.blacklist_hosts !== undefined) retry.blacklist_hosts = r.blacklist_hosts;
    out.retry = retry;
  }
  return out;
}

function normalizeCuda(tpl: Record<string, unknown>, dialect: Dialect, warnings: SpecWarning[], issues: ValidationIssue[]): void {
  const hasV = tpl.cuda_v !== undefined;
  const hasFrom = tpl.cuda_v_from !== undefined;
  const hasTo = tpl.cuda_v_to !== undefined;

  if ('cuda' in tpl) {
    const given = tpl.cuda;
    delete tpl.cuda;
    if (hasV || hasFrom || hasTo) {
      issues.push({
        path: `${T}.cuda`,
        message: 'give the CUDA version once: either cuda (a version such as "11.8") or cuda_v / cuda_v_from+cuda_v_to, not both',
      });
      return;
    }
    const r = resolveCuda(given);
    if (!r.ok) {
      issues.push({ path: `${T}.cuda`, message: r.message });
      return;
    }
    if (!r.exact) {
      warnings.push({
        code: 'cuda_rounded_up',
        path: `${T}.cuda`,
        message: `CUDA ${r.version} is not a known code; using ${r.code}, the smallest known code not below it`,
      });
    }
    if (dialect === 'private') tpl.cuda_v = r.code;
    else {
      tpl.cuda_v_from = r.code;
      tpl.cuda_v_to = HIGHEST_CUDA_CODE;
    }
    return;
  }

  if (dialect === 'private') {
    if (hasV) {
      if (hasFrom || hasTo) {
        delete tpl.cuda_v_from;
        delete tpl.cuda_v_to;
        warnings.push({
          code: 'cuda_range_dropped',
          path: `${T}.cuda_v_from`,
          message: 'both cuda_v and cuda_v_from/cuda_v_to given; the private dialect takes cuda_v only, so the range was dropped',
        });
      }
      return;
    }
    if (hasFrom && isNum(tpl.cuda_v_from)) {
      tpl.cuda_v = tpl.cuda_v_from;
      delete tpl.cuda_v_from;
      delete tpl.cuda_v_to;
      warnings.push({
        code: 'cuda_range_converted',
        path: `${T}.cuda_v_from`,
        message: `the private dialect takes one minimum CUDA code: cuda_v = cuda_v_from = ${String(tpl.cuda_v)} (cuda_v_to dropped)`,
      });
    }
    // cuda_v_to alone, or a non-number: left for validate() to report.
    return;
  }

  // public
  if (hasFrom || hasTo) {
    if (hasV) {
      delete tpl.cuda_v;
      warnings.push({
        code: 'cuda_v_dropped',
        path: `${T}.cuda_v`,
        message: 'both cuda_v and cuda_v_from/cuda_v_to given; the public dialect takes the range, so cuda_v was dropped',
      });
    }
    if (hasFrom && !hasTo && isNum(tpl.cuda_v_from)) {
      tpl.cuda_v_to = Math.max(HIGHEST_CUDA_CODE, tpl.cuda_v_from);
      warnings.push({
        code: 'cuda_range_completed',
        path: `${T}.cuda_v_to`,
        message: `cuda_v_to not given; using the highest known code ${String(tpl.cuda_v_to)}`,
      });
    }
    return;
  }
  if (hasV && isNum(tpl.cuda_v)) {
    tpl.cuda_v_from = tpl.cuda_v;
    tpl.cuda_v_to = Math.max(HIGHEST_CUDA_CODE, tpl.cuda_v);
    delete tpl.cuda_v;
    warnings.push({
      code: 'cuda_v_converted',
      path: `${T}.cuda_v`,
      message: `the public dialect takes a CUDA range: cuda_v_from = ${String(tpl.cuda_v_from)}, cuda_v_to = ${String(tpl.cuda_v_to)} (the highest known code)`,
    });
  }
}
