// `autodl stop|delete` on many deployments (issue 15 §3): the references given (each resolved
// as the one-target form resolves it), and/or the deployments the selectors match — `--label`
// (the deployments the queue made for entries of that label), `--name-prefix`, `--status`,
// `--all` — confirmed, acted on with bounded concurrency, summarised (src/ops/bulk.ts).
import { existsSync } from 'node:fs';
import type { AutodlClient } from '../api/client.js';
import type { Deployment } from '../api/types.js';
import { AutodlError } from '../errors.js';
import { t } from '../i18n/index.js';
import { MAX_LISTED, execute, hasSelectors, selectMatching, summarize, toAct, uniqueBy, failure, type Planned } from '../ops/bulk.js';
import { resolveDeployment } from '../ops/resolve.js';
import { confirmBulk, interruptible, noTargetError, printDeclined, printSummary, selectorsOf, type BulkOptions } from './bulk.js';
import { cliResolve, makeClientWithToken } from './client.js';
import type { CliContext } from './runtime.js';
import { cliWords } from './words.js';

export type DeploymentAction = 'stop' | 'delete';

export interface DeploymentBulkOptions extends BulkOptions {
  db?: string;
}

/** The deployment uuids the queue recorded for entries of `label` (the label of a sweep or batch). */
async function labelled(ctx: CliContext, opts: DeploymentBulkOptions, label: string): Promise<Set<string>> {
  const { queuePath, withStore } = await import('./commands/queue-common.js');
  const store = { ...(opts.db !== undefined ? { db: opts.db } : {}) };
  // no queue file yet: no entry has that label (reading must not create the database)
  const path = await queuePath(ctx, store);
  const { isPostgresUrl } = await import('../queue/pg-store.js');
  if (!isPostgresUrl(path) && !existsSync(path)) return new Set();
  return withStore(ctx, store, async (store) => {
    const entries = await store.list({ label });
    return new Set(entries.map((e) => e.deployment_uuid).filter((u): u is string => typeof u === 'string'));
  });
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const wellFormed = (d: unknown): d is Deployment =>
  d !== null && typeof d === 'object' && !Array.isArray(d) && typeof (d as Deployment).uuid === 'string' && (d as Deployment).uuid !== '';

function verdictFor(action: DeploymentAction, d: Deployment): Planned<Deployment>['verdict'] {
  if (action === 'stop' && d.status === 'stopped') return { outcome: 'skipped', reason: t('bulk.reason.alreadyStopped') };
  return { outcome: 'done' };
}

async function plan(ctx: CliContext, client: AutodlClient, action: DeploymentAction, refs: readonly string[], opts: DeploymentBulkOptions): Promise<Planned<Deployment>[]> {
  const selectors = selectorsOf(opts, opts.status);
  const out: Planned<Deployment>[] = [];
  for (const ref of refs) {
    try {
      // each reference as one deployment's command takes it (queue entry ids, the name written …: src/ops/resolve.ts)
      const d = await resolveDeployment(client, ref, cliWords, cliResolve(ctx, opts.db));
      out.push({ item: d, base: { target: d.uuid, name: d.name, state: d.status }, verdict: verdictFor(action, d) });
    } catch (e) {
      const f = failure({ target: ref }, e);
      out.push({ item: undefined, base: { target: ref }, verdict: { outcome: 'failed', reason: f.reason ?? '', error_type: f.error_type ?? 'api_error' } });
    }
  }
  if (hasSelectors(selectors)) {
    const uuids = selectors.label !== undefined ? await labelled(ctx, opts, selectors.label) : undefined;
    const filter = selectors.states?.length === 1 ? { status: selectors.states[0]! } : {};
    const list: Deployment[] = [];
    // a hostile list: an item that is not a deployment with a uuid is never a target (and must not crash the selection)
    let listed = 0;
    for await (const d of client.deployments.listAll(filter)) {
      // a server whose list never ends: refused after a bounded read, nothing acted on
      if (++listed > MAX_LISTED) throw new AutodlError('api_error', t('bulk.tooManyListed', { max: MAX_LISTED }), { reason: 'too_many_listed', max: MAX_LISTED });
      if (wellFormed(d)) list.push(d);
    }
    const matched = selectMatching(list, selectors, { name: (d) => text(d.name), state: (d) => text(d.status), label: (d) => (uuids?.has(d.uuid) ? selectors.label : null) });
    for (const d of matched) out.push({ item: d, base: { target: d.uuid, name: d.name, state: d.status }, verdict: verdictFor(action, d) });
  }
  return uniqueBy(out, (p) => p.base.target);
}

/** Stop or delete every selected deployment; prints the summary (exit code non-zero when one failed). */
export async function runDeploymentBulk(ctx: CliContext, action: DeploymentAction, refs: readonly string[], opts: DeploymentBulkOptions): Promise<void> {
  const selectors = selectorsOf(opts, opts.status);
  if (refs.length === 0 && !hasSelectors(selectors)) throw noTargetError('deployments');
  // selecting reads the deployments: a token is needed, for --dry-run too
  const { client } = await makeClientWithToken(ctx, { requireToken: true });
  const planned = await plan(ctx, client, action, refs, opts);
  const verb = t(action === 'stop' ? 'bulk.verb.stop' : 'bulk.verb.delete');
  const verbDone = t(action === 'stop' ? 'bulk.done.stop' : 'bulk.done.delete');
  if (!opts.dryRun && !(await confirmBulk(ctx, verb, toAct(planned), opts))) return printDeclined(ctx, summarize(action, false, await execute(planned, async () => ({ outcome: 'done' }), { dryRun: true })));
  let interrupted = false;
  const results = await interruptible(ctx, async (signal) => {
    const r = await execute(
      planned,
      async (d) => {
        if (action === 'stop') {
          await client.deployments.stop(d.uuid);
          return { outcome: 'done', state: 'stopped' };
        }
        await client.deployments.delete(d.uuid);
        return { outcome: 'done', state: 'deleted' };
      },
      { dryRun: opts.dryRun ?? false, signal, interruptedReason: t('bulk.reason.interrupted') },
    );
    interrupted = signal.aborted;
    return r;
  });
  printSummary(ctx, summarize(action, opts.dryRun ?? false, results), { verb, done: verbDone }, interrupted ? { interrupted: true } : {});
}
