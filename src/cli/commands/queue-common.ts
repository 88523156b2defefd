// Shared by the queue commands and `autodl sweep`: the store location, entry ids, the
// config pipeline with sweeps allowed, and the JSON / table shapes of an entry.
import { fmtDuration } from '../../queue/policies.js';
import { spentCeiling } from '../../queue/spent.js';
import { basename, extname } from 'node:path';
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import type { QueueEntry, QueueStore } from '../../queue/index.js';
import type { Dialect, CreateDeploymentBody } from '../../api/types.js';
import type { QueueDecl, SweepParams } from '../../pipeline/index.js';
import { dash, formatDuration, statusColor, type Colors } from '../output.js';
import type { CliContext } from '../runtime.js';
import { prepareConfig } from '../config-file.js';
import { makeClient, resolveTarget } from '../client.js';
import { shortAccount } from '../../queue/account.js';
import { isEntryState, STATES } from '../../queue/states.js';

/** The option every queue command takes (on the group or on itself). */
export interface StoreOptions {
  db?: string;
}

/** `--db`, else AUTODL_QUEUE_DB, else the XDG data directory (see defaultQueuePath). */
export async function queuePath(ctx: CliContext, opts: StoreOptions): Promise<string> {
  if (opts.db !== undefined && opts.db.length > 0) return opts.db;
  const { defaultQueuePath } = await import('../../queue/sqlite-store.js');
  return defaultQueuePath(ctx.env as NodeJS.ProcessEnv);
}

/**
 * Open the store: a postgres:// URL is a PostgreSQL queue shared across machines, anything
 * else a SQLite file (created with its directory on first use). `path` is what output may
 * show (a URL's password as ***); the URL's password is a secret of this run.
 */
export async function openStore(ctx: CliContext, opts: StoreOptions, options: { durable?: boolean } = {}): Promise<{ store: QueueStore; path: string }> {
  const path = await queuePath(ctx, opts);
  const { postgresPassword, redactPostgresUrl } = await import('../../queue/pg-store.js');
  const password = postgresPassword(path);
  ctx.addSecret(password);
  // --db is in the process list for every user of the machine: say so (AUTODL_QUEUE_DB is not)
  if (password !== undefined && opts.db === path) ctx.warn(t('queue.passwordInArgv'), { code: 'password_in_argv' });
  const { openQueueStore } = await import('../../queue/open.js');
  try {
    const store = await openQueueStore(path, options);
    return { store, path: store.path };
  } catch (e) {
    if (e instanceof AutodlError) throw e;
    const shown = redactPostgresUrl(path);
    throw new AutodlError('config_error', t('queue.openFailed', { path: shown, message: e instanceof Error ? e.message : String(e) }), { path: shown });
  }
}

/** Run `fn` with the store open; always closes it. */
export async function withStore<T>(
  ctx: CliContext,
  opts: StoreOptions,
  fn: (store: QueueStore, path: string) => Promise<T>,
  options: { durable?: boolean } = {},
): Promise<T> {
  const { store, path } = await openStore(ctx, opts, options);
  try {
    return await fn(store, path);
  } finally {
    await store.close();
  }
}

/** `q-abc12345` or `abc12345` → `q-abc12345` (src/ops/queue.ts). */
export { entryIdOf as entryId } from '../../ops/queue.js';

export function notFound(id: string): AutodlError {
  return new AutodlError('not_found', t('queue.notFound', { id }), { id });
}

/**
 * The account fingerprint of the current token and host (issue 11), or undefined when no token
 * is at hand (then an added entry is of no account until a worker claims it). The token itself
 * goes nowhere: only its one-way fingerprint is stored and shown.
 */
export async function currentAccount(ctx: CliContext, needToken = false): Promise<string | undefined> {
  const target = await resolveTarget(ctx, needToken);
  if (!target.token) return undefined;
  const { normalizeHost } = await import('../../api/transport.js');
  const { accountFingerprint } = await import('../../queue/account.js');
  return accountFingerprint(normalizeHost(target.host), target.token);
}

/** The dialect of the target (for the CUDA form), without needing a token. */
export async function targetDialect(ctx: CliContext): Promise<Dialect> {
  const client = await makeClient(ctx, { requireToken: false });
  return client.dialect;
}

export interface PreparedTemplate {
  body: CreateDeploymentBody;
  sweep?: SweepParams;
  /** The config's `queue:` block (policies for the entries it adds). */
  queue?: QueueDecl;
  path: string;
}

/** prepareSpec with sweeps allowed; lint warnings on stderr (NDJSON with --json). */
export async function prepareTemplate(ctx: CliContext, path: string, dialect: Dialect): Promise<PreparedTemplate> {
  const prepared = await prepareConfig(ctx, path, { dialect, allowSweep: true, file: true });
  return { body: prepared.body, ...(prepared.sweep ? { sweep: prepared.sweep } : {}), ...(prepared.queue ? { queue: prepared.queue } : {}), path };
}

/** Default label of a sweep: the template's file name without extension. */
export function labelOf(path: string): string {
  return basename(path, extname(path));
}

// the JSON shapes of an entry are shared with MCP (src/ops/queue.ts)
export { addedView, entryView, type AddedItem } from '../../ops/queue.js';

/** The POLICY column: `4h`, `¥1.20/¥10`, `after 2`, and what a policy did (`stopped: max_runtime`). */
export function policySummary(e: QueueEntry, now = Date.now()): string {
  const p = e.policy;
  const parts: string[] = [];
  if (p?.maxRuntimeMs !== undefined) parts.push(`≤${fmtDuration(p.maxRuntimeMs)}${p.graceMs ? `+${fmtDuration(p.graceMs)}` : ''}`);
  if (p?.maxCost !== undefined || p?.labelBudget !== undefined) {
    const spent = spentCeiling(e, now).toFixed(2);
    if (p.maxCost !== undefined) parts.push(`¥${spent}/¥${p.maxCost}`);
    if (p.labelBudget !== undefined) parts.push(t('policy.sum.label', { budget: p.labelBudget }));
  }
  if (p?.after?.length) parts.push(t(p.afterAny ? 'policy.sum.afterAny' : 'policy.sum.after', { n: p.after.length }));
  if (p?.retry) {
    const last = e.retry_log?.[e.retry_log.length - 1];
    parts.push(`retry ${e.retries}/${p.retry.max}${last ? ` (${last.cause})` : ''}`);
  }
  if (e.enforced) parts.push(t(e.enforced.action === 'stop' ? 'policy.sum.stopped' : 'policy.sum.warned', { reason: e.enforced.reason }));
  return parts.length ? parts.join(' ') : '-';
}

/** A queue state in its colour from the state table (src/queue/states.ts); a state it does not know is data (escaped). */
export function stateColor(state: string, c: Colors): string {
  return isEntryState(state) ? c[STATES[state].color](state) : statusColor(state, c);
}

/** The headers of an entry table, in the language of the run (a function: the language is chosen at start). */
export const entryHeaders = (): string[] =>
  (['qcol.id', 'qcol.name', 'qcol.state', 'qcol.prio', 'qcol.tries', 'qcol.deployment', 'qcol.account', 'qcol.age', 'qcol.lastError'] as const).map((k) => t(k));

export function entryRow(e: QueueEntry, c: Colors, now = Date.now()): string[] {
  const err = e.last_error ? (e.last_error.length > 60 ? `${e.last_error.slice(0, 59)}…` : e.last_error) : '-';
  return [
    e.id,
    e.body.name,
    stateColor(e.state, c),
    String(e.priority),
    String(e.attempts),
    dash(e.deployment_uuid),
    shortAccount(e.account),
    formatDuration((now - e.created_at) / 1000),
    err,
  ];
}
