// The pure planner: one stock snapshot → which pending entries to create now.
//
// plan(stock, pending, limits, now, alive) is a pure function (no I/O, no clock, no
// randomness), so it is trivial to test and to benchmark.
//
// Policy (documented contract):
//
// 1. Demand. An entry needs `gpu_num` GPUs per container, times the containers that start
//    at once: Job → min(parallelism_num ?? replica_num, replica_num) (≥ 1), ReplicaSet →
//    replica_num (≥ 1), Container → 1. `demand.gpus = gpu_num × containers`.
// 2. Fit. With `fit: 'all'` (the queue's default) an entry fits when its containers can all
//    be placed on the idle GPUs of its gpu_name_set types: first the first type (in
//    gpu_name_set order) whose idle ≥ demand.gpus takes it all; otherwise containers are
//    spread greedily over the types in order, floor(idle / gpu_num) each. With `fit: 'one'`
//    (the original skill's rule, used by the one-shot submit) it fits when some type has
//    idle ≥ gpu_num; it then takes what is there, up to its demand.
//    The GPUs taken are subtracted from the snapshot, so one stock call serves every entry.
// 3. Order. Effective priority = priority + floor(waited / agingMs) (ageing: +1 per
//    `agingMs` waited, default 10 min; 0 disables), highest first; then older first; then
//    the order given (insertion order).
// 4. Anti-starvation (reservation). An entry that has waited ≥ `reserveAfterMs` (default
//    30 min) and does not fit reserves the idle GPUs of every type in its gpu_name_set for
//    the rest of the tick: later (lower effective priority) entries see 0 idle there, so a
//    stream of small entries cannot jump a large one for ever; the idle grows as
//    deployments end until the large one fits. Younger entries that do not fit are simply
//    skipped (backfill). Likewise an aged entry blocked by the maxGpus / maxPrice budget
//    blocks every later create of the tick (the budget is global).
// 5. Limits, checked before each create against what is alive from this queue (entries in
//    submitted/running, and the worker passes submitting ones too) plus what this plan already creates: maxRunning (deployments),
//    maxGpus (sum of demand.gpus), maxPrice (yuan/hour: price_to / 1000 × gpu_num ×
//    containers). With maxPrice set, an entry without price_to cannot be bounded and waits
//    (reason `price_unbounded`); alive entries without price_to count 0.
// 6. No per-entry backoff: every pending entry is re-examined on every tick.
// 7. Policies (issue 16; only when `policies` is given, see ./policies.ts). Before the
//    limits: dependencies — an entry whose `after` entries have not all finished waits
//    (reason `after`); one whose dependency failed, was cancelled or is gone gets a `fail`
//    decision (`dependency_failed` / `dependency_missing`) unless `afterAny`. Then budgets — an
//    entry under a queue or label budget waits (reason `budget`) when nothing is left, or when
//    its worst case (price_to × GPUs × max_runtime) exceeds what is left after this plan's
//    earlier creates. Then shares — with `shares`, maxGpus and maxRunning are divided between
//    the owners that have work, by weight (shareLimits), and an entry whose owner's part is
//    used waits (reason `share`); the queue-wide limits still apply on top.

import type { Stock, CreateDeploymentBody } from '../api/types.js';
import { budgetVerdict, dependencyVerdict, ownerOf, shareLimits, worstCaseCost, type EntryPolicy, type PolicyContext, type Shares } from './policies.js';

export interface PlanLimits {
  /** Most deployments alive from this queue at once. */
  maxRunning?: number | undefined;
  /** Most GPUs held by deployments alive from this queue. */
  maxGpus?: number | undefined;
  /** Most yuan per hour across the queue (from price_to). */
  maxPrice?: number | undefined;
  /** +1 effective priority per this many ms waited. Default 600000 (10 min); 0 disables. */
  agingMs?: number;
  /** An entry waiting this long reserves the idle of its types when it does not fit. Default 1800000 (30 min). */
  reserveAfterMs?: number;
  /** Most creates planned per tick. Default unlimited. */
  maxCreatesPerTick?: number;
  /** 'all' (default): every container that starts at once must fit; 'one': one container must fit (original skill). */
  fit?: 'all' | 'one';
}

export const DEFAULT_AGING_MS = 10 * 60_000;
export const DEFAULT_RESERVE_AFTER_MS = 30 * 60_000;

/** What the planner reads of an entry. QueueEntry satisfies it. */
export interface PlannableEntry {
  id: string;
  priority: number;
  created_at: number;
  body: CreateDeploymentBody;
  /** Read by the policies only (issue 16). */
  label?: string | null | undefined;
  owner?: string | null | undefined;
  policy?: EntryPolicy | null | undefined;
}

/** The policies' inputs (issue 16): without them the planner plans as before. */
export interface PlanPolicies {
  context: PolicyContext;
  /** Divide maxGpus / maxRunning between owners (`queue run --share owner`). */
  shares?: Shares | undefined;
}

export interface Demand {
  gpuNum: number;
  /** Containers that start at once. */
  containers: number;
  gpus: number;
  /** yuan/hour at most (price_to), undefined when the body has no price_to. */
  pricePerHour: number | undefined;
  types: string[];
}

export function demandOf(body: CreateDeploymentBody): Demand {
  const t = body.container_template;
  const gpuNum = Math.max(1, Math.trunc(Number(t.gpu_num) || 1));
  const replicas = Math.max(1, Math.trunc(Number(body.replica_num ?? 1) || 1));
  let containers: number;
  switch (body.deployment_type) {
    case 'Job': {
      const par = Math.max(1, Math.trunc(Number(body.parallelism_num ?? replicas) || replicas));
      containers = Math.min(par, replicas);
      break;
    }
    case 'ReplicaSet':
      containers = replicas;
      break;
    default:
      containers = 1;
  }
  const gpus = gpuNum * containers;
  const pricePerHour = typeof t.price_to === 'number' && Number.isFinite(t.price_to) ? (t.price_to / 1000) * gpus : undefined;
  return { gpuNum, containers, gpus, pricePerHour, types: [...t.gpu_name_set] };
}

export type WaitReason =
  | 'no_stock'
  | 'gpu_type_missing'
  | 'reserved'
  | 'blocked_by_head'
  | 'limit_running'
  | 'limit_gpus'
  | 'limit_price'
  | 'price_unbounded'
  | 'tick_cap'
  | 'after'
  | 'budget'
  | 'share';

export interface CreateDecision {
  action: 'create';
  id: string;
  /** The type expected to take the first container. */
  gpu_name: string;
  /** GPUs subtracted per type. */
  take: Record<string, number>;
  demand: Demand;
  effectivePriority: number;
}

export interface WaitDecision {
  action: 'wait';
  id: string;
  reason: WaitReason;
  demand: Demand;
  effectivePriority: number;
  /** True when this entry reserved the idle of its types (anti-starvation). */
  reserving: boolean;
}

/** A pending entry that can never run (a failed or missing dependency): the worker fails it. */
export interface FailDecision {
  action: 'fail';
  id: string;
  reason: 'dependency_failed' | 'dependency_missing';
  detail: string;
  demand: Demand;
  effectivePriority: number;
}

export type Decision = CreateDecision | WaitDecision | FailDecision;

export interface Usage {
  running: number;
  gpus: number;
  /** yuan/hour */
  price: number;
}

export interface Plan {
  /** One decision per pending entry, in the order examined. */
  decisions: Decision[];
  creates: CreateDecision[];
  /** Entries to fail (policies only). */
  fails: FailDecision[];
  /** Idle per type left after the planned creates (reserved types included as they were). */
  idleAfter: Record<string, number>;
  /** Usage of alive entries plus planned creates. */
  usage: Usage;
}

export function effectivePriority(e: PlannableEntry, now: number, agingMs: number): number {
  if (!(agingMs > 0)) return e.priority;
  return e.priority + Math.max(0, Math.floor((now - e.created_at) / agingMs));
}

/** Order in which the planner examines entries (stable: ties keep the given order). */
export function planOrder<T extends PlannableEntry>(pending: readonly T[], now: number, agingMs = DEFAULT_AGING_MS): T[] {
  return pending
    .map((e, i) => ({ e, i, p: effectivePriority(e, now, agingMs) }))
    .sort((a, b) => b.p - a.p || a.e.created_at - b.e.created_at || a.i - b.i)
    .map((x) => x.e);
}

export function usageOf(alive: readonly PlannableEntry[]): Usage {
  const u: Usage = { running: 0, gpus: 0, price: 0 };
  for (const e of alive) {
    const d = demandOf(e.body);
    u.running += 1;
    u.gpus += d.gpus;
    u.price += d.pricePerHour ?? 0;
  }
  return u;
}

/**
 * Try to place a demand on the idle counts (a type in `reserved` counts 0 idle); returns the
 * GPUs taken per type, or undefined. Loops, no closures: it runs once per pending entry.
 */
function place(d: Demand, idle: Record<string, number>, fit: 'all' | 'one', reserved?: ReadonlySet<string>): Record<string, number> | undefined {
  const types = d.types;
  const avail = (t: string) => (reserved !== undefined && reserved.has(t) ? 0 : Math.max(0, idle[t] ?? 0));
  if (fit === 'one') {
    let any = false;
    for (let i = 0; i < types.length && !any; i++) any = avail(types[i]!) >= d.gpuNum;
    if (!any) return undefined;
  } else {
    let slots = 0;
    for (let i = 0; i < types.length; i++) {
      const a = avail(types[i]!);
      if (a >= d.gpus) return { [types[i]!]: d.gpus };
      slots += Math.floor(a / d.gpuNum);
    }
    if (slots < d.containers) return undefined;
  }
  const take: Record<string, number> = {};
  let left = d.containers;
  for (const t of types) {
    if (left === 0) break;
    const n = Math.min(left, Math.floor(avail(t) / d.gpuNum));
    if (n > 0) {
      take[t] = (take[t] ?? 0) + n * d.gpuNum;
      left -= n;
    }
  }
  return take;
}

export function plan(
  stock: Stock,
  pending: readonly PlannableEntry[],
  limits: PlanLimits = {},
  now: number,
  alive: readonly PlannableEntry[] = [],
  policies?: PlanPolicies,
): Plan {
  const agingMs = limits.agingMs ?? DEFAULT_AGING_MS;
  const reserveAfterMs = limits.reserveAfterMs ?? DEFAULT_RESERVE_AFTER_MS;
  const fit = limits.fit ?? 'all';
  const cap = limits.maxCreatesPerTick ?? Infinity;
  const idle: Record<string, number> = {};
  for (const [t, s] of Object.entries(stock)) idle[t] = Math.max(0, Math.trunc(s.idle));
  const reserved = new Set<string>();
  const usage = usageOf(alive);
  const decisions: Decision[] = [];
  const creates: CreateDecision[] = [];
  const fails: FailDecision[] = [];
  let headBlocked = false;
  // policies: money this plan already commits (worst cases), per label and in all; owners' parts
  const plannedByLabel = new Map<string, number>(policies?.context.committed?.byLabel ?? []);
  let plannedTotal = policies?.context.committed?.total ?? 0;
  let shares: Map<string, { maxGpus: number; maxRunning: number }> | undefined;
  const ownerUse = new Map<string, Usage>();
  if (policies?.shares) {
    shares = shareLimits([...pending, ...alive].map((e) => ownerOf({ owner: e.owner ?? null })), limits, policies.shares);
    for (const e of alive) {
      const o = ownerOf({ owner: e.owner ?? null });
      const u = ownerUse.get(o) ?? { running: 0, gpus: 0, price: 0 };
      const d = demandOf(e.body);
      u.running += 1;
      u.gpus += d.gpus;
      u.price += d.pricePerHour ?? 0;
      ownerUse.set(o, u);
    }
  }

  for (const e of planOrder(pending, now, agingMs)) {
    const demand = demandOf(e.body);
    const ep = effectivePriority(e, now, agingMs);
    const aged = now - e.created_at >= reserveAfterMs;
    const wait = (reason: WaitReason, reserving = false) => {
      decisions.push({ action: 'wait', id: e.id, reason, demand, effectivePriority: ep, reserving });
    };
    if (!demand.types.some((t) => t in stock)) {
      wait('gpu_type_missing');
      continue;
    }
    if (headBlocked) {
      wait('blocked_by_head');
      continue;
    }
    if (creates.length >= cap) {
      wait('tick_cap');
      continue;
    }
    const owner = ownerOf({ owner: e.owner ?? null });
    if (policies) {
      const pe = { id: e.id, label: e.label ?? null, owner: e.owner ?? null, policy: e.policy ?? null };
      const dep = dependencyVerdict(pe, policies.context.states);
      if (!dep.ok && !dep.wait) {
        const f: FailDecision = { action: 'fail', id: e.id, reason: dep.reason, detail: dep.detail, demand, effectivePriority: ep };
        decisions.push(f);
        fails.push(f);
        continue;
      }
      if (!dep.ok) {
        wait('after');
        continue;
      }
      if (!budgetVerdict(pe, demand.pricePerHour, policies.context, plannedByLabel, plannedTotal).ok) {
        wait('budget');
        continue;
      }
      const part = shares?.get(owner);
      if (part) {
        const u = ownerUse.get(owner) ?? { running: 0, gpus: 0, price: 0 };
        if (u.running + 1 > part.maxRunning || u.gpus + demand.gpus > part.maxGpus) {
          wait('share');
          continue;
        }
      }
    }
    // Limits first: they do not depend on the stock.
    if (limits.maxRunning !== undefined && usage.running + 1 > limits.maxRunning) {
      wait('limit_running');
      continue;
    }
    if (limits.maxGpus !== undefined && usage.gpus + demand.gpus > limits.maxGpus) {
      wait('limit_gpus', aged);
      if (aged) headBlocked = true;
      continue;
    }
    if (limits.maxPrice !== undefined) {
      if (demand.pricePerHour === undefined) {
        wait('price_unbounded');
        continue;
      }
      if (usage.price + demand.pricePerHour > limits.maxPrice + 1e-9) {
        wait('limit_price', aged);
        if (aged) headBlocked = true;
        continue;
      }
    }
    const take = place(demand, idle, fit, reserved.size > 0 ? reserved : undefined);
    if (!take) {
      // Would it have fitted without the reservations of older entries?
      const blockedByReservation = reserved.size > 0 && demand.types.some((t) => reserved.has(t)) && place(demand, idle, fit) !== undefined;
      if (aged) for (const t of demand.types) reserved.add(t);
      wait(blockedByReservation ? 'reserved' : 'no_stock', aged);
      continue;
    }
    for (const [t, n] of Object.entries(take)) idle[t] = (idle[t] ?? 0) - n;
    usage.running += 1;
    usage.gpus += demand.gpus;
    usage.price += demand.pricePerHour ?? 0;
    if (policies) {
      const worst = worstCaseCost(demand.pricePerHour, e.policy ?? null) ?? 0;
      plannedTotal += worst;
      if (e.label) plannedByLabel.set(e.label, (plannedByLabel.get(e.label) ?? 0) + worst);
      if (shares) {
        const u = ownerUse.get(owner) ?? { running: 0, gpus: 0, price: 0 };
        u.running += 1;
        u.gpus += demand.gpus;
        u.price += demand.pricePerHour ?? 0;
        ownerUse.set(owner, u);
      }
    }
    const c: CreateDecision = { action: 'create', id: e.id, gpu_name: Object.keys(take)[0]!, take, demand, effectivePriority: ep };
    decisions.push(c);
    creates.push(c);
  }
  return { decisions, creates, fails, idleAfter: idle, usage };
}
