// `autodl queue priority <id> <n>`: re-prioritise a pending entry.
import { t } from '../../i18n/index.js';
import type { CliContext } from '../runtime.js';
import { entryId, notFound, withStore } from './queue-common.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const id = entryId(args[0]);
  const priority = Number(args[1]);
  const { setPriority } = await import('../../queue/ops.js');
  await withStore(ctx, opts, async (store) => {
    if (!(await store.get(id))) throw notFound(id);
    const e = await setPriority(store, id, priority);
    ctx.result({ status: 'success', id: e.id, priority: e.priority }, () => t('queue.prioritySet', { id: e.id, priority: e.priority }));
  });
}
