// normalize: a user's config → the body the target dialect wants, plus warnings (see
// ./normalize-core.ts); the `sweep:` block read by zod's SweepSchema, the `queue:` block by
// zod's QueueBlockSchema (the quick path gives a config with a `queue:` block to this one).

import { english } from '../i18n/index.js';
import { normalizeWith, UNDECIDED, type NormalizeOptions, type NormalizeResult, type SweepReader } from './normalize-core.js';
import { DURATION_TEXT, QueueBlockSchema, SweepSchema } from './schema.js';
import { formatPath, type QueueDecl, type RetryCause, type ValidationIssue } from './types.js';

export type { NormalizeOptions, NormalizeResult };

export const zodSweep: SweepReader = (s) => {
  const parsed = SweepSchema.safeParse(s);
  if (parsed.success) return { ok: true, params: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((iss) => ({ path: iss.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: iss.message })) };
};

export function normalize(raw: unknown, options: NormalizeOptions): NormalizeResult {
  const n = normalizeWith(raw, options, zodSweep, normalizeQueue);
  if (n === UNDECIDED) throw new Error('unreachable: the zod readers always decide');
  return n;
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
    if (ms === undefined) issues.push({ path: `queue.${field}`, message: english('spec.q.duration') });
    else if (ms < lo || ms > hi) issues.push({ path: `queue.${field}`, message: english('spec.q.durationRange', { lo: lo / 1000, hi: hi / 86_400_000 }) });
    else return ms;
    return undefined;
  };
  const maxRuntime = dur('max_runtime', d.max_runtime, QUEUE_BOUNDS.maxRuntimeMs);
  if (maxRuntime !== undefined) out.max_runtime_ms = maxRuntime;
  const grace = dur('grace', d.grace, QUEUE_BOUNDS.graceMs);
  if (grace !== undefined) out.grace_ms = grace;
  if (d.grace !== undefined && d.max_runtime === undefined) issues.push({ path: 'queue.grace', message: english('spec.q.graceNeedsMax') });
  const yuanMax = 10_000_000;
  for (const f of ['max_cost', 'label_budget'] as const) {
    const v = d[f];
    if (v === undefined) continue;
    if (v > yuanMax) issues.push({ path: `queue.${f}`, message: english('spec.q.yuanMax', { max: yuanMax }) });
    else out[f] = v;
  }
  if (d.on_cap !== undefined) out.on_cap = d.on_cap;
  if (d.after !== undefined && d.after.length > 0) out.after = [...new Set(d.after.map((a) => a.trim()))];
  if (d.after_any !== undefined) {
    if (d.after_any && !d.after?.length) issues.push({ path: 'queue.after_any', message: english('spec.q.afterAnyNeedsAfter') });
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
      issues.push({ path: 'queue.retry.unscheduled_after', message: english('spec.q.unscheduledNeedsOn') });
    }
    if (r.blacklist_hosts !== undefined) retry.blacklist_hosts = r.blacklist_hosts;
    out.retry = retry;
  }
  return out;
}

