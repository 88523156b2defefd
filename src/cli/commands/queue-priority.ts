// `autodl queue priority <id> <n>`: re-prioritise a pending entry.
import { t } from '../../i18n/index.js';
import type { CliContext } from '../runtime.js';
import { entryId, notFound, withStore, type StoreOptions } from './queue-common.js';
import type { Command } from 'commander';
import { action } from '../command.js';
import { integerArg } from './queue-args.js';

export async function run(ctx: CliContext, [ref, priority]: [string, number], opts: StoreOptions): Promise<void> {
  const id = entryId(ref);
  const { setPriority } = await import('../../queue/ops.js');
  await withStore(ctx, opts, async (store) => {
    if (!(await store.get(id))) throw notFound(id);
    const e = await setPriority(store, id, priority);
    ctx.result({ status: 'success', id: e.id, priority: e.priority }, () => t('queue.prioritySet', { id: e.id, priority: e.priority }));
  });
}

/** `queue priority` (the group is ./queue.ts) */
export function declarePriority(group: Command): void {
  group
    .command('priority')
    .description(t('queue.cmd.priority'))
    .argument('<id>', t('queue.arg.id'))
    .argument('<n>', t('queue.arg.priority'), integerArg)
    .action(action(run));
}
