// Money an entry has spent, at most (issue 16): what the worker's budgets and `queue ls` read.
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
  const rate = ceilingPerHour(e);
  if (rate === undefined || e.submitted_at === null) return 0;
  const end = e.finished_at ?? now;
  return (rate * Math.max(0, end - e.submitted_at)) / 3_600_000;
}
