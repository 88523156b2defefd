// Pay only for work (issue 16): the queue's policies as pure functions.
//
//   admission(entry, ctx)   may a pending entry be created now, as far as its dependencies,
//                           budgets and its owner's share go? (the planner asks it per entry)
//   enforce(alive, ctx)     which alive deployments must be stopped (or only warned about)
//                           now: time limits and cost caps
//   dependencyCycle(...)    a cycle that adding entries would close (refused at add time)
//   shareLimits(...)        each owner's part of the queue's limits, by weight
//
// No I/O, no clock, no randomness: `now` and every amount spent are inputs, and every
// decision comes back with its reason, so the worker only carries them out and records why.

import { AutodlError } from '../errors.js';

/** What a user can declare per entry (in the config's `queue:` block or on the command line). */
export interface EntryPolicy {
  /** Stop the deployment once it has run this long (ms since it was submitted). */
  maxRuntimeMs?: number | undefined;
  /** Extra time after the limit for `cmd_before_shutdown` before the stop is forced (ms). */
  graceMs?: number | undefined;
  /** Most yuan this entry may cost (from the same estimate `autodl cost` shows). */
  maxCost?: number | undefined;
  /** At a cap: stop the deployment (default) or only warn (notify, once). */
  onCap?: 'stop' | 'warn' | undefined;
  /** Entry ids that must have finished first (resolved from names and labels at add time). */
  after?: readonly string[] | undefined;
  /** With `after`: ended (finished, failed or cancelled) is enough. */
  afterAny?: boolean | undefined;
  /** Yuan for all the entries of this entry's label together (a sweep's budget; the smallest declared wins). */
  labelBudget?: number | undefined;
  /** Resubmit after a failure whose cause is listed (issue 16's retries that know why). */
  retry?: RetryPolicy | undefined;
}

/** What a retry answers to: containers failed; left unscheduled while the stock shows its cards; containers failing on one host. */
export type RetryCause = 'failed' | 'unscheduled' | 'host_error';
export const RETRY_CAUSES: readonly RetryCause[] = ['failed', 'unscheduled', 'host_error'];

export interface RetryPolicy {
  /** Most resubmissions (each a new deployment under a fresh mark). */
  max: number;
  on: readonly RetryCause[];
  /** With 'unscheduled': how long without a container while the stock shows the cards (default DEFAULT_UNSCHEDULED_AFTER_MS). */
  unscheduledAfterMs?: number | undefined;
  /** Blacklist a host on which this entry's containers failed HOST_ERROR_FAILURES times or more. */
  blacklistHosts?: boolean | undefined;
}

/** Default time a deployment may stay without a container while the stock shows its cards. */
export const DEFAULT_UNSCHEDULED_AFTER_MS = 10 * 60_000;
/** Failed containers of one entry on one host that make it a host error ("repeatedly"). */
export const HOST_ERROR_FAILURES = 2;
/** The platform's default blacklist expiry (minutes; at most 43200). */
export const BLACKLIST_EXPIRE_MINUTES = 1440;

/** Bounds of what a policy may say (a hostile config or argument cannot make the worker misbehave). */
export const POLICY_BOUNDS = {
  maxRuntimeMs: [1_000, 366 * 86_400_000],
  graceMs: [0, 86_400_000],
  yuan: [0, 10_000_000],
  after: 1_000,
  retryMax: 20,
  unscheduledAfterMs: [60_000, 7 * 86_400_000],
} as const;

const ENTRY_ID = /^q-[0-9a-hjkmnp-tv-z]{8}$/;

/**
 * A policy as stored: known fields only, each checked against POLICY_BOUNDS; null when it says
 * nothing. Throws a validation_error naming the field otherwise.
 */
export function normalizePolicy(p: EntryPolicy | null | undefined): EntryPolicy | null {
  if (p === null || p === undefined) return null;
  if (typeof p !== 'object' || Array.isArray(p)) throw policyError('policy', 'must be an object');
  const out: EntryPolicy = {};
  const num = (field: keyof EntryPolicy, [lo, hi]: readonly [number, number]) => {
    const v = p[field];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) throw policyError(field, `must be a number from ${lo} to ${hi}`);
    (out as Record<string, unknown>)[field] = v;
  };
  num('maxRuntimeMs', POLICY_BOUNDS.maxRuntimeMs);
  num('graceMs', POLICY_BOUNDS.graceMs);
  num('maxCost', POLICY_BOUNDS.yuan);
  num('labelBudget', POLICY_BOUNDS.yuan);
  if (p.onCap !== undefined) {
    if (p.onCap !== 'stop' && p.onCap !== 'warn') throw policyError('onCap', 'must be stop or warn');
    out.onCap = p.onCap;
  }
  if (p.after !== undefined) {
    if (!Array.isArray(p.after) || p.after.length > POLICY_BOUNDS.after) throw policyError('after', `must be a list of at most ${POLICY_BOUNDS.after} entry ids`);
    for (const id of p.after) if (typeof id !== 'string' || !ENTRY_ID.test(id)) throw policyError('after', `${JSON.stringify(String(id)).slice(0, 40)} is not an entry id`);
    if (p.after.length) out.after = [...new Set(p.after)];
  }
  if (p.afterAny !== undefined) {
    if (typeof p.afterAny !== 'boolean') throw policyError('afterAny', 'must be true or false');
    if (p.afterAny) out.afterAny = true;
  }
  if (p.retry !== undefined) out.retry = normalizeRetry(p.retry);
  return Object.keys(out).length ? out : null;
}

function normalizeRetry(r: RetryPolicy): RetryPolicy {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw policyError('retry', 'must be an object');
  if (typeof r.max !== 'number' || !Number.isInteger(r.max) || r.max < 0 || r.max > POLICY_BOUNDS.retryMax) throw policyError('retry.max', `must be a whole number from 0 to ${POLICY_BOUNDS.retryMax}`);
  const on = r.on ?? ['failed'];
  if (!Array.isArray(on) || on.length === 0 || on.some((c) => !RETRY_CAUSES.includes(c))) throw policyError('retry.on', `must list some of ${RETRY_CAUSES.join(', ')}`);
  const out: RetryPolicy = { max: r.max, on: RETRY_CAUSES.filter((c) => on.includes(c)) };
  if (r.unscheduledAfterMs !== undefined) {
    const [lo, hi] = POLICY_BOUNDS.unscheduledAfterMs;
    const v = r.unscheduledAfterMs;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) throw policyError('retry.unscheduledAfterMs', `must be a number from ${lo} to ${hi}`);
    out.unscheduledAfterMs = v;
  }
  if (r.blacklistHosts !== undefined) {
    if (typeof r.blacklistHosts !== 'boolean') throw policyError('retry.blacklistHosts', 'must be true or false');
    if (r.blacklistHosts) out.blacklistHosts = true;
  }
  return out;
}

/** What storedJson gives for text that is not JSON. */
export const NOT_JSON = Symbol('not JSON');

/** A JSON column as read back from a row (text in SQLite, parsed in PostgreSQL): the value, or NOT_JSON; never throws. */
export function storedJson(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return NOT_JSON;
  }
}

/**
 * A policy as read back from a database row, which may have been edited by hand: never
 * throws. A field that would not pass normalizePolicy is dropped (an `after` list keeps its
 * valid ids, at most POLICY_BOUNDS.after), so a hostile row cannot make the worker, `queue ls`
 * or `queue show` misbehave; text that is not JSON reads as no policy.
 */
export function storedPolicy(raw: unknown): EntryPolicy | null {
  const v = storedJson(raw);
  if (v === NOT_JSON) return null;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const p = v as Record<string, unknown>;
  const out: EntryPolicy = {};
  const num = (field: 'maxRuntimeMs' | 'graceMs' | 'maxCost' | 'labelBudget', [lo, hi]: readonly [number, number]) => {
    const x = p[field];
    if (typeof x === 'number' && Number.isFinite(x) && x >= lo && x <= hi) out[field] = x;
  };
  num('maxRuntimeMs', POLICY_BOUNDS.maxRuntimeMs);
  num('graceMs', POLICY_BOUNDS.graceMs);
  num('maxCost', POLICY_BOUNDS.yuan);
  num('labelBudget', POLICY_BOUNDS.yuan);
  if (p.onCap === 'stop' || p.onCap === 'warn') out.onCap = p.onCap;
  if (Array.isArray(p.after)) {
    const ids = [...new Set(p.after.slice(0, POLICY_BOUNDS.after).filter((x): x is string => typeof x === 'string' && ENTRY_ID.test(x)))];
    if (ids.length) out.after = ids;
  }
  if (p.afterAny === true) out.afterAny = true;
  if (p.retry !== undefined) {
    try {
      out.retry = normalizeRetry(p.retry as RetryPolicy);
    } catch {
      // a retry policy that would not pass normalizePolicy is dropped
    }
  }
  return Object.keys(out).length ? out : null;
}

/** An amount of yuan read back from a row (maybe edited by hand): finite, within POLICY_BOUNDS.yuan, else 0. */
export function storedYuan(raw: unknown): number {
  const v = typeof raw === 'string' ? Number(raw) : raw;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(v, POLICY_BOUNDS.yuan[1]) : 0;
}

function policyError(field: string, why: string): AutodlError {
  return new AutodlError('validation_error', `queue policy ${field} ${why}`, { field });
}

/** The queue states the policies read (a subset of EntryState, kept structural here). */
export type PolicyState = 'pending' | 'submitting' | 'submitted' | 'running' | 'finished' | 'failed' | 'cancelled';

const ENDED: ReadonlySet<PolicyState> = new Set(['finished', 'failed', 'cancelled']);
const FAILED: ReadonlySet<PolicyState> = new Set(['failed', 'cancelled']);

export interface PolicyEntry {
  id: string;
  label: string | null;
  /** The entry's owner (shared queues); null = the default owner. */
  owner: string | null;
  policy: EntryPolicy | null;
}

export interface Budgets {
  /** Yuan for the whole queue (`queue run --budget`). */
  queue?: number | undefined;
  /** Yuan per label (a sweep's budget). */
  byLabel?: ReadonlyMap<string, number> | undefined;
}

export interface Spent {
  /** Yuan spent so far per entry (alive and ended ones). */
  byEntry: ReadonlyMap<string, number>;
  /** Yuan spent so far per label (the sum over its entries, ended ones included). */
  byLabel: ReadonlyMap<string, number>;
  /** Yuan spent so far by the whole queue. */
  total: number;
}

export interface Shares {
  /** Weight per owner (default 1). */
  weights?: ReadonlyMap<string, number> | undefined;
  /** Most GPUs any one owner may hold, whatever the weights. */
  perOwnerMaxGpus?: number | undefined;
  /** Most deployments any one owner may have alive. */
  perOwnerMaxRunning?: number | undefined;
}

export interface PolicyContext {
  /** The state of every entry an `after` may name (absent = not in the queue any more). */
  states: ReadonlyMap<string, PolicyState>;
  spent: Spent;
  budgets?: Budgets | undefined;
  /**
   * What alive deployments may still cost (worst case less spent, for those with a time limit
   * and a price bound): budget admission keeps it aside, so entries admitted on earlier ticks
   * are counted at their worst case, not at what they have spent so far.
   */
  committed?: { byLabel: ReadonlyMap<string, number>; total: number } | undefined;
}

export type AdmissionVerdict =
  | { ok: true }
  | { ok: false; wait: true; reason: 'after' | 'budget'; detail: string }
  | { ok: false; wait: false; reason: 'dependency_failed' | 'dependency_missing'; detail: string };

/**
 * The most an entry can cost if created now: yuan/hour × its time limit, or undefined when it
 * has no time limit or no price bound (it is then stopped by its caps while it runs, not
 * refused up front).
 */
export function worstCaseCost(pricePerHour: number | undefined, policy: EntryPolicy | null): number | undefined {
  if (pricePerHour === undefined || !policy?.maxRuntimeMs) return undefined;
  return pricePerHour * (policy.maxRuntimeMs / 3_600_000);
}

/**
 * How long of its price an entry with no time limit is counted for once admitted under a
 * budget (and, while alive, until it has spent that much): without it, every entry of a tick
 * passes "money is left" and fifty are admitted on ¥1.
 */
export const UNBOUNDED_COMMIT_MS = 3_600_000;

/**
 * What budget admission keeps aside for an entry admitted now (or alive): its worst case, or
 * with no time limit its first UNBOUNDED_COMMIT_MS; undefined without a price bound.
 */
export function committedCost(pricePerHour: number | undefined, policy: EntryPolicy | null): number | undefined {
  if (pricePerHour === undefined) return undefined;
  return worstCaseCost(pricePerHour, policy) ?? pricePerHour * (UNBOUNDED_COMMIT_MS / 3_600_000);
}

/** Dependencies first: they are certain; budgets next (they depend on what this tick already plans). */
export function dependencyVerdict(e: PolicyEntry, states: ReadonlyMap<string, PolicyState>): AdmissionVerdict {
  const after = e.policy?.after ?? [];
  const waiting: string[] = [];
  for (const dep of after) {
    const s = states.get(dep);
    if (s === undefined) return { ok: false, wait: false, reason: 'dependency_missing', detail: `${dep} is not in the queue` };
    if (e.policy?.afterAny) {
      if (!ENDED.has(s)) waiting.push(dep);
      continue;
    }
    if (FAILED.has(s)) return { ok: false, wait: false, reason: 'dependency_failed', detail: `${dep} ${s}` };
    if (s !== 'finished') waiting.push(dep);
  }
  if (waiting.length) return { ok: false, wait: true, reason: 'after', detail: `waits for ${waiting.join(', ')}` };
  return { ok: true };
}

/** Yuan left under each budget that applies to the entry (smallest wins), or undefined when none applies. */
export function budgetLeft(e: PolicyEntry, ctx: PolicyContext, plannedByLabel: ReadonlyMap<string, number>, plannedTotal: number): { left: number; which: string } | undefined {
  let best: { left: number; which: string } | undefined;
  const q = ctx.budgets?.queue;
  if (q !== undefined) best = { left: q - ctx.spent.total - plannedTotal, which: 'queue' };
  if (e.label !== null) {
    const cap = ctx.budgets?.byLabel?.get(e.label);
    if (cap !== undefined) {
      const left = cap - (ctx.spent.byLabel.get(e.label) ?? 0) - (plannedByLabel.get(e.label) ?? 0);
      if (!best || left < best.left) best = { left, which: `label ${e.label}` };
    }
  }
  return best;
}

/**
 * Budget admission: an entry whose worst case is known must fit in what is left; one whose
 * worst case is unknown is admitted while something is left (its caps stop it later).
 */
export function budgetVerdict(
  e: PolicyEntry,
  pricePerHour: number | undefined,
  ctx: PolicyContext,
  plannedByLabel: ReadonlyMap<string, number>,
  plannedTotal: number,
): AdmissionVerdict {
  const b = budgetLeft(e, ctx, plannedByLabel, plannedTotal);
  if (!b) return { ok: true };
  // no price_to: its spending cannot be counted (the ceiling is 0), so no budget could ever stop it
  if (pricePerHour === undefined) return { ok: false, wait: true, reason: 'budget', detail: `${b.which} budget: no price_to, so its cost cannot be counted against the budget` };
  const worst = worstCaseCost(pricePerHour, e.policy) ?? 0;
  if (b.left <= 1e-9 || worst > b.left + 1e-9) {
    return { ok: false, wait: true, reason: 'budget', detail: `${b.which} budget: ¥${Math.max(0, b.left).toFixed(2)} left${worst ? `, needs up to ¥${worst.toFixed(2)}` : ''}` };
  }
  return { ok: true };
}

export interface ShareUsage {
  running: number;
  gpus: number;
}

/**
 * Each owner's part of the queue's limits: maxGpus and maxRunning divided between the owners
 * that have work (pending or alive) in proportion to their weights (floor, at least 1 where the
 * limit allows), then capped by the per-owner caps. Owners with no work take no part, so one
 * owner alone may use the whole queue.
 */
export function shareLimits(
  owners: Iterable<string>,
  limits: { maxGpus?: number | undefined; maxRunning?: number | undefined },
  shares: Shares,
): Map<string, { maxGpus: number; maxRunning: number }> {
  const active = [...new Set(owners)].sort();
  const weight = (o: string) => {
    const w = shares.weights?.get(o);
    return w !== undefined && Number.isFinite(w) && w > 0 ? w : 1;
  };
  const total = active.reduce((s, o) => s + weight(o), 0);
  const out = new Map<string, { maxGpus: number; maxRunning: number }>();
  const part = (limit: number | undefined, o: string) =>
    limit === undefined ? Infinity : Math.max(Math.min(1, limit), Math.floor((limit * weight(o)) / total));
  for (const o of active) {
    out.set(o, {
      maxGpus: Math.min(part(limits.maxGpus, o), shares.perOwnerMaxGpus ?? Infinity),
      maxRunning: Math.min(part(limits.maxRunning, o), shares.perOwnerMaxRunning ?? Infinity),
    });
  }
  return out;
}

export const DEFAULT_OWNER = 'default';

export function ownerOf(e: { owner: string | null }): string {
  return e.owner ?? DEFAULT_OWNER;
}

// ---------- running deployments ----------

export interface AliveForPolicy extends PolicyEntry {
  /** When the deployment was created (ms); the time limit counts from here. */
  submitted_at: number | null;
  /** Yuan/hour at most while it runs (price_to × GPUs), undefined when unknown. */
  pricePerHour: number | undefined;
}

export type EnforceReason = 'max_runtime' | 'max_cost' | 'budget';

export interface EnforceAction {
  id: string;
  action: 'stop' | 'warn';
  reason: EnforceReason;
  detail: string;
  /** A time limit's warning in its grace: when the stop comes (ms). */
  forceAt?: number;
}

/**
 * What to do about alive deployments now. A time limit stops at submitted_at + maxRuntime; with
 * a grace, it warns then and stops at the grace's end (time for cmd_before_shutdown or a
 * checkpoint); a cost cap (the entry's own, its label's or the
 * queue's budget) stops, or only warns when the entry chose `onCap: 'warn'`, once the money
 * spent reaches it. One action per entry: the time limit first, then the entry's cap, then the
 * budgets (the smallest left wins).
 */
export function enforce(alive: readonly AliveForPolicy[], now: number, ctx: PolicyContext): EnforceAction[] {
  const out: EnforceAction[] = [];
  for (const e of alive) {
    const p = e.policy;
    const mode = p?.onCap === 'warn' ? 'warn' : 'stop';
    if (p?.maxRuntimeMs !== undefined && e.submitted_at !== null && now - e.submitted_at >= p.maxRuntimeMs) {
      const ran = now - e.submitted_at;
      const stopAt = e.submitted_at + p.maxRuntimeMs + (p.graceMs ?? 0);
      if (now >= stopAt) {
        out.push({ id: e.id, action: 'stop', reason: 'max_runtime', detail: `ran ${fmtDuration(ran)} of ${fmtDuration(p.maxRuntimeMs)}` });
      } else {
        // the grace: warned at the limit (cmd_before_shutdown, a checkpoint), stopped at its end
        out.push({ id: e.id, action: 'warn', reason: 'max_runtime', detail: `ran ${fmtDuration(ran)} of ${fmtDuration(p.maxRuntimeMs)}: stops in ${fmtDuration(stopAt - now)}`, forceAt: stopAt });
      }
      continue;
    }
    const spent = ctx.spent.byEntry.get(e.id) ?? 0;
    if (p?.maxCost !== undefined && spent >= p.maxCost - 1e-9) {
      out.push({ id: e.id, action: mode, reason: 'max_cost', detail: `spent ¥${spent.toFixed(2)} of ¥${p.maxCost.toFixed(2)}` });
      continue;
    }
    const b = budgetLeft(e, ctx, new Map(), 0);
    if (b && b.left <= 1e-9) out.push({ id: e.id, action: mode, reason: 'budget', detail: `${b.which} budget spent` });
  }
  return out;
}

/** "4h", "1h30m", "90s": a short human duration for the reasons. */
export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : '', r || s === 0 ? `${r}s` : ''].filter(Boolean);
  return parts.join('');
}

/**
 * When an adopted deployment's time limit starts (`autodl ttl`), on the queue's clock: its age
 * on the platform's clock (the server's now less its created_at) carried over to the queue's
 * clock, so a local clock hours off the platform's neither stops a fresh deployment at once
 * nor never. A created_at that is missing, unparsable or in the future counts as created now;
 * the age is at most a year and a day (beyond any limit).
 */
export function adoptedSince(createdAt: number | undefined, serverNow: number, queueNow: number): number {
  const maxAge = POLICY_BOUNDS.maxRuntimeMs[1] + 86_400_000;
  const age = createdAt !== undefined && Number.isFinite(createdAt) && Number.isFinite(serverNow) ? Math.min(maxAge, Math.max(0, serverNow - createdAt)) : 0;
  return queueNow - age;
}

// ---------- dependencies at add time ----------

/**
 * A dependency cycle the graph would have, as the ids along it (first = last), or undefined.
 * `edges` maps an entry to the entries it waits for (existing entries and the ones being added).
 */
export function dependencyCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  // iterative depth-first search (a chain of 100,000 entries must not overflow the stack)
  const done = new Set<string>();
  for (const root of [...edges.keys()].sort()) {
    if (done.has(root)) continue;
    const path: string[] = [root];
    const onPath = new Set<string>([root]);
    const next: number[] = [0];
    while (path.length) {
      const n = path[path.length - 1]!;
      const deps = edges.get(n) ?? [];
      const i = next[next.length - 1]!;
      if (i >= deps.length) {
        path.pop();
        next.pop();
        onPath.delete(n);
        done.add(n);
        continue;
      }
      next[next.length - 1] = i + 1;
      const m = deps[i]!;
      if (onPath.has(m)) return [...path.slice(path.indexOf(m)), m];
      if (done.has(m)) continue;
      path.push(m);
      onPath.add(m);
      next.push(0);
    }
  }
  return undefined;
}
