// `autodl queue add <config...> [--priority N] [--label L] [--dry-run]`: every config goes
// through the spec pipeline (prepareSpec); a config with a `sweep:` block expands into one
// entry per combination. All entries of one call are added in one transaction.
import type { SweepItem } from '../../pipeline/index.js';
import { t } from '../../i18n/index.js';
import { renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { addedView, currentAccount, prepareTemplate, targetDialect, withStore, type AddedItem } from './queue-common.js';

export interface AddItem extends SweepItem {
  label: string | null;
}

/** Add the items (or, dry, print them) and print the result. Shared with `autodl sweep`. */
export async function addItems(ctx: CliContext, opts: Record<string, unknown>, items: AddItem[], priority: number, dry: boolean): Promise<void> {
  if (dry) {
    const specs = items.map((i) => ({
      name: i.body.name,
      priority,
      label: i.label,
      ...(Object.keys(i.params).length > 0 ? { params: i.params } : {}),
      body: i.body,
    }));
    if (ctx.json) {
      ctx.printJson(specs);
      return;
    }
    ctx.print(specs.map((s) => JSON.stringify(ctx.sanitize(s.body), null, 2)).join('\n'));
    ctx.log(ctx.err.yellow(t('queue.dryRun', { count: specs.length })));
    return;
  }
  // whose entries (issue 11): the token's fingerprint when one is at hand, else none yet
  const account = await currentAccount(ctx);
  await withStore(ctx, opts, async (store, path) => {
    const added = await store.add(
      items.map((i) => ({ body: i.body, priority, label: i.label, account: account ?? null })),
      Date.now(),
    );
    const views: AddedItem[] = added.map((e, k) => addedView(e, items[k]!.params));
    ctx.result({ status: 'success', db: path, count: views.length, entries: views }, () => {
      const rows = views.map((v) => [v.id!, v.name, String(v.priority), v.label ?? '-']);
      return `${renderTable(['ID', 'NAME', 'PRIO', 'LABEL'], rows, ctx.out)}\n${ctx.out.dim(t('queue.added', { count: views.length, db: path }))}`;
    });
  }, { durable: true });
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const paths = (Array.isArray(args[0]) ? args[0] : [args[0]]).map(String);
  const priority = typeof opts.priority === 'number' ? opts.priority : 0;
  const label = typeof opts.label === 'string' ? opts.label : null;
  const dialect = await targetDialect(ctx);
  const { expandSweep } = await import('../../pipeline/index.js');
  const items: AddItem[] = [];
  // Every file is prepared before anything is added: one bad config adds nothing.
  for (const path of paths) {
    const tpl = await prepareTemplate(ctx, path, dialect);
    for (const it of expandSweep(tpl.body, tpl.sweep ?? {})) items.push({ ...it, label });
  }
  await addItems(ctx, opts, items, priority, opts.dryRun === true);
}
