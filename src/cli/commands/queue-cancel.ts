// `autodl queue cancel <id...>`: pending → cancelled. An entry past pending (being submitted,
// or with a deployment) is not cancelled: validation_error (stop or delete the deployment).
import type { QueueEntry } from '../../queue/types.js';
import { t } from '../../i18n/index.js';
import type { CliContext } from '../runtime.js';
import { notFound, withStore, type StoreOptions } from './queue-common.js';
import { cancelEntries } from '../../ops/queue.js';
import type { Command } from 'commander';
import { action } from '../command.js';

export async function run(ctx: CliContext, [refs]: [string[]], opts: StoreOptions): Promise<void> {
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
  group.command('cancel').description(t('queue.cmd.cancel')).argument('<id...>', t('queue.arg.id')).action(action(run));
}
