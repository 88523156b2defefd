// `autodl queue retry <id...>`: failed or cancelled → pending (failure count reset).
import type { QueueEntry } from '../../queue/types.js';
import { t } from '../../i18n/index.js';
import type { CliContext } from '../runtime.js';
import { entryId, notFound, withStore } from './queue-common.js';
import type { QueueBulkOptions } from './queue-bulk.js';
import { selectorsOf, withBulkOptions } from '../bulk.js';
import { hasSelectors } from '../../ops/bulk.js';
import type { Command } from 'commander';
import { action, withExamples, type Example } from '../command.js';

export async function run(ctx: CliContext, [refs]: [string[]], opts: QueueBulkOptions): Promise<void> {
  // several entries, selectors, or --dry-run: the bulk form (./queue-bulk.ts)
  if (refs.length !== 1 || opts.dryRun || hasSelectors(selectorsOf(opts, opts.state))) {
    const { runEntryBulk } = await import('./queue-bulk.js');
    return runEntryBulk(ctx, 'retry', refs, opts);
  }
  const ids = refs.map(entryId);
  const { retryEntry } = await import('../../queue/ops.js');
  await withStore(ctx, opts, async (store) => {
    for (const id of ids) if (!(await store.get(id))) throw notFound(id);
    const done: QueueEntry[] = [];
    for (const id of ids) done.push(await retryEntry(store, id));
    ctx.result({ status: 'success', entries: done.map((e) => ({ id: e.id, state: e.state })) }, () =>
      done.map((e) => t('queue.retried', { id: e.id })).join('\n'),
    );
  });
}

/** `queue retry` (the group is ./queue.ts) */
export function declareRetry(group: Command): void {
  const cmd = group.command('retry').description(t('queue.cmd.retry')).argument('[id...]', t('queue.arg.ids'));
  withExamples(withBulkOptions(cmd, 'queue', { dryRun: true }), EXAMPLES_RETRY).action(action(run));
}

export const EXAMPLES_RETRY: readonly Example[] = [
  ['autodl queue retry --state failed --label lr-sweep --yes', 'ex.queue.retry.label'],
];
