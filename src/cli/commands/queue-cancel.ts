// `autodl queue cancel <id...>`: pending → cancelled. An entry past pending (being submitted,
// or with a deployment) is not cancelled: validation_error (stop or delete the deployment).
import type { QueueEntry } from '../../queue/types.js';
import { t } from '../../i18n/index.js';
import type { CliContext } from '../runtime.js';
import { notFound, withStore } from './queue-common.js';
import { cancelEntries } from '../../ops/queue.js';
import type { QueueBulkOptions } from './queue-bulk.js';
import { selectorsOf, withBulkOptions } from '../bulk.js';
import { hasSelectors } from '../../ops/bulk.js';
import type { Command } from 'commander';
import { action, withExamples, type Example } from '../command.js';

export async function run(ctx: CliContext, [refs]: [string[]], opts: QueueBulkOptions): Promise<void> {
  // several entries, selectors, or --dry-run: the bulk form (./queue-bulk.ts)
  if (refs.length !== 1 || opts.dryRun || hasSelectors(selectorsOf(opts, opts.state))) {
    const { runEntryBulk } = await import('./queue-bulk.js');
    return runEntryBulk(ctx, 'cancel', refs, opts);
  }
  await withStore(ctx, opts, async (store) => {
    // shared with MCP's queue_cancel (src/ops/queue.ts): every id checked before any is cancelled
    const done: QueueEntry[] = await cancelEntries(store, refs, notFound);
    ctx.result({ status: 'success', entries: done.map((e) => ({ id: e.id, state: e.state })) }, () =>
      done.map((e) => t('queue.cancelled', { id: e.id })).join('\n'),
    );
  });
}

/** `queue cancel` (the group is ./queue.ts) */
export function declareCancel(group: Command): void {
  const cmd = group.command('cancel').description(t('queue.cmd.cancel')).argument('[id...]', t('queue.arg.ids'));
  withExamples(withBulkOptions(cmd, 'queue', { dryRun: true }), EXAMPLES_CANCEL).action(action(run));
}

export const EXAMPLES_CANCEL: readonly Example[] = [
  ['autodl queue cancel q-7k2m9x4a q-3b8c1d0e', 'ex.queue.cancel'],
  ['autodl queue cancel --label lr-sweep --yes', 'ex.queue.cancel.label'],
  ['autodl queue cancel --name-prefix demo- --dry-run', 'ex.queue.cancel.dry'],
];
