// Money an entry has spent, at most (issue 16): what the worker's budgets and `queue ls` read.
import { demandOf } from './planner.js';
import type { QueueEntry } from './types.js';

/** Yuan/hour at most of an entry's deployment (price_to × GPUs), undefined without price_to. */
export function ceilingPerHour(e: QueueEntry): number | undefined {
  return demandOf(e.body).pricePerHour;
}

/**
 * What an entry has cost so far, at most: what its earlier runs spent (spent_earlier) plus its
 * price ceiling (price_to × GPUs) over the time since its deployment was created, to when it
 * ended (or now). The worker reads no containers for this — `autodl cost` does, and shows
 * less — so a budget can only stop early, never late.
 */
export function spentCeiling(e: QueueEntry, now: number): number {
  const earlier = e.spent_earlier ?? 0;
  const rate = ceilingPerHour(e);
  if (rate === undefined || e.submitted_at === null) return earlier;
  const end = e.finished_at ?? now;
  return earlier + (rate * Math.max(0, end - e.submitted_at)) / 3_600_000;
}

/**
 * What an entry going back to pending after a deployment (a retry) sets: its spending so far
 * kept in spent_earlier, and no run in progress (nothing accrues while it waits, and its next
 * deployment's time counts from its own creation).
 */
export function rerunPatch(e: QueueEntry, now: number): { spent_earlier: number; submitted_at: null; finished_at: null } {
  return { spent_earlier: spentCeiling(e, now), submitted_at: null, finished_at: null };
}
