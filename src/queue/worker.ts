// The queue worker: every tick it (1) reconciles `submitting` entries whose lease expired
// or that this worker id left behind (crash), (2) follows alive deployments to
// running/finished/failed — or, under a retry policy, back to pending under a fresh mark
// (a failed Job, a host error, a deployment left unscheduled while the stock shows its
// cards: ./retry.ts decides), (3) takes ONE stock snapshot, plans, and submits the planned
// creates. There is no per-entry backoff: every waiting entry is re-examined each tick.

import { sleep } from '../util/sleep.js';
import { INTERVAL_MIN_S } from '../util/bounds.js';
import type { Container, Deployment, Stock } from '../api/types.js';
import { deploymentNameFor, errorText } from './ids.js';
import { mayBeUnscheduled, retryOnFailure, retryUnscheduled, failuresByHost, hostFailures, type RetryVerdict } from './retry.js';
import { plan } from './planner.js';
import { ceilingPerHour, containersSpent, runSpentCeiling, spentCeiling } from './spent.js';
import type { PlanLimits, PlanPolicies } from './planner.js';
import { BLACKLIST_EXPIRE_MINUTES, enforce, worstCaseCost, type PolicyContext, type PolicyState, type Shares } from './policies.js';
import { DEFAULT_LEASE_MS, DEFAULT_MAX_CONSECUTIVE_FAILURES, emit, reconcileEntry, submitEntry } from './submitter.js';
import type { QueueEvent, SubmitterContext } from './submitter.js';
import { adoptPatch } from './store.js';
import type { QueueStore } from './store.js';
import { ALIVE_STATES, CLAIMABLE_STATES, OPEN_STATES, QUEUED_STATES, TERMINAL_STATES } from './states.js';
import { MAX_RETRY_LOG } from './types.js';
import type { EnforcedRecord, EntryState, Now, QueueApi, QueueEntry, RetryRecord, Sleep } from './types.js';

export interface WorkerOptions {
  store: QueueStore;
  api: QueueApi;
  /** Unique per worker process; reuse the same id after a restart to reclaim its leases at once. */
  workerId: string;
  /** Pause between ticks. */
  intervalMs: number;
  /**
   * While entries wait for stock, the stock alone is polled this often between ticks (one
   * call, no database read); a poll that shows more idle on a type a waiting entry needs,
   * and enough for it, starts the next tick at once with that snapshot. Default
   * defaultStockInterval(intervalMs, waiting), adapted after every tick to the entries waiting
   * for stock (a sixth of the interval, shorter the more wait, at least 1 s); >= intervalMs: off.
   */
  stockIntervalMs?: number;
  /** Follow alive entries at most this often. Default followEvery(alive, intervalMs): every tick up to 400 alive, then rarer. */
  followIntervalMs?: number;
  /** Run a single tick. */
  once?: boolean;
  /** Stop once nothing is pending or submitting (after following is no longer needed). */
  drain?: boolean;
  /** Stop after this many ticks. */
  maxTicks?: number;
  signal?: AbortSignal;
  limits?: PlanLimits;
  /** Yuan for the whole queue (issue 16): entries wait with reason `budget`, deployments stop once it is spent. */
  budget?: number | undefined;
  /** Divide maxGpus / maxRunning between the entries' owners by weight (issue 16). */
  shares?: Shares | undefined;
  /** Lease on claimed entries. Default 5 min; keep it well above the SDK request timeout. */
  leaseMs?: number;
  /** Settle window after a create with an unknown outcome (default DEFAULT_SETTLE_MS). */
  settleMs?: number;
  /**
   * Account fingerprint of the token (accountFingerprint(host, token)): the worker claims and
   * follows only entries of this account, and adopts entries of none (issue 11). Undefined:
   * every entry (a queue of one account).
   */
  account?: string;
  /** Follow submitted deployments to running/finished/failed (default true). */
  follow?: boolean;
  /** A submitted deployment missing from the list is taken as finished only after this long. Default 60 s. */
  followGraceMs?: number;
  maxConsecutiveFailures?: number;
  sleep?: Sleep;
  /** This process's clock (default Date.now). */
  now?: Now;
  /**
   * Which clock leases, settle windows and grace periods are measured on. 'database' (the
   * default when `now` is not injected and the store has a clock): the worker's clock is
   * corrected each tick to the database's (SQLite's julianday('now'), PostgreSQL's
   * clock_timestamp()), so every worker on one queue measures on one clock. 'local': `now`
   * as given (tests with a manual clock).
   */
  clock?: 'database' | 'local';
  /** Above this offset between `now` and the database's clock a `clock` event warns (default 30 s). */
  maxClockSkewMs?: number;
  onEvent?: (e: QueueEvent) => void;
}

/** Default: a worker whose clock is further than this off the database's says so. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 30_000;

/**
 * The offset to add to `local()` to read the store's clock (midpoint of the query), or
 * undefined when the store has no clock.
 */
export async function clockOffset(store: QueueStore, local: Now): Promise<number | undefined> {
  if (!store.clock) return undefined;
  const t0 = local();
  const db = await store.clock();
  const t1 = local();
  return Math.round(db - (t0 + t1) / 2);
}

export interface WorkerSummary {
  ticks: number;
  created: number;
  found: number;
  failed: number;
  requeued: number;
  followed: number;
  stopped: 'once' | 'drained' | 'aborted' | 'max_ticks';
}

/**
 * Where a followed deployment is: completion is read from the counts (a finished Job can
 * still say status "running"). Returns undefined when nothing changes.
 */
export function followedState(d: Deployment, current: EntryState): { to: EntryState; note: string } | undefined {
  const replicas = Math.max(1, d.replica_num || 1);
  const countsComplete = d.deployment_type === 'Job' || d.deployment_type === 'Container';
  // A list item without counts (the public GET list's shape) says nothing about completion:
  // then only the status moves the entry (running; stopped → finished), see docs/queue.md.
  const finished = typeof d.finished_num === 'number' ? d.finished_num : undefined;
  const failed = typeof d.failed_num === 'number' ? d.failed_num : 0;
  const running = typeof d.running_num === 'number' ? d.running_num : undefined;
  if (countsComplete && finished !== undefined && finished >= replicas) return { to: 'finished', note: `finished ${finished}/${replicas}` };
  if (countsComplete && finished !== undefined && failed > 0 && finished + failed >= replicas) {
    return { to: 'failed', note: `containers failed: ${failed}, finished: ${finished}/${replicas}` };
  }
  if (d.status === 'stopped' || d.stopped_at) return { to: 'finished', note: `deployment ${d.status || 'stopped'}` };
  if (current === 'submitted' && running !== undefined && running > 0) return { to: 'running', note: `${running} running` };
  if (current === 'submitted' && running === undefined && d.status === 'running') return { to: 'running', note: 'status running (the list reports no counts)' };
  return undefined;
}

export interface TickResult {
  created: number;
  found: number;
  failed: number;
  requeued: number;
  followed: number;
  pending: number;
  submitting: number;
  /** Entries alive (submitted/running) when the tick read them. */
  alive: number;
  /** Whether this tick followed the alive entries. */
  followRan: boolean;
  /** Set when entries wait for stock: what a stock poll before the next tick looks for. */
  watch?: StockWatch;
}

/** The deployment with exactly this uuid (a list filtered by deployment_uuid; the filter may be ignored). Throws on API failure. */
async function lookupDeployment(ctx: SubmitterContext, uuid: string): Promise<Deployment | undefined> {
  for await (const d of ctx.api.deployments.listAll({ deployment_uuid: uuid }, 100)) if (d.uuid === uuid) return d;
  return undefined;
}

/**
 * Follow alive entries through one paged list. A deployment missing from it is not taken
 * as gone at once: the pages may have shifted under a concurrent delete (or create), so the
 * first miss is recorded (missing_since) and the entry stays alive (it still counts against
 * the limits); only once it has been missing for the grace period, and a lookup of that
 * very deployment by uuid does not find it either, is the entry finished.
 */
async function follow(ctx: SubmitterContext, alive: QueueEntry[], graceMs: number): Promise<{ moved: number; ended: Set<string>; listed: Map<string, Deployment> }> {
  const byUuid = new Map<string, Deployment>();
  for await (const d of ctx.api.deployments.listAll({}, 100)) byUuid.set(d.uuid, d);
  let moved = 0;
  const ended = new Set<string>();
  for (const e of alive) {
    if (!e.deployment_uuid) continue;
    let d = byUuid.get(e.deployment_uuid);
    let now = ctx.now();
    let next: { to: EntryState; note: string } | undefined;
    if (!d) {
      // issue 11: an entry of no account may be another account's deployment: never finish what this token cannot see
      if (ctx.account !== undefined && e.account === null) continue;
      const since = e.missing_since ?? now;
      if (e.missing_since === null) {
        await ctx.store.transition(e.id, e.state, { from: e.state, now, set: { missing_since: now } });
      }
      if (now - since < graceMs) continue;
      try {
        d = await lookupDeployment(ctx, e.deployment_uuid);
      } catch (err) {
        emit(ctx, { type: 'error', where: `follow ${e.id}`, error: errorText(err) });
        continue; // unknown: still alive
      }
      now = ctx.now();
      if (!d) next = { to: 'finished', note: `deployment no longer listed (missing for ${Math.round((now - since) / 1000)} s, not found by uuid)` };
    }
    if (d) {
      if (e.missing_since !== null) await ctx.store.transition(e.id, e.state, { from: e.state, now, set: { missing_since: null } });
      next = followedState(d, e.state);
      // counts for notifications: only when the server reports them (absent is not 0)
      if (typeof d.running_num === 'number') {
        const n = (v: number | undefined) => (typeof v === 'number' ? v : 0);
        emit(ctx, {
          type: 'observed',
          id: e.id,
          deployment_uuid: d.uuid,
          deployment_name: e.deployment_name,
          deployment: {
            deployment_type: d.deployment_type,
            status: d.status,
            replica_num: n(d.replica_num),
            parallelism_num: n(d.parallelism_num),
            starting_num: n(d.starting_num),
            running_num: d.running_num,
            finished_num: n(d.finished_num),
            failed_num: n(d.failed_num),
          },
        });
      }
    }
    const adopt = adoptPatch(e, ctx.account); // listed by this token: ours
    if (!next) {
      if (adopt.account) await ctx.store.transition(e.id, e.state, { from: e.state, now, note: 'adopted: listed by this account', set: adopt });
      continue;
    }
    if (next.to === 'failed' && d && e.policy?.retry) {
      // retries that know why (issue 16): resubmitted under a fresh mark instead of failed
      if (await retryAfterFailure(ctx, { ...e, ...adopt }, d, next.note)) {
        moved++;
        ended.add(e.id);
        continue;
      }
      if (e.retries >= e.policy.retry.max) next = { ...next, note: `${next.note} (retries used: ${e.retries} of ${e.policy.retry.max})` };
    }
    const set = { ...(TERMINAL_STATES.includes(next.to) ? { finished_at: now } : {}), ...adopt };
    const r = await ctx.store.transition(e.id, next.to, { from: e.state, now, note: next.note, set });
    if (r) {
      moved++;
      if (!ALIVE_STATES.includes(r.state)) ended.add(e.id);
      emit(ctx, { type: 'state', id: e.id, from: e.state, to: next.to, note: next.note });
    }
  }
  return { moved, ended, listed: byUuid };
}

/** Most containers of one deployment read at a retry (their hosts and prices). */
const MAX_RETRY_CONTAINERS = 500;

/** A deployment's containers (bounded), or undefined when the API has no container list or the call fails. */
async function readContainers(ctx: SubmitterContext, uuid: string): Promise<Container[] | undefined> {
  if (!ctx.api.containers) return undefined;
  const out: Container[] = [];
  try {
    for await (const c of ctx.api.containers.listAll({ deployment_uuid: uuid }, 100)) {
      if (c.deployment_uuid !== undefined && c.deployment_uuid !== uuid) continue;
      out.push(c);
      if (out.length >= MAX_RETRY_CONTAINERS) break;
    }
  } catch (err) {
    emit(ctx, { type: 'error', where: `containers ${uuid}`, error: errorText(err) });
    return undefined;
  }
  return out;
}

/** The follow found the entry's containers failed: resubmit it when its retry policy says so. */
async function retryAfterFailure(ctx: SubmitterContext, e: QueueEntry, d: Deployment, note: string): Promise<boolean> {
  if (!e.policy?.retry || e.retries >= e.policy.retry.max) return false;
  const containers = await readContainers(ctx, d.uuid);
  const failedOn = containers ? failuresByHost(d, containers) : {};
  const v = retryOnFailure(e, note, failedOn);
  if (!v.retry) return false;
  return resubmit(ctx, e, v, d, containers);
}

/**
 * Carry a retry verdict out: stop the deployment while it may still hold or get cards (an
 * unscheduled one is requeued only once its stop went through: else it could start later, a
 * second deployment of one entry), blacklist the hosts the verdict names (with the platform's
 * expiry), then ONE move back to pending that writes retries + 1, the new mark and the record
 * — before any create of the new run (the planner claims it on a later tick).
 */
async function resubmit(ctx: SubmitterContext, e: QueueEntry, v: Extract<RetryVerdict, { retry: true }>, d: Deployment | undefined, containers: Container[] | undefined): Promise<boolean> {
  const max = e.policy?.retry?.max ?? 0;
  const up = !d || (d.status !== 'stopped' && !d.stopped_at);
  if (up && e.deployment_uuid) {
    if (!ctx.api.deployments.stop) {
      if (v.cause === 'unscheduled') return false;
    } else {
      try {
        await ctx.api.deployments.stop(e.deployment_uuid);
      } catch (err) {
        emit(ctx, { type: 'error', where: `retry stop ${e.id}`, error: errorText(err) });
        if (v.cause === 'unscheduled') return false; // not requeued: it may still be scheduled
      }
    }
  }
  const blacklisted: string[] = [];
  const failures = hostFailures(e.retry_log, v.failedOn);
  for (const h of v.blacklist) {
    const c = containers?.find((x) => x.machine_id === h);
    if (!c || !ctx.api.blacklist) continue;
    try {
      await ctx.api.blacklist.add({ deployment_container_uuid: c.uuid, comment: `autodl queue ${e.id}: containers failed repeatedly on this host`, expire_in_minutes: BLACKLIST_EXPIRE_MINUTES });
      blacklisted.push(h);
      emit(ctx, { type: 'blacklisted', id: e.id, machine_id: h, failures: failures.get(h) ?? 0, expire_in_minutes: BLACKLIST_EXPIRE_MINUTES });
    } catch (err) {
      emit(ctx, { type: 'error', where: `blacklist ${h} for ${e.id}`, error: errorText(err) });
    }
  }
  const now = ctx.now();
  const n = e.retries + 1;
  const nextName = deploymentNameFor(e.body.name, e.id, n);
  const record: RetryRecord = {
    n,
    cause: v.cause,
    detail: v.detail,
    at: now,
    deployment_uuid: e.deployment_uuid,
    deployment_name: e.deployment_name,
    ...(Object.keys(v.failedOn).length ? { failed_on: v.failedOn } : {}),
    ...(blacklisted.length ? { blacklisted } : {}),
    // what the run cost: from its containers when they were read; an unscheduled run had none (the counts said so): nothing
    ...(containers ? { spent_yuan: Math.round(containersSpent(containers, now) * 10_000) / 10_000 } : v.cause === 'unscheduled' ? { spent_yuan: 0 } : {}),
    spent_at_most: Math.round(runSpentCeiling(e, now) * 10_000) / 10_000,
  };
  const note = `resubmit ${n} of ${max} (${v.cause}): ${v.detail}${blacklisted.length ? `; blacklisted ${blacklisted.join(', ')}` : ''}; the next create is ${nextName}`;
  const moved = await ctx.store.transition(e.id, 'pending', {
    from: e.state,
    // only this run: another worker may have resubmitted it meanwhile, and created the next one
    run: { deployment_uuid: e.deployment_uuid, retries: e.retries },
    now,
    note,
    set: {
      retries: n,
      retry_log: [...(e.retry_log ?? []), record].slice(-MAX_RETRY_LOG),
      deployment_name: nextName,
      deployment_uuid: null,
      submitted_at: null,
      finished_at: null,
      enforced: null,
      consecutive_failures: 0,
      last_error: `${v.cause}: ${v.detail}`,
      error_details: null,
      ...(e.account !== null ? { account: e.account } : {}),
    },
  });
  if (!moved) return false;
  emit(ctx, { type: 'retry', id: e.id, n, max, cause: v.cause, detail: v.detail, deployment_uuid: e.deployment_uuid, next_deployment_name: nextName, blacklisted });
  emit(ctx, { type: 'state', id: e.id, from: e.state, to: 'pending', note });
  return true;
}

/** Deployments left without a container while the stock shows their cards: stopped and requeued (retry on: unscheduled). */
async function retryUnscheduledEntries(ctx: SubmitterContext, alive: readonly QueueEntry[], listed: ReadonlyMap<string, Deployment>, stock: Stock | undefined): Promise<Set<string>> {
  const out = new Set<string>();
  const now = ctx.now();
  for (const e of alive) {
    const d = e.deployment_uuid ? listed.get(e.deployment_uuid) : undefined;
    if (!d) continue;
    const v = retryUnscheduled(e, d, stock, now);
    if (v.retry && (await resubmit(ctx, e, v, d, undefined))) out.add(e.id);
  }
  return out;
}

/** What a tick's plan left waiting for stock: the next stock poll starts a tick early when it may fit now. */
export interface StockWatch {
  /** Per GPU type: the fewest GPUs an entry waiting for stock needs there (demand.gpus). */
  need: Record<string, number>;
  /** Per GPU type: the idle this tick saw, less what it planned to take. */
  idle: Record<string, number>;
  /** How many entries wait for stock (no_stock or reserved): the default stock poll adapts to it. */
  waiting: number;
}

export interface TickOptions {
  limits?: PlanLimits | undefined;
  follow?: boolean | undefined;
  followGraceMs?: number | undefined;
  /**
   * Asked with the number of alive entries: follow them this tick? (runWorker follows every
   * tick while they fit in a few list pages, then less often: see followEvery.) Default: yes.
   */
  followNow?: (alive: number) => boolean;
  /** A stock snapshot just taken (by the worker's stock poll): used instead of a new stock call. */
  stock?: Stock;
  /** Yuan for the whole queue (`queue run --budget`, issue 16). */
  budget?: number | undefined;
  /** Divide the limits between owners (`queue run --share owner`, issue 16). */
  shares?: Shares | undefined;
}

/** One tick of the worker (exported for callers that drive their own loop). */
export async function workerTick(ctx: SubmitterContext, options: TickOptions = {}): Promise<TickResult> {
  const r: TickResult = { created: 0, found: 0, failed: 0, requeued: 0, followed: 0, pending: 0, submitting: 0, alive: 0, followRan: false };
  const count = (o: Awaited<ReturnType<typeof submitEntry>>) => {
    if (o.kind === 'submitted') o.via === 'create' ? r.created++ : r.found++;
    else if (o.kind === 'failed') r.failed++;
    else if (o.kind === 'requeued') r.requeued++;
  };

  // 1. Reconcile before any new create.
  const now0 = ctx.now();
  for (const e of await ctx.store.claimStale(ctx.workerId, now0 + ctx.leaseMs, now0, ctx.account)) count(await reconcileEntry(ctx, e));
  const mine = ctx.account !== undefined ? { account: ctx.account } : {};

  // ONE read of the entries this tick works on (OPEN_STATES: pending for the plan, alive for
  // following and the limits, submitting for the limits too), shared by every step; the
  // summary at the end only counts (QUEUED_STATES: pending and submitting, for --drain).
  const open = await ctx.store.list({ states: OPEN_STATES, ...mine });
  let alive = open.filter((e) => ALIVE_STATES.includes(e.state));
  const pending = open.filter((e) => CLAIMABLE_STATES.includes(e.state));
  const inFlight = open.filter((e) => e.state === 'submitting');
  r.alive = alive.length;

  // 2. Follow what is alive (frees the limits as deployments end).
  let listed: Map<string, Deployment> | undefined;
  if (options.follow !== false && alive.length > 0 && (options.followNow?.(alive.length) ?? true)) {
    r.followRan = true;
    try {
      const f = await follow(ctx, alive, options.followGraceMs ?? 60_000);
      r.followed = f.moved;
      listed = f.listed;
      if (f.ended.size > 0) alive = alive.filter((e) => !f.ended.has(e.id));
    } catch (e) {
      emit(ctx, { type: 'error', where: 'follow', error: errorText(e) });
    }
  }

  // 2a. Retries on `unscheduled` (issue 16): one stock read, only when an entry may qualify;
  // the same snapshot serves the plan below.
  let stock = options.stock;
  if (listed && !ctx.signal?.aborted && alive.some((e) => mayBeUnscheduled(e, ctx.now()))) {
    if (!stock) {
      try {
        stock = await ctx.api.stock.get();
      } catch (e) {
        emit(ctx, { type: 'error', where: 'stock', error: errorText(e) });
      }
    }
    const requeued = await retryUnscheduledEntries(ctx, alive, listed, stock);
    if (requeued.size > 0) {
      r.followed += requeued.size;
      alive = alive.filter((e) => !requeued.has(e.id));
    }
  }

  // 2b. The policies (issue 16): only when an entry declares one or the run has a budget/shares.
  const policing = options.budget !== undefined || options.shares !== undefined || open.some((e) => e.policy !== null);
  let policies: PlanPolicies | undefined;
  if (policing && !ctx.signal?.aborted) {
    const context = await policyContext(ctx, open, options.budget);
    policies = { context, shares: options.shares };
    const ended = await enforcePolicies(ctx, alive, context);
    if (ended.size > 0) alive = alive.filter((e) => !ended.has(e.id));
  }

  // 3. One stock snapshot for every pending entry.
  if (pending.length > 0 && !ctx.signal?.aborted) {
    if (!stock) {
      try {
        stock = await ctx.api.stock.get();
      } catch (e) {
        emit(ctx, { type: 'error', where: 'stock', error: errorText(e) });
      }
    }
    if (stock) {
      // the limits count entries in `submitting` too: a create in flight, or held after a lost
      // reply, may already be a deployment (issue 11: limits never undercount)
      const p = plan(stock, pending, options.limits ?? {}, ctx.now(), [...alive, ...inFlight], policies);
      for (const f of p.fails) {
        const note = `${f.reason}: ${f.detail}`;
        const moved = await ctx.store.transition(f.id, 'failed', {
          from: 'pending',
          now: ctx.now(),
          note,
          set: { finished_at: ctx.now(), last_error: note, error_details: { reason: f.reason, detail: f.detail } },
        });
        if (moved) {
          r.failed++;
          emit(ctx, { type: 'policy', id: f.id, action: 'fail', reason: f.reason, detail: f.detail });
          emit(ctx, { type: 'state', id: f.id, from: 'pending', to: 'failed', note });
        }
      }
      const waiting: Record<string, number> = {};
      const need: Record<string, number> = {};
      let forStock = 0;
      for (const d of p.decisions) {
        if (d.action !== 'wait') continue;
        waiting[d.reason] = (waiting[d.reason] ?? 0) + 1;
        if (d.reason === 'no_stock' || d.reason === 'reserved') {
          forStock++;
          for (const t of d.demand.types) need[t] = Math.min(need[t] ?? Infinity, d.demand.gpus);
        }
      }
      if (forStock > 0) r.watch = { need, idle: { ...p.idleAfter }, waiting: forStock };
      emit(ctx, { type: 'tick', worker: ctx.workerId, pending: pending.length, alive: alive.length, planned: p.creates.length, waiting });
      for (const c of p.creates) {
        if (ctx.signal?.aborted) break;
        const o = await submitEntry(ctx, c.id, c.gpu_name);
        count(o);
        if (o.kind === 'requeued' && o.stopTick) break;
      }
    }
  }
  const left = await ctx.store.count({ states: QUEUED_STATES, ...mine });
  r.pending = left.pending ?? 0;
  r.submitting = left.submitting ?? 0;
  return r;
}

/** The policies' inputs for this tick: dependency states, money spent, budgets (one extra read per budgeted label). */
export async function policyContext(ctx: Pick<SubmitterContext, 'store' | 'now' | 'account'>, open: readonly QueueEntry[], queueBudget: number | undefined): Promise<PolicyContext> {
  const now = ctx.now();
  const states = new Map<string, PolicyState>();
  for (const e of open) states.set(e.id, e.state);
  const wanted = new Set<string>();
  for (const e of open) for (const id of e.policy?.after ?? []) if (!states.has(id)) wanted.add(id);
  if (wanted.size > 0) for (const e of await ctx.store.list({ ids: [...wanted] })) states.set(e.id, e.state);
  const byEntry = new Map<string, number>();
  const byLabel = new Map<string, number>();
  const labelBudgets = new Map<string, number>();
  for (const e of open) {
    const b = e.policy?.labelBudget;
    if (e.label !== null && b !== undefined) labelBudgets.set(e.label, Math.min(b, labelBudgets.get(e.label) ?? Infinity));
  }
  let total = 0;
  const add = (e: QueueEntry) => {
    const s = spentCeiling(e, now);
    byEntry.set(e.id, s);
    if (e.label !== null) byLabel.set(e.label, (byLabel.get(e.label) ?? 0) + s);
    return s;
  };
  const counted = new Set<string>();
  for (const e of open) {
    total += add(e);
    counted.add(e.id);
  }
  // ended entries spent too: those of budgeted labels, and (with a queue budget) all of them
  const mine = ctx.account !== undefined ? { account: ctx.account } : {};
  const ended = queueBudget !== undefined ? await ctx.store.list({ states: TERMINAL_STATES, ...mine }) : [];
  if (queueBudget === undefined) for (const label of labelBudgets.keys()) ended.push(...(await ctx.store.list({ states: TERMINAL_STATES, label, ...mine })));
  for (const e of ended) {
    if (counted.has(e.id)) continue;
    counted.add(e.id);
    total += add(e);
  }
  // what alive deployments may still cost, kept aside by budget admission
  const committedByLabel = new Map<string, number>();
  let committedTotal = 0;
  for (const e of open) {
    if (!ALIVE_STATES.includes(e.state) && e.state !== 'submitting') continue;
    const worst = worstCaseCost(ceilingPerHour(e), e.policy);
    if (worst === undefined) continue;
    // this run's worst case less what this run spent (an earlier run's money is spent, not committed)
    const rest = Math.max(0, worst - runSpentCeiling(e, now));
    committedTotal += rest;
    if (e.label !== null) committedByLabel.set(e.label, (committedByLabel.get(e.label) ?? 0) + rest);
  }
  return {
    states,
    spent: { byEntry, byLabel, total },
    budgets: { queue: queueBudget, byLabel: labelBudgets },
    committed: { byLabel: committedByLabel, total: committedTotal },
  };
}

/** Carry out the time limits and cost caps on alive deployments; returns the entries stopped. */
async function enforcePolicies(ctx: SubmitterContext, alive: readonly QueueEntry[], context: PolicyContext): Promise<Set<string>> {
  const stopped = new Set<string>();
  const now = ctx.now();
  const byId = new Map(alive.map((e) => [e.id, e]));
  const actions = enforce(
    alive.map((e) => ({ id: e.id, label: e.label, owner: e.owner, policy: e.policy, submitted_at: e.submitted_at, pricePerHour: ceilingPerHour(e) })),
    now,
    context,
  );
  for (const a of actions) {
    const e = byId.get(a.id)!;
    const done = e.enforced;
    // each warning once per reason; a stop is retried until the deployment has ended
    if (a.action === 'warn' && done && done.reason === a.reason) continue;
    if (a.action === 'stop') {
      if (!e.deployment_uuid || !ctx.api.deployments.stop) continue;
      try {
        await ctx.api.deployments.stop(e.deployment_uuid);
      } catch (err) {
        emit(ctx, { type: 'error', where: `policy stop ${e.id}`, error: errorText(err) });
        continue;
      }
    }
    const record: EnforcedRecord = { action: a.action, reason: a.reason, detail: a.detail, at: now };
    if (!(done && done.action === a.action && done.reason === a.reason)) {
      await ctx.store.transition(e.id, e.state, { from: e.state, now, note: `${a.action === 'stop' ? 'stopped' : 'warned'} by policy: ${a.reason} (${a.detail})`, set: { enforced: record } });
      emit(ctx, { type: 'policy', id: e.id, action: a.action, reason: a.reason, detail: a.detail, deployment_uuid: e.deployment_uuid ?? undefined });
    }
    if (a.action === 'stop') {
      const note = `stopped by policy: ${a.reason} (${a.detail})`;
      const moved = await ctx.store.transition(e.id, 'finished', { from: e.state, now, note, set: { finished_at: now } });
      if (moved) {
        stopped.add(e.id);
        emit(ctx, { type: 'state', id: e.id, from: e.state, to: 'finished', note });
      }
    }
  }
  return stopped;
}

/** List pages (of 100) the follow may cost per tick on average: beyond, it runs less often. */
export const FOLLOW_PAGES_PER_TICK = 4;

/**
 * How long between two follows of `alive` entries: every tick (`intervalMs`) while their list
 * fits in FOLLOW_PAGES_PER_TICK pages of 100, else one interval per that many pages, so the
 * list calls per tick stay about FOLLOW_PAGES_PER_TICK however many deployments are alive.
 */
export function followEvery(alive: number, intervalMs: number): number {
  const pages = Math.max(1, Math.ceil(alive / 100));
  return intervalMs * Math.max(1, Math.ceil(pages / FOLLOW_PAGES_PER_TICK));
}

/** Whether the stock shows, on a type some waiting entry asked for, more idle than the last plan saw and enough for it. */
export function stockMayFit(watch: StockWatch, stock: Stock): boolean {
  for (const [t, n] of Object.entries(watch.need)) {
    const idle = Math.max(0, Math.trunc(stock[t]?.idle ?? 0));
    if (idle >= n && idle > (watch.idle[t] ?? 0)) return true;
  }
  return false;
}

/** Waiting entries per stock poll an interval: the default poll makes a tenth of the calls as many pollers would. */
export const WAITING_PER_STOCK_POLL = 10;
/** The default stock poll is never faster than this (ms). */
export const MIN_DEFAULT_STOCK_INTERVAL_MS = 1000;

/**
 * Default stock poll while `waiting` entries wait for stock: a sixth of the tick interval
 * (5 s of 30 s), and shorter the more entries wait — one poll per interval for every
 * WAITING_PER_STOCK_POLL of them (100 waiting: 3 s of 30 s), so the worker calls a tenth as
 * often as that many `autodl submit` pollers would and is as quick to see a GPU free — but
 * never under MIN_DEFAULT_STOCK_INTERVAL_MS (1 s), nor over the interval.
 */
export function defaultStockInterval(intervalMs: number, waiting = 1): number {
  const polls = Math.max(6, Math.ceil(Math.max(0, waiting) / WAITING_PER_STOCK_POLL));
  return Math.min(intervalMs, Math.max(MIN_DEFAULT_STOCK_INTERVAL_MS, Math.round(intervalMs / polls)));
}

export async function runWorker(o: WorkerOptions): Promise<WorkerSummary> {
  const pause = o.sleep ?? sleep;
  const ctx: SubmitterContext = {
    store: o.store,
    api: o.api,
    workerId: o.workerId,
    leaseMs: o.leaseMs ?? DEFAULT_LEASE_MS,
    now: o.now ?? Date.now,
    signal: o.signal,
    maxConsecutiveFailures: o.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES,
    ...(o.settleMs !== undefined ? { settleMs: o.settleMs } : {}),
    ...(o.account !== undefined ? { account: o.account } : {}),
    onEvent: o.onEvent,
  };
  // One clock for leases: the database's, read each tick (this process's clock + offset).
  const local = o.now ?? Date.now;
  const useDbClock = (o.clock ?? (o.now === undefined ? 'database' : 'local')) === 'database' && o.store.clock !== undefined;
  const maxSkew = o.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  let offset = 0;
  let skewed = false;
  if (useDbClock) ctx.now = () => local() + offset;
  // never faster than INTERVAL_MIN_S (an SDK caller's 0 would otherwise poll without pause);
  // the default adapts to how many entries the last tick left waiting for stock
  const stockEveryFor = (waiting: number) => Math.max(INTERVAL_MIN_S * 1000, o.stockIntervalMs ?? defaultStockInterval(o.intervalMs, waiting));
  let lastFollow: number | undefined;
  let snapshot: Stock | undefined;
  const s: WorkerSummary = { ticks: 0, created: 0, found: 0, failed: 0, requeued: 0, followed: 0, stopped: 'aborted' };
  for (;;) {
    if (o.signal?.aborted) {
      s.stopped = 'aborted';
      break;
    }
    if (useDbClock) {
      try {
        offset = (await clockOffset(o.store, local)) ?? 0;
      } catch (e) {
        emit(ctx, { type: 'error', where: 'clock', error: errorText(e) });
      }
      const far = Math.abs(offset) > maxSkew;
      if (far && !skewed) emit(ctx, { type: 'clock', worker: o.workerId, offset_ms: -offset });
      skewed = far;
    }
    const tickAt = local();
    const r = await workerTick(ctx, {
      limits: o.limits,
      budget: o.budget,
      shares: o.shares,
      follow: o.follow,
      followGraceMs: o.followGraceMs,
      followNow: (alive) => lastFollow === undefined || tickAt - lastFollow >= (o.followIntervalMs ?? followEvery(alive, o.intervalMs)),
      ...(snapshot ? { stock: snapshot } : {}),
    });
    snapshot = undefined;
    if (r.followRan) lastFollow = tickAt;
    s.ticks++;
    s.created += r.created;
    s.found += r.found;
    s.failed += r.failed;
    s.requeued += r.requeued;
    s.followed += r.followed;
    if (o.once) {
      s.stopped = 'once';
      break;
    }
    if (o.drain && r.pending === 0 && r.submitting === 0) {
      s.stopped = 'drained';
      break;
    }
    if (o.maxTicks !== undefined && s.ticks >= o.maxTicks) {
      s.stopped = 'max_ticks';
      break;
    }
    if (o.signal?.aborted) continue;
    // Between ticks: while entries wait for stock, poll the stock alone (cheap) and start the
    // next tick as soon as a GPU they need is freed.
    let slept = 0;
    const watch = r.watch;
    const stockEvery = stockEveryFor(watch?.waiting ?? 0);
    if (watch && stockEvery < o.intervalMs) {
      while (slept + stockEvery < o.intervalMs && !o.signal?.aborted) {
        await pause(stockEvery, o.signal);
        slept += stockEvery;
        if (o.signal?.aborted) break;
        let st: Stock | undefined;
        try {
          st = await o.api.stock.get();
        } catch (e) {
          // one error per interval at most: the rest of it is slept, the tick tries again
          emit(ctx, { type: 'error', where: 'stock', error: errorText(e) });
          break;
        }
        if (stockMayFit(watch, st)) {
          snapshot = st;
          break;
        }
        // a GPU freed and taken again (or by someone else) since: compare with what was seen last
        for (const [t, v] of Object.entries(st)) watch.idle[t] = Math.max(0, Math.trunc(v.idle));
      }
    }
    if (!snapshot && slept < o.intervalMs && !o.signal?.aborted) await pause(o.intervalMs - slept, o.signal);
  }
  return s;
}
