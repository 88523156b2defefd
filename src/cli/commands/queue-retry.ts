// `autodl queue retry <id...>`: failed or cancelled → pending (failure count reset).
import type { QueueEntry } from '../../queue/types.js';
import { t } from '../../i18n/index.js';
import type { CliContext } from '../runtime.js';
import { entryId, notFound, withStore, type StoreOptions } from './queue-common.js';
import type { Command } from 'commander';
import { action } from '../command.js';

export async function run(ctx: CliContext, [refs]: [string[]], opts: StoreOptions): Promise<void> {
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
  group.command('retry').description(t('queue.cmd.retry')).argument('<id...>', t('queue.arg.id')).action(action(run));
}
