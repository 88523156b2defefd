// `autodl queue run [--once] [--drain] [--interval S] [--max-running N] [--max-gpus N]
// [--max-price YUAN] [--worker-id ID] [--no-follow] [--stock-interval S] [--follow-interval S]`: a foreground worker over the queue
// database (see src/queue/worker.ts: reconcile, follow, ONE stock call per tick, plan, create).
//
// Progress on stderr: one status line rewritten in place on a terminal, NDJSON events with
// --json, plain lines otherwise. The summary goes to stdout when the worker stops.
// Ctrl-C: the worker finishes the step it is in (a create already sent is recorded), gives
// back a claim it has not used, and stops: exit 130 (error_type interrupted). A second
// Ctrl-C quits at once; an entry left in `submitting` is reconciled by its mark once its
// lease expires (5 min) or at once by a worker restarted with the same --worker-id (the
// default id is new for every start). --request-timeout sets the SDK's request timeout and
// with it the settle window (three times it) for creates whose outcome is unknown.
import { collect } from '../args.js';
import { reasonText, type PlatformReason } from '../../queue/refusal.js';
import { ALIVE_STATES, OPEN_STATES } from '../../queue/states.js';
import { AutodlError } from '../../errors.js';
import { catalogs, t, type MessageKey } from '../../i18n/index.js';
import type { PlanLimits, QueueEvent, WorkerSummary } from '../../queue/index.js';
import type { Shares } from '../../queue/policies.js';
import { makeClient } from '../client.js';
import { StatusLine } from '../progress.js';
import type { CliContext } from '../runtime.js';
import { currentAccount, openStore, type StoreOptions } from './queue-common.js';
import type { Command } from 'commander';
import { action } from '../command.js';
import { intervalSeconds, nonNegativeInt, nonNegativeNumber, positiveNumber } from '../args.js';

class RunRenderer extends StatusLine {
  private created = 0;
  private ticks = 0;
  private lastPlain = '';

  /** A free-form NDJSON record (json mode only). */
  record(obj: Record<string, unknown>): void {
    if (this.mode === 'json') this.ctx.io.stderr.write(`${JSON.stringify(this.ctx.sanitize(obj))}\n`);
  }

  event(ev: QueueEvent): void {
    if (ev.type === 'observed') return; // per-tick counts: for notifications, not for the screen
    if (ev.type === 'created') this.created++;
    if (ev.type === 'tick') this.ticks++;
    const mode = this.mode;
    if (mode === 'json') {
      this.ctx.io.stderr.write(`${JSON.stringify(this.ctx.sanitize({ ...ev, ts: new Date().toISOString() }))}\n`);
      return;
    }
    const c = this.ctx.err;
    switch (ev.type) {
      case 'tick': {
        const w = Object.entries(ev.waiting).map(([k, v]) => `${k}=${v}`).join(', ');
        const text = t('queue.run.status', { ticks: this.ticks, pending: ev.pending, alive: ev.alive, created: this.created, waiting: w ? ` (${w})` : '' });
        if (mode === 'tty') this.status(text);
        else {
          // plain (a log file): a tick line only when the picture changed
          const key = `${ev.pending}|${ev.alive}|${w}`;
          if (key !== this.lastPlain) this.ctx.log(text);
          this.lastPlain = key;
        }
        return;
      }
      case 'created':
        this.line(c.green(t('queue.run.created', { id: ev.id, uuid: ev.deployment_uuid, name: ev.deployment_name })));
        return;
      case 'found':
        this.line(t('queue.run.found', { id: ev.id, uuid: ev.deployment_uuid }));
        return;
      case 'failed':
        {
          const pr = ev.details.platform_reason as PlatformReason | undefined;
          const message = pr ? reasonText(pr) : String((ev.details.api_response as { msg?: string } | undefined)?.msg ?? ev.error_type);
          this.line(c.red(t('queue.run.failed', { id: ev.id, message })));
        }
        return;
      case 'requeued':
        if (ev.platform_reason) this.line(c.yellow(t('queue.run.refused', { id: ev.id, reason: reasonText(ev.platform_reason), n: String(ev.consecutive_failures) })));
        else this.line(c.yellow(t('queue.run.requeued', { id: ev.id, reason: ev.error ? `${ev.reason}: ${ev.error}` : ev.reason })));
        return;
      case 'unresolved':
        this.line(c.yellow(t('queue.run.error', { where: ev.id, message: ev.error })));
        return;
      case 'state':
        this.line(t('queue.run.state', { id: ev.id, from: ev.from, to: ev.to, note: ev.note }));
        return;
      case 'error':
        this.line(c.yellow(t('queue.run.error', { where: ev.where, message: ev.error })));
        return;
      case 'clock':
        this.line(c.yellow(t('queue.run.clockSkew', { seconds: Math.round(ev.offset_ms / 1000) })));
        return;
      case 'policy':
        this.line((ev.action === 'warn' ? c.yellow : c.red)(t('policy.run.acted', { id: ev.id, action: ev.action, reason: ev.reason, detail: ev.detail })));
        return;
      case 'retry':
        this.line(c.yellow(t('policy.run.retried', { id: ev.id, reason: ev.cause, n: String(ev.n), max: String(ev.max), detail: ev.detail })));
        return;
      case 'blacklisted':
        this.line(c.yellow(t('policy.run.blacklisted', { id: ev.id, host: ev.machine_id, failures: String(ev.failures) })));
        return;
      case 'claimed':
        return;
    }
  }
}

/** Bound on --request-timeout (the settle window is three times it). */
const MAX_REQUEST_TIMEOUT_S = 600;

export interface QueueRunOptions extends StoreOptions {
  once?: boolean;
  drain?: boolean;
  interval: number;
  stockInterval?: number;
  followInterval?: number;
  maxRunning?: number;
  maxGpus?: number;
  maxPrice?: number;
  workerId?: string;
  requestTimeout: number;
  /** false with --no-follow */
  follow: boolean;
  budget?: number;
  share?: string;
  ownerMaxGpus?: number;
  ownerMaxRunning?: number;
  ownerWeight?: string[];
  dryRun?: boolean;
}

/**
 * `queue run --dry-run` (issue 15 §5): one look as the worker's next tick would take it (this
 * account's entries, the limits and policies given), one stock call, nothing claimed, written
 * or created: what would be created now and, for every other pending entry, why it waits.
 */
async function dryRun(ctx: CliContext, opts: QueueRunOptions, limits: PlanLimits, shares: Shares | undefined): Promise<void> {
  const client = await makeClient(ctx);
  const account = await currentAccount(ctx, true);
  const { planNow } = await import('../../ops/queue.js');
  const { store, path } = await openStore(ctx, opts);
  let view;
  try {
    view = await planNow({ store, api: client, limits, ...(account !== undefined ? { account } : {}), ...(opts.budget !== undefined ? { budget: opts.budget } : {}), ...(shares ? { shares } : {}) });
  } finally {
    await store.close();
  }
  const result = { ...view, db: path };
  ctx.result(result, () => {
    const c = ctx.out;
    const lines: string[] = [];
    for (const i of view.would_create) lines.push(c.green(t('queue.runDry.create', { id: i.id, name: i.deployment_name, gpu: i.gpu_name ?? '-' })));
    if (view.would_create.length === 0) lines.push(t('queue.runDry.none'));
    for (const i of view.would_wait) {
      const reason = i.reason !== undefined && `queue.reason.${i.reason}` in catalogs.en ? t(`queue.reason.${i.reason}` as MessageKey) : (i.explanation ?? i.reason ?? '');
      lines.push(c.yellow(t('queue.runDry.wait', { id: i.id, name: i.deployment_name, reason })));
    }
    for (const i of view.would_fail) lines.push(c.red(t('queue.runDry.wait', { id: i.id, name: i.deployment_name, reason: `${i.reason ?? ''}: ${i.explanation ?? ''}` })));
    lines.push(c.dim(t('queue.runDry.sent')));
    return lines.join('\n');
  });
}

/** --share / --owner-* → the planner's shares (issue 16), or undefined without --share. */
function sharesOf(opts: QueueRunOptions): Shares | undefined {
  if (opts.share === undefined) {
    if (opts.ownerMaxGpus !== undefined || opts.ownerMaxRunning !== undefined || opts.ownerWeight?.length) {
      throw new AutodlError('config_error', t('policy.badShare', { value: '(none)' }), { option: '--share' });
    }
    return undefined;
  }
  if (opts.share !== 'owner') throw new AutodlError('config_error', t('policy.badShare', { value: opts.share }), { option: '--share', value: opts.share });
  const weights = new Map<string, number>();
  for (const w of opts.ownerWeight ?? []) {
    const m = /^([A-Za-z0-9._@-]{1,64})=(\d+(?:\.\d+)?)$/.exec(w);
    const n = m ? Number(m[2]) : NaN;
    if (!m || !(n > 0) || n > 1e6) throw new AutodlError('config_error', t('policy.badWeight', { value: w }), { option: '--owner-weight', value: w });
    weights.set(m[1]!, n);
  }
  return { weights, perOwnerMaxGpus: opts.ownerMaxGpus, perOwnerMaxRunning: opts.ownerMaxRunning };
}

function limitsOf(opts: QueueRunOptions): PlanLimits {
  const l: PlanLimits = {};
  if (opts.maxRunning !== undefined) l.maxRunning = opts.maxRunning;
  if (opts.maxGpus !== undefined) l.maxGpus = opts.maxGpus;
  if (opts.maxPrice !== undefined) l.maxPrice = opts.maxPrice;
  return l;
}

/** Notifications from the user config's `notify` sinks (docs/notifications.md); none configured → undefined. */
async function makeNotifier(ctx: CliContext): Promise<{ handle(e: QueueEvent): void; flush(): Promise<void> } | undefined> {
  const [{ loadNotifySinks }, { QueueNotifier }] = await Promise.all([import('../../notify/index.js'), import('../../notify/queue.js')]);
  let sinks;
  try {
    sinks = loadNotifySinks(ctx.env);
  } catch (e) {
    // a broken notify section must not stop the worker
    ctx.warn(e instanceof Error ? e.message : String(e));
    return undefined;
  }
  if (sinks.length === 0) return undefined;
  return new QueueNotifier(sinks, (event, results) => {
    for (const r of results) {
      if (!r.ok) ctx.warn(t('queue.notifyFailed', { kind: event.kind, target: r.target, error: r.error ?? String(r.status ?? '') }));
    }
  });
}

export async function run(ctx: CliContext, _args: [], opts: QueueRunOptions): Promise<void> {
  const intervalS = opts.interval;
  const { defaultWorkerId } = await import('../../queue/ids.js');
  const workerId = opts.workerId !== undefined && opts.workerId.length > 0 ? opts.workerId : defaultWorkerId();
  const limits = limitsOf(opts);
  const shares = sharesOf(opts);
  if (opts.dryRun) return dryRun(ctx, opts, limits, shares);
  const requestTimeoutS = opts.requestTimeout;
  if (!(requestTimeoutS > 0 && requestTimeoutS <= MAX_REQUEST_TIMEOUT_S)) {
    throw new AutodlError('config_error', t('queue.run.requestTimeoutRange', { max: MAX_REQUEST_TIMEOUT_S }), { option: '--request-timeout', value: requestTimeoutS, max: MAX_REQUEST_TIMEOUT_S });
  }
  const requestTimeoutMs = Math.round(requestTimeoutS * 1000);
  const client = await makeClient(ctx, { timeoutMs: requestTimeoutMs });
  // issue 11: this worker claims and follows only its own account's entries (and adopts those of none)
  const account = await currentAccount(ctx, true);
  const { runWorker } = await import('../../queue/worker.js');
  const { DEFAULT_LEASE_MS, settleWindowFor } = await import('../../queue/submitter.js');
  const { store, path } = await openStore(ctx, opts);
  const renderer = new RunRenderer(ctx);
  const notifier = await makeNotifier(ctx);
  const ac = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    renderer.clear();
    if (ctx.json) renderer.record({ type: 'stopping' });
    else ctx.log(ctx.err.yellow(t('queue.run.stopping')));
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  renderer.record({
    type: 'start',
    worker: workerId,
    db: path,
    interval_s: intervalS,
    ...(opts.stockInterval !== undefined ? { stock_interval_s: opts.stockInterval } : {}),
    ...(opts.followInterval !== undefined ? { follow_interval_s: opts.followInterval } : {}),
    limits,
    ...(opts.budget !== undefined ? { budget: opts.budget } : {}),
    ...(shares ? { share: 'owner' } : {}),
    account,
  });
  let summary: WorkerSummary;
  let left: { pending: number; submitting: number; alive: number };
  try {
    summary = await runWorker({
      store,
      api: client,
      workerId,
      intervalMs: Math.round(intervalS * 1000),
      ...(opts.stockInterval !== undefined ? { stockIntervalMs: Math.round(opts.stockInterval * 1000) } : {}),
      ...(opts.followInterval !== undefined ? { followIntervalMs: Math.round(opts.followInterval * 1000) } : {}),
      once: opts.once ?? false,
      drain: opts.drain ?? false,
      follow: opts.follow,
      // measured on the database's clock (this process's clock corrected each tick)
      clock: 'database',
      settleMs: settleWindowFor(requestTimeoutMs),
      // the lease outlives this worker's own create (a --request-timeout past 5 min would
      // let another worker take a create still in flight for abandoned)
      leaseMs: Math.max(DEFAULT_LEASE_MS, 2 * requestTimeoutMs),
      signal: ac.signal,
      limits,
      budget: opts.budget,
      shares,
      ...(account !== undefined ? { account } : {}),
      onEvent: (e) => {
        renderer.event(e);
        notifier?.handle(e);
      },
    });
    const n = await store.count({ states: OPEN_STATES, ...(account !== undefined ? { account } : {}) });
    left = { pending: n.pending ?? 0, submitting: n.submitting ?? 0, alive: ALIVE_STATES.reduce((sum, st) => sum + (n[st] ?? 0), 0) };
  } finally {
    renderer.clear();
    await notifier?.flush();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await store.close();
  }
  const result = { status: 'success', worker: workerId, db: path, ...summary, ...left };
  if (summary.stopped === 'aborted') {
    throw new AutodlError('interrupted', t('queue.interrupted'), { ...summary, ...left, worker: workerId });
  }
  ctx.result(result, () =>
    t('queue.run.done', { stopped: summary.stopped, ticks: summary.ticks, created: summary.created, found: summary.found, failed: summary.failed, pending: left.pending }),
  );
}

/** `queue run` (the group is ./queue.ts) */
export function declareRun(group: Command): void {
  group
    .command('run')
    .description(t('queue.cmd.run'))
    .option('--once', t('queue.opt.once'))
    .option('--drain', t('queue.opt.drain'))
    .option('--interval <seconds>', t('queue.opt.interval'), intervalSeconds, 30)
    .option('--stock-interval <seconds>', t('queue.opt.stockInterval'), intervalSeconds)
    .option('--follow-interval <seconds>', t('queue.opt.followInterval'), intervalSeconds)
    .option('--max-running <n>', t('queue.opt.maxRunning'), nonNegativeInt)
    .option('--max-gpus <n>', t('queue.opt.maxGpus'), nonNegativeInt)
    .option('--max-price <yuan>', t('queue.opt.maxPrice'), nonNegativeNumber)
    .option('--worker-id <id>', t('queue.opt.workerId'))
    .option('--request-timeout <seconds>', t('queue.opt.requestTimeout'), positiveNumber, 30)
    .option('--no-follow', t('queue.opt.noFollow'))
    .option('--budget <yuan>', t('policy.opt.budget'), nonNegativeNumber)
    .option('--share <by>', t('policy.opt.share'))
    .option('--owner-max-gpus <n>', t('policy.opt.ownerMaxGpus'), nonNegativeInt)
    .option('--owner-max-running <n>', t('policy.opt.ownerMaxRunning'), nonNegativeInt)
    .option('--owner-weight <owner=weight>', t('policy.opt.ownerWeight'), collect)
    .option('--dry-run', t('queue.opt.runDry'))
    .action(action(run));
}
