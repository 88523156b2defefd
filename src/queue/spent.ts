// Money an entry has spent, at most (issue 16): what the worker's budgets and `queue ls` read.
import type { Container } from '../api/types.js';
import { containerCost } from '../watch/cost.js';
import { demandOf } from './planner.js';
import type { QueueEntry } from './types.js';

/** Yuan/hour at most of an entry's deployment (price_to × GPUs), undefined without price_to. */
export function ceilingPerHour(e: QueueEntry): number | undefined {
  return demandOf(e.body).pricePerHour;
}

/**
 * What an entry has cost so far, at most: its price ceiling (price_to × GPUs) over the time
 * since it was created, to when it ended (or now). The worker reads no containers for this —
 * `autodl cost` does, and shows less — so a budget can only stop early, never late.
 */
export function spentCeiling(e: QueueEntry, now: number): number {
  return runSpentCeiling(e, now) + earlierRunsSpent(e);
}

/** The current run's part of spentCeiling (since this run's deployment was created). */
export function runSpentCeiling(e: QueueEntry, now: number): number {
  const rate = ceilingPerHour(e);
  if (rate === undefined || e.submitted_at === null) return 0;
  const end = e.finished_at ?? now;
  return (rate * Math.max(0, end - e.submitted_at)) / 3_600_000;
}

/**
 * What the entry's earlier runs cost (the retry policy gave their deployments up): the estimate
 * from their containers (started/stopped × price, as `autodl cost`) where the worker read them
 * at the retry, else that run's price ceiling.
 */
export function earlierRunsSpent(e: Pick<QueueEntry, 'retry_log'>): number {
  let s = 0;
  for (const r of e.retry_log ?? []) s += r.spent_yuan ?? r.spent_at_most ?? 0;
  return s;
}

/** A deployment's spend so far from its containers: the estimate `autodl cost` shows (yuan). */
export function containersSpent(containers: readonly Container[], now: number): number {
  let s = 0;
  for (const c of containers) s += containerCost(c, { now }).spent_yuan;
  return s;
}
