// `autodl queue add <config...> [--priority N] [--label L] [--dry-run]`: every config goes
// through the spec pipeline (prepareSpec); a config with a `sweep:` block expands into one
// entry per combination. All entries of one call are added in one transaction.
import type { QueueDecl, SweepItem } from '../../pipeline/index.js';
import { t } from '../../i18n/index.js';
import { renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { currentAccount, prepareTemplate, targetDialect, withStore, type AddedItem, type StoreOptions } from './queue-common.js';
import { Option, type Command } from 'commander';
import { action } from '../command.js';
import { addToQueue, checkQueuedNames, previewAdd } from '../../ops/queue.js';
import { cliWords } from '../words.js';
import { integerArg } from './queue-args.js';
import { normalizePolicy } from '../../queue/policies.js';
import { afterError, declarePolicyOptions, ownerFor, policyFrom, refuseCycles, resolveAfter, withConfig, type PolicyOptions } from './queue-policy.js';
import type { EntryPolicy } from '../../queue/policies.js';
import { AutodlError } from '../../errors.js';

export interface AddItem extends SweepItem {
  label: string | null;
  /** Its config's `queue:` block (the command line's flags override it). */
  queue?: QueueDecl | undefined;
}

/** Add the items (or, dry, print them) and print the result. Shared with `autodl sweep`. */
export async function addItems(ctx: CliContext, opts: StoreOptions & PolicyOptions & { allowDuplicate?: boolean }, items: AddItem[], priority: number, dry: boolean): Promise<void> {
  // each config's queue: block under the flags; the policy's fields are checked before
  // anything is read or added (a bad one adds nothing)
  const merged = new Map<QueueDecl | undefined, PolicyOptions>();
  for (const i of items) if (!merged.has(i.queue)) merged.set(i.queue, withConfig(opts, i.queue));
  for (const m of merged.values()) {
    // (the references in `after` are resolved against the queue later: only its presence counts here)
    const declared = policyFrom(m, m.after ?? []);
    if (declared) normalizePolicy({ ...declared, after: undefined });
  }
  // each name is sent marked (`<name>-q<tag>`): one too long then adds nothing (src/ops/queue.ts)
  checkQueuedNames(items.map((i) => i.body.name), cliWords);
  if (dry) {
    // the body as it will be sent: the name marked with the entry's tag (######## until the entry exists),
    // and the policy each entry would get (its config's queue: block under the flags; `after` as written, resolved at add time)
    const specs = previewAdd(items, priority, cliWords).map((s, k) => {
      const m = merged.get(items[k]!.queue)!;
      const policy = policyFrom(m, m.after ?? []);
      return { ...s, ...(policy ? { policy } : {}), ...(m.owner ? { owner: m.owner } : {}) };
    });
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
    const resolved = new Map<QueueDecl | undefined, { owner: string | null; policy: EntryPolicy | null }>();
    for (const [decl, m] of merged) {
      const after = m.after?.length ? await resolveAfter(store, m.after) : [];
      await refuseCycles(store, after);
      resolved.set(decl, { owner: ownerFor(m, ctx.env), policy: normalizePolicy(policyFrom(m, after)) });
    }
    // the same config already open (or twice in this add): a warning, unless --allow-duplicate (issue 15 §3)
    const { findDuplicates } = await import('../../queue/ops.js');
    const duplicates = opts.allowDuplicate ? [] : await findDuplicates(store, items.map((i) => i.body), account ?? null);
    // added through the operation MCP's queue_add shares (src/ops/queue.ts: the name rule, one transaction)
    const views: AddedItem[] = await addToQueue(store, items.map((i) => ({ ...i, ...resolved.get(i.queue)! })), { priority, account: account ?? null, words: cliWords }).catch((e: unknown) => {
      // an --after entry pruned since it was resolved: the same words as an unknown one
      if (e instanceof AutodlError && e.details.reason === 'gone' && typeof e.details.ref === 'string') throw afterError(e.details.ref);
      throw e;
    });
    const idAt = (k: number) => views[k]!.id!;
    warnDuplicates(ctx, duplicates.map((d) => ({ ...d, added: idAt(d.index), of: d.id ?? idAt(d.same_as_index ?? 0), ofState: d.state ?? 'pending' })));
    const dupJson = duplicates.map((d) => ({ id: idAt(d.index), name: d.name, duplicate_of: d.id ?? idAt(d.same_as_index ?? 0), state: d.state ?? 'pending' }));
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
  const { expandSweep } = await import('../../pipeline/sweep.js'); // no zod (src/pipeline/quick.ts)
  const items: AddItem[] = [];
  // Every file is prepared before anything is added: one bad config adds nothing.
  for (const path of paths) {
    const tpl = await prepareTemplate(ctx, path, dialect);
    for (const it of expandSweep(tpl.body, tpl.sweep ?? {})) items.push({ ...it, label, queue: tpl.queue });
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
