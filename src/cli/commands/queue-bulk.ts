// `queue cancel` / `queue retry` on many entries (issue 15 §3): the ids given and/or the entries
// the selectors match (`--label`, `--name-prefix` on the name the user wrote, `--state`, `--all`),
// confirmed, acted on, summarised (src/ops/bulk.ts). Without `--state` a selector looks at the
// entries the action can apply to, or may explain (cancel: the open ones; retry: failed and
// cancelled); an entry in another state is skipped with the reason.
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { execute, hasSelectors, selectMatching, summarize, toAct, uniqueBy, type ActOutcome, type Planned } from '../../ops/bulk.js';
import type { QueueStore } from '../../queue/store.js';
import { CANCELLABLE_STATES, OPEN_STATES, RETRYABLE_STATES, type EntryState } from '../../queue/states.js';
import type { QueueEntry } from '../../queue/types.js';
import { confirmBulk, noTargetError, printDeclined, printSummary, selectorsOf, type BulkOptions } from '../bulk.js';
import type { CliContext } from '../runtime.js';
import { entryId, notFound, withStore, type StoreOptions } from './queue-common.js';
import { parseStates } from './queue-ls.js';

export type EntryAction = 'cancel' | 'retry';

export interface QueueBulkOptions extends BulkOptions, StoreOptions {}

/** Why `action` does not apply to an entry in this state (undefined: it applies). */
function skipReason(action: EntryAction, e: QueueEntry): string | undefined {
  if (action === 'cancel') {
    if (CANCELLABLE_STATES.includes(e.state)) return undefined;
    if (e.state === 'submitting') return t('bulk.reason.submitting');
    if (e.deployment_uuid !== null && (e.state === 'submitted' || e.state === 'running')) return t('bulk.reason.hasDeployment', { state: e.state, uuid: e.deployment_uuid });
    return t('bulk.reason.already', { state: e.state });
  }
  if (RETRYABLE_STATES.includes(e.state)) return undefined;
  return t('bulk.reason.notRetryable', { state: e.state, states: RETRYABLE_STATES.join(', ') });
}

const baseOf = (e: QueueEntry) => ({ target: e.id, name: e.body.name, state: e.state });

async function plan(store: QueueStore, action: EntryAction, refs: readonly string[], opts: QueueBulkOptions): Promise<Planned<QueueEntry>[]> {
  const states = parseStates(opts.state) as EntryState[] | undefined;
  const selectors = selectorsOf(opts, states);
  const out: Planned<QueueEntry>[] = [];
  for (const ref of refs) {
    const id = entryId(ref);
    const e = await store.get(id);
    if (!e) {
      const err = notFound(id);
      out.push({ item: undefined, base: { target: id }, verdict: { outcome: 'failed', reason: err.message, error_type: err.errorType } });
      continue;
    }
    const why = skipReason(action, e);
    out.push({ item: e, base: baseOf(e), verdict: why === undefined ? { outcome: 'done' } : { outcome: 'skipped', reason: why } });
  }
  if (hasSelectors(selectors)) {
    const scope = states ?? (action === 'cancel' ? OPEN_STATES : RETRYABLE_STATES);
    const candidates = await store.list({ states: scope, ...(selectors.label !== undefined ? { label: selectors.label } : {}) });
    const matched = selectMatching(candidates, selectors, { name: (e) => e.body.name, state: (e) => e.state, label: (e) => e.label });
    for (const e of matched) {
      const why = skipReason(action, e);
      out.push({ item: e, base: baseOf(e), verdict: why === undefined ? { outcome: 'done' } : { outcome: 'skipped', reason: why } });
    }
  }
  return uniqueBy(out, (p) => p.base.target);
}

/** Cancel or retry every selected entry; prints the summary (exit code non-zero when one failed). */
export async function runEntryBulk(ctx: CliContext, action: EntryAction, refs: readonly string[], opts: QueueBulkOptions): Promise<void> {
  const selectors = selectorsOf(opts, parseStates(opts.state));
  if (refs.length === 0 && !hasSelectors(selectors)) throw noTargetError('queue');
  const ops = await import('../../queue/ops.js');
  await withStore(ctx, opts, async (store) => {
    const planned = await plan(store, action, refs, opts);
    const verb = t(action === 'cancel' ? 'bulk.verb.cancel' : 'bulk.verb.retry');
    const verbDone = t(action === 'cancel' ? 'bulk.done.cancel' : 'bulk.done.retry');
    if (!opts.dryRun && !(await confirmBulk(ctx, verb, toAct(planned), opts))) {
      return printDeclined(ctx, summarize(action, false, await execute(planned, async () => ({ outcome: 'done' }), { dryRun: true })));
    }
    const act = async (e: QueueEntry): Promise<ActOutcome> => {
      try {
        const moved = action === 'cancel' ? await ops.cancelEntry(store, e.id) : await ops.retryEntry(store, e.id);
        return { outcome: 'done', state: moved.state };
      } catch (err) {
        // the entry moved meanwhile (a worker claimed it), or retry does not apply (a deployment `autodl ttl` took in)
        if (err instanceof AutodlError && err.errorType === 'validation_error') {
          const cur = await store.get(e.id);
          return { outcome: 'skipped', reason: err.message, ...(cur ? { state: cur.state } : {}) };
        }
        throw err;
      }
    };
    const results = await execute(planned, act, { dryRun: opts.dryRun ?? false });
    const summary = summarize(action, opts.dryRun ?? false, results);
    // `entries`: the entries moved, as the one-target form lists them
    const entries = results.filter((r) => r.outcome === 'done' && !summary.dry_run).map((r) => ({ id: r.target, state: r.state }));
    printSummary(ctx, summary, { verb, done: verbDone }, { entries });
  });
}
