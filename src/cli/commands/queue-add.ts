// `autodl queue add <config...> [--priority N] [--label L] [--dry-run]`: every config goes
// through the spec pipeline (prepareSpec); a config with a `sweep:` block expands into one
// entry per combination. All entries of one call are added in one transaction.
import type { SweepItem } from '../../pipeline/index.js';
import { t } from '../../i18n/index.js';
import { renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { addedView, currentAccount, prepareTemplate, targetDialect, withStore, type AddedItem, type StoreOptions } from './queue-common.js';
import { Option, type Command } from 'commander';
import { action } from '../command.js';
import { integerArg } from './queue-args.js';
import { normalizePolicy } from '../../queue/policies.js';
import { declarePolicyOptions, ownerFor, policyFrom, refuseCycles, resolveAfter, type PolicyOptions } from './queue-policy.js';

export interface AddItem extends SweepItem {
  label: string | null;
}

/** Add the items (or, dry, print them) and print the result. Shared with `autodl sweep`. */
export async function addItems(ctx: CliContext, opts: StoreOptions & PolicyOptions & { allowDuplicate?: boolean }, items: AddItem[], priority: number, dry: boolean): Promise<void> {
  // the policy's fields are checked before anything is read or added (a bad one adds nothing)
  // (`--after` is resolved against the store below: here only its presence counts for --after-any)
  const declared = opts.afterAny && !opts.after?.length ? policyFrom(opts, []) : policyFrom({ ...opts, afterAny: false }, []);
  if (declared) normalizePolicy(declared);
  const owner = ownerFor(opts, ctx.env);
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
    const after = opts.after?.length ? await resolveAfter(store, opts.after) : [];
    await refuseCycles(store, after);
    const policy = policyFrom(opts, after);
    // the same config already open (or twice in this add): a warning, unless --allow-duplicate (issue 15 §3)
    const { findDuplicates } = await import('../../queue/ops.js');
    const duplicates = opts.allowDuplicate ? [] : await findDuplicates(store, items.map((i) => i.body), account ?? null);
    const added = await store.add(
      items.map((i) => ({ body: i.body, priority, label: i.label, account: account ?? null, owner, policy })),
      Date.now(),
    );
    const views: AddedItem[] = added.map((e, k) => addedView(e, items[k]!.params));
    warnDuplicates(ctx, duplicates.map((d) => ({ ...d, added: added[d.index]!.id, of: d.id ?? added[d.same_as_index ?? 0]!.id, ofState: d.state ?? 'pending' })));
    const dupJson = duplicates.map((d) => ({ id: added[d.index]!.id, name: d.name, duplicate_of: d.id ?? added[d.same_as_index ?? 0]!.id, state: d.state ?? 'pending' }));
    ctx.result({ status: 'success', db: path, count: views.length, entries: views, ...(dupJson.length ? { duplicates: dupJson } : {}) }, () => {
      const rows = views.map((v) => [v.id!, v.name, String(v.priority), v.label ?? '-']);
      return `${renderTable([t('qcol.id'), t('qcol.name'), t('qcol.prio'), t('qcol.label')], rows, ctx.out)}\n${ctx.out.dim(t('queue.added', { count: views.length, db: path }))}`;
    });
  }, { durable: true });
}

/** The most duplicate warnings printed one by one (then one line says how many more). */
const SHOWN_DUPLICATES = 5;

function warnDuplicates(ctx: CliContext, dups: ReadonlyArray<{ name: string; added: string; of: string; ofState: string }>): void {
  for (const d of dups.slice(0, SHOWN_DUPLICATES)) {
    ctx.warn(t('queue.duplicate', { name: d.name, id: d.of, state: d.ofState }), { code: 'duplicate', id: d.added, duplicate_of: d.of, state: d.ofState });
  }
  if (dups.length > SHOWN_DUPLICATES) ctx.warn(t('bulk.more', { n: dups.length - SHOWN_DUPLICATES }), { code: 'duplicate', more: dups.length - SHOWN_DUPLICATES });
}

export interface QueueAddOptions extends StoreOptions, PolicyOptions {
  priority: number;
  label?: string;
  dryRun?: boolean;
  allowDuplicate?: boolean;
}

export async function run(ctx: CliContext, [paths]: [string[]], opts: QueueAddOptions): Promise<void> {
  const priority = opts.priority;
  const label = opts.label ?? null;
  const dialect = await targetDialect(ctx);
  const { expandSweep } = await import('../../pipeline/index.js');
  const items: AddItem[] = [];
  // Every file is prepared before anything is added: one bad config adds nothing.
  for (const path of paths) {
    const tpl = await prepareTemplate(ctx, path, dialect);
    for (const it of expandSweep(tpl.body, tpl.sweep ?? {})) items.push({ ...it, label });
  }
  await addItems(ctx, opts, items, priority, opts.dryRun ?? false);
}

/** `queue add` (the group is ./queue.ts) */
export function declareAdd(group: Command): void {
  group
    .command('add')
    .description(t('queue.cmd.add'))
    .argument('<config...>', t('arg.config'))
    .option('--priority <n>', t('queue.opt.priority'), integerArg, 0)
    .option('--label <label>', t('queue.opt.label'))
    .option('--allow-duplicate', t('queue.opt.allowDuplicate'))
    .addOption(new Option('--dry-run', t('queue.opt.dryRun')));
  declarePolicyOptions(group.commands[group.commands.length - 1]!).action(action(run));
}
