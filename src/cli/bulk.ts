// The command line's side of acting on many (src/ops/bulk.ts does the selection and the acting):
// the selector options, the confirmation (a terminal asks; a script passes --yes; without
// either, more than one target is refused), and the summary (a line per target, the counts;
// JSON: one result per target). The exit code is non-zero when a target failed.
import { Option, type Command } from 'commander';
import { createInterface } from 'node:readline';
import { AutodlError } from '../errors.js';
import { english, t } from '../i18n/index.js';
import { bulkExitCode, type BulkSummary, type Selectors, type TargetResult } from '../ops/bulk.js';
import { escapeControls } from './output.js';
import type { CliContext } from './runtime.js';

/** The options every bulk command takes (`--state` for queue entries, `--status` for deployments). */
export interface BulkOptions {
  label?: string;
  namePrefix?: string;
  state?: string[];
  status?: string[];
  all?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

/** A repeatable option whose values may also be comma lists. */
export function listArg(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** Declare the selectors, --yes (and --dry-run when `dryRun`) on a command. */
export function withBulkOptions(command: Command, kind: 'queue' | 'deployments', o: { dryRun?: boolean; labelHelp?: string } = {}): Command {
  command.option('--label <label>', o.labelHelp ?? t(kind === 'queue' ? 'bulk.opt.label' : 'bulk.opt.labelDeployments'));
  command.option('--name-prefix <prefix>', t('bulk.opt.namePrefix'));
  if (kind === 'queue') command.addOption(new Option('--state <state>', t('bulk.opt.state')).argParser(listArg));
  else command.addOption(new Option('--status <status>', t('bulk.opt.status')).argParser(listArg));
  command.option('--all', t(kind === 'queue' ? 'bulk.opt.all' : 'bulk.opt.allDeployments'));
  command.option('-y, --yes', t('bulk.opt.yes'));
  if (o.dryRun) command.option('--dry-run', t('bulk.opt.dryRun'));
  return command;
}

export function selectorsOf(opts: BulkOptions, states: readonly string[] | undefined): Selectors {
  // an empty prefix matches every name: "all" must be said with --all, never by accident (`--name-prefix "$UNSET"`)
  if (opts.namePrefix !== undefined && opts.namePrefix.trim() === '') {
    throw new AutodlError('config_error', t('bulk.emptyPrefix'), { reason: 'empty_name_prefix', hint: '--all' });
  }
  return {
    ...(opts.label !== undefined ? { label: opts.label } : {}),
    ...(opts.namePrefix !== undefined ? { namePrefix: opts.namePrefix } : {}),
    ...(states !== undefined && states.length > 0 ? { states } : {}),
    ...(opts.all ? { all: true } : {}),
  };
}

/** Neither ids nor a selector: a usage error (a bulk action never means "everything" by default). */
export function noTargetError(kind: 'queue' | 'deployments'): AutodlError {
  return new AutodlError('config_error', t(kind === 'queue' ? 'bulk.noTarget.queue' : 'bulk.noTarget.deployments'), { reason: english('bulk.why.noTarget') });
}

/** Data on one line: a newline in a name or a server's reason cannot fake another target's line. */
const inline = (s: string): string => escapeControls(s, { inline: true });

/** One line naming a target: `uuid (name)`. */
function label(r: Pick<TargetResult, 'target' | 'name'>): string {
  return r.name !== undefined && r.name !== r.target ? `${inline(r.target)} (${inline(r.name)})` : inline(r.target);
}

const SHOWN = 20;

/**
 * Ask before acting on `targets` (those that would be acted on). True: go on. On a terminal
 * (stdin and stderr) the user is asked unless --yes; elsewhere more than one target without
 * --yes is a config_error telling to pass it, and one target goes on.
 */
export async function confirmBulk(ctx: CliContext, verb: string, targets: ReadonlyArray<Pick<TargetResult, 'target' | 'name'>>, opts: BulkOptions): Promise<boolean> {
  if (opts.yes || targets.length === 0) return true;
  const tty = Boolean(ctx.io.stdin.isTTY) && Boolean(ctx.io.stderr.isTTY);
  if (!tty) {
    // one target named by the user goes on; what a selector matched is the server's (or the queue's) say, even one
    const bySelector = opts.label !== undefined || opts.namePrefix !== undefined || opts.all === true || (opts.state?.length ?? 0) > 0 || (opts.status?.length ?? 0) > 0;
    if (bySelector && targets.length === 1) {
      throw new AutodlError('config_error', t('bulk.needYesSelector', { verb }), { reason: 'confirmation_needed', targets: 1, hint: '--yes' });
    }
    if (targets.length <= 1) return true;
    throw new AutodlError('config_error', t('bulk.needYes', { verb, n: targets.length }), { reason: english('bulk.why.needYes'), targets: targets.length, hint: '--yes' });
  }
  const lines = targets.slice(0, SHOWN).map((r) => `  ${label(r)}`);
  if (targets.length > SHOWN) lines.push(`  ${t('bulk.more', { n: targets.length - SHOWN })}`);
  ctx.log(lines.join('\n'));
  const answer = await ask(ctx, t('bulk.confirm', { verb, n: targets.length }));
  return /^(y|yes|是|好)$/i.test(answer.trim());
}

function ask(ctx: CliContext, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr, terminal: true });
    let answered = false;
    rl.on('SIGINT', () => {
      // settled first: close() emits 'close' at once, which would otherwise read Ctrl-C as "no" (exit 0)
      answered = true;
      rl.close();
      reject(new AutodlError('interrupted', t('error.interrupted'), {}));
    });
    rl.on('close', () => {
      if (!answered) resolve('');
    });
    rl.question(ctx.humanText(prompt), (a) => {
      answered = true;
      rl.close();
      resolve(a);
    });
  });
}

/**
 * Run the acting part with Ctrl-C (SIGINT, SIGTERM) as "start no more": the ones in flight
 * finish, the rest are reported as not sent, the summary is printed, the exit code is 130.
 * A second Ctrl-C quits at once.
 */
export async function interruptible<R>(ctx: CliContext, run: (signal: AbortSignal) => Promise<R>): Promise<R> {
  const ac = new AbortController();
  const onSignal = () => {
    if (ac.signal.aborted) process.exit(130);
    if (!ctx.json) ctx.log(ctx.err.yellow(t('bulk.interrupting')));
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (ac.signal.aborted) ctx.exitCode = Math.max(ctx.exitCode, 130);
  }
}

/** What a declined confirmation prints: nothing was done (exit 0). */
export function printDeclined(ctx: CliContext, summary: BulkSummary): void {
  ctx.result({ status: 'declined', ...summary, results: summary.results.map((r) => (r.outcome === 'done' ? { ...r, outcome: 'skipped', reason: t('bulk.declined') } : r)) }, () => t('bulk.declined'));
}

/**
 * The summary: JSON `{status, action, dry_run, total, done, skipped, failed, results, …extra}`,
 * else a line per target and the counts. Sets the exit code (non-zero when a target failed).
 */
export function printSummary(ctx: CliContext, summary: BulkSummary, words: { verb: string; done: string }, extra: Record<string, unknown> = {}): void {
  // interrupted: not everything selected was acted on, whatever the counts say
  const status = extra.interrupted === true ? 'partial' : summary.failed === 0 ? 'success' : summary.done > 0 ? 'partial' : 'error';
  ctx.result({ status, ...summary, ...extra }, () => {
    const c = ctx.out;
    if (summary.total === 0) return c.dim(t('bulk.nothing'));
    const lines = summary.results.map((r) => {
      if (r.outcome === 'done') return `${c.green('✓')} ${summary.dry_run ? t('bulk.would', { verb: words.verb }) : words.done} ${label(r)}`;
      if (r.outcome === 'skipped') return `${c.dim('-')} ${t('bulk.skipped')} ${label(r)}: ${inline(r.reason ?? '')}`;
      return `${c.red('✗')} ${t('bulk.failed')} ${label(r)}: ${inline(r.reason ?? '')}${r.error_type ? c.dim(` [${r.error_type}]`) : ''}`;
    });
    lines.push(c.bold(t(summary.dry_run ? 'bulk.summary.dry' : 'bulk.summary', { done: summary.done, skipped: summary.skipped, failed: summary.failed })));
    return lines.join('\n');
  });
  ctx.exitCode = Math.max(ctx.exitCode, bulkExitCode(summary));
}
