// `autodl queue history [--label L] [--limit N]`: past entries (finished, failed, cancelled),
// newest end first, with the outcome, how long the deployment ran and what it cost at most
// (the config's price_to × GPUs over the run time: the ceiling the budgets use, src/queue/spent.ts;
// `autodl cost` shows what the platform billed).
import { t } from '../../i18n/index.js';
import { spentCeiling, ceilingPerHour } from '../../queue/spent.js';
import { TERMINAL_STATES } from '../../queue/states.js';
import type { QueueEntry } from '../../queue/types.js';
import { dash, formatDuration, renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { stateColor, withStore, type StoreOptions } from './queue-common.js';
import type { Command } from 'commander';
import { action, withExamples, type Example } from '../command.js';
import { positiveInt } from '../args.js';

export interface QueueHistoryOptions extends StoreOptions {
  label?: string;
  limit?: number;
}

const DEFAULT_LIMIT = 20;
/** The most a history shows at once (a limit beyond it is this). */
const MAX_LIMIT = 10_000;

const endedAt = (e: QueueEntry): number => e.finished_at ?? e.updated_at;

/** Seconds its deployment existed (submitted → ended), or null when it never had one. */
function ranSeconds(e: QueueEntry): number | null {
  if (e.submitted_at === null) return null;
  return Math.max(0, Math.round((endedAt(e) - e.submitted_at) / 1000));
}

function costAtMost(e: QueueEntry): number | null {
  if (e.submitted_at === null || ceilingPerHour(e) === undefined) return null;
  return Math.round(spentCeiling({ ...e, finished_at: endedAt(e) }, endedAt(e)) * 100) / 100;
}

export function historyView(e: QueueEntry): Record<string, unknown> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: e.id,
    name: e.body.name,
    label: e.label,
    outcome: e.state,
    deployment_uuid: e.deployment_uuid,
    attempts: e.attempts,
    created_at: iso(e.created_at),
    submitted_at: iso(e.submitted_at),
    ended_at: iso(endedAt(e)),
    ran_seconds: ranSeconds(e),
    // yuan, at most (price_to × GPUs × run time); null without a price_to or a deployment
    cost_yuan_at_most: costAtMost(e),
    last_error: e.last_error,
  };
}

export async function run(ctx: CliContext, _args: [], opts: QueueHistoryOptions): Promise<void> {
  const limit = Math.min(MAX_LIMIT, opts.limit ?? DEFAULT_LIMIT);
  await withStore(ctx, opts, async (store, path) => {
    const ended = await store.list({ states: TERMINAL_STATES, ...(opts.label !== undefined ? { label: opts.label } : {}) });
    const list = ended.sort((a, b) => endedAt(b) - endedAt(a)).slice(0, limit);
    ctx.result({ db: path, count: list.length, total: ended.length, entries: list.map(historyView) }, () => {
      const c = ctx.out;
      if (list.length === 0) return c.dim(t('queue.history.empty'));
      const rows = list.map((e) => {
        const ran = ranSeconds(e);
        const cost = costAtMost(e);
        const err = e.last_error ? (e.last_error.length > 50 ? `${e.last_error.slice(0, 49)}…` : e.last_error) : '-';
        return [new Date(endedAt(e)).toISOString().replace(/\.\d+Z$/, 'Z'), e.id, e.body.name, stateColor(e.state, c), ran === null ? '-' : formatDuration(ran), cost === null ? '-' : `≤¥${cost.toFixed(2)}`, dash(e.label), err];
      });
      return `${renderTable((['qcol.ended', 'qcol.id', 'qcol.name', 'qcol.outcome', 'qcol.ran', 'qcol.cost', 'qcol.label', 'qcol.lastError'] as const).map((k) => t(k)), rows, c, { right: [4, 5] })}\n${c.dim(t('queue.history.costNote'))}`;
    });
  });
}

export const EXAMPLES_HISTORY: readonly Example[] = [['autodl queue history --label lr-sweep --limit 10', 'ex.queue.history']];

/** `queue history` (the group is ./queue.ts) */
export function declareHistory(group: Command): void {
  const cmd = group
    .command('history')
    .description(t('queue.cmd.history'))
    .option('--label <label>', t('queue.opt.pruneLabel'))
    .option('--limit <n>', t('queue.opt.limit'), positiveInt);
  withExamples(cmd, EXAMPLES_HISTORY).action(action(run));
}
