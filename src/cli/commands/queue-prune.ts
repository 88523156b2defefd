// `autodl queue prune --older-than <duration> [--label L] [--dry-run]`: ended entries (finished,
// failed, cancelled) that ended longer ago than the duration are deleted with their history, in
// one transaction (store.prune). Never an open entry; an ended one that an open entry still
// needs (its --after, or its label's budget) is kept and said so.
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { fmtDuration } from '../../queue/policies.js';
import type { PruneKept } from '../../queue/store.js';
import type { QueueEntry } from '../../queue/types.js';
import { escapeControls } from '../output.js';
import type { CliContext } from '../runtime.js';
import { withStore, type StoreOptions } from './queue-common.js';
import type { Command } from 'commander';
import { action, withExamples, type Example } from '../command.js';
import { durationArg } from './queue-policy.js';

/** When an entry ended (as store.prune reads it: finished_at, else its last change). */
const endedAt = (e: QueueEntry): number => e.finished_at ?? e.updated_at;

export interface QueuePruneOptions extends StoreOptions {
  olderThan?: number;
  label?: string;
  dryRun?: boolean;
}

function keptLine(k: PruneKept): string {
  return k.reason === 'needed_by' ? t('queue.prune.neededBy', { id: k.entry.id, by: k.by }) : t('queue.prune.budget', { id: k.entry.id, label: escapeControls(k.entry.label ?? '', { inline: true }), by: k.by });
}

export async function run(ctx: CliContext, _args: [], opts: QueuePruneOptions): Promise<void> {
  if (opts.olderThan === undefined) throw new AutodlError('config_error', t('queue.prune.needOlderThan'), { reason: 'missing --older-than' });
  const olderThan = opts.olderThan;
  const dryRun = opts.dryRun ?? false;
  await withStore(ctx, opts, async (store, path) => {
    // the cut-off on the database's clock when it has one (the times in it are the writers')
    const now = store.clock ? await store.clock() : Date.now();
    const before = now - olderThan;
    const out = await store.prune(before, { ...(opts.label !== undefined ? { label: opts.label } : {}), dryRun });
    const iso = (ms: number) => new Date(ms).toISOString();
    const age = fmtDuration(olderThan);
    const value = {
      status: 'success',
      db: path,
      dry_run: dryRun,
      older_than_seconds: Math.round(olderThan / 1000),
      before: iso(before),
      removed: out.removed.length,
      entries: out.removed.map((e) => ({ id: e.id, name: e.body.name, label: e.label, state: e.state, ended_at: iso(endedAt(e)) })),
      kept: out.kept.map((k) => ({ id: k.entry.id, name: k.entry.body.name, state: k.entry.state, reason: k.reason, by: k.by })),
    };
    ctx.result(value, () => {
      const c = ctx.out;
      const lines = out.removed.map((e) => `${c.dim(dryRun ? '~' : '-')} ${e.id} ${escapeControls(e.body.name, { inline: true })} ${c.dim(`${e.state} ${iso(endedAt(e))}`)}`);
      for (const k of out.kept) lines.push(`${c.yellow('!')} ${keptLine(k)}`);
      lines.push(c.bold(t(dryRun ? 'queue.prune.would' : 'queue.prune.done', { n: out.removed.length, age })));
      return lines.join('\n');
    });
  });
}

export const EXAMPLES_PRUNE: readonly Example[] = [
  ['autodl queue prune --older-than 7d', 'ex.queue.prune'],
  ['autodl queue prune --older-than 1d --label lr-sweep --dry-run', 'ex.queue.prune.dry'],
];

/** `queue prune` (the group is ./queue.ts) */
export function declarePrune(group: Command): void {
  const cmd = group
    .command('prune')
    .description(t('queue.cmd.prune'))
    .option('--older-than <duration>', t('queue.opt.olderThan'), durationArg)
    .option('--label <label>', t('queue.opt.pruneLabel'))
    .option('--dry-run', t('queue.opt.pruneDryRun'));
  withExamples(cmd, EXAMPLES_PRUNE).action(action(run));
}
