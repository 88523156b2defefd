// `autodl queue cancel <id...>`: pending → cancelled. An entry past pending (being submitted,
// or with a deployment) is not cancelled: validation_error (stop or delete the deployment).
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
    return runEntryBulk(ctx, 'cancel', refs, opts);
  }
  const ids = refs.map(entryId);
  const { cancelEntry } = await import('../../queue/ops.js');
  await withStore(ctx, opts, async (store) => {
    for (const id of ids) if (!(await store.get(id))) throw notFound(id);
    const done: QueueEntry[] = [];
    for (const id of ids) done.push(await cancelEntry(store, id));
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
