// `autodl wait <deployment> --for running|finished|replicas=N|deleted [--timeout S] [--interval S]`,
// like `kubectl wait`: exit 0 when the condition is met, 2 on timeout (error_type timeout),
// 3 when it can no longer be met (error_type unreachable). Conditions: src/watch/wait.ts.
import { inLang, t } from '../../i18n/index.js';
import { cliResolve, makeClient } from '../client.js';
import type { CliContext } from '../runtime.js';
import { cliWords } from '../words.js';
import { waitCondition, waitError, waitForDeployment, waitSuccess, type WaitOutcome } from '../../ops/wait.js';
import { formatWaitCondition, type WaitCondition } from '../../watch/wait.js';
import { action, withExamples, type CliCommand } from '../command.js';
import { intervalSeconds, timeoutSeconds } from '../args.js';


/** --notify: tell the configured sinks how the wait ended. Never fails the command (a warning at most). */
async function notifyEnd(ctx: CliContext, condition: WaitCondition, outcome: 'met' | 'unreachable' | 'timeout', d: { uuid: string; name?: string | undefined }, message: string): Promise<void> {
  const kind = outcome !== 'met' ? 'failed' : condition.kind === 'finished' ? 'job_finished' : condition.kind === 'deleted' ? undefined : 'all_running';
  if (kind === undefined) return;
  try {
    const { loadNotifySinks, notify } = await import('../../notify/index.js');
    const sinks = loadNotifySinks(ctx.env);
    for (const s of sinks) ctx.addSecret(s.secret);
    if (sinks.length === 0) {
      ctx.warn(t('notify.none'));
      return;
    }
    const results = await notify(
      {
        kind,
        message,
        deployment: { uuid: d.uuid, ...(d.name !== undefined ? { name: d.name } : {}) },
        ...(outcome !== 'met' ? { error_type: outcome === 'timeout' ? 'timeout' : 'unreachable' } : {}),
      },
      sinks,
    );
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) ctx.warn(t('notify.failed', { n: failed.length, total: results.length }), { results: failed });
  } catch (e) {
    ctx.warn(e instanceof Error ? e.message : String(e));
  }
}

export interface WaitOptions {
  for: string;
  timeout: number;
  interval: number;
  notify?: boolean;
}

export async function run(ctx: CliContext, [ref]: [string], opts: WaitOptions): Promise<void> {
  const condition = waitCondition(opts.for, '--for', cliWords);
  const condText = formatWaitCondition(condition);
  const client = await makeClient(ctx);

  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const progressTty = !ctx.json && Boolean(ctx.io.stderr.isTTY);
  let statusShown = false;
  let uuid = ref;
  const clearStatus = () => {
    if (statusShown) ctx.io.stderr.write('\r\x1b[2K');
    statusShown = false;
  };
  // On a terminal the status line's clock keeps moving between two polls (a long --interval
  // would otherwise leave "… 0 s" standing): redrawn every second from the last poll's reading.
  let last: { reason: string; seconds: number; at: number } | undefined;
  const drawStatus = () => {
    if (!last) return;
    const seconds = Math.round(last.seconds + (Date.now() - last.at) / 1000);
    ctx.io.stderr.write(`\r\x1b[2K${ctx.humanText(ctx.err.cyan(t('wait.progress', { condition: condText, reason: last.reason, seconds })))}`);
    statusShown = true;
  };
  const ticker = progressTty ? setInterval(drawStatus, 1000) : undefined;
  ticker?.unref();
  let outcome: WaitOutcome;
  try {
    outcome = await waitForDeployment(client, ref, {
      condition,
      intervalMs: opts.interval * 1000,
      timeoutMs: opts.timeout * 1000,
      signal: ac.signal,
      words: cliWords,
      resolve: cliResolve(ctx),
      onProgress: (ev, seconds) => {
        if (ctx.json) {
          ctx.io.stderr.write(`${JSON.stringify({ type: 'waiting', deployment_uuid: uuid, condition: condText, state: ev.state, reason: ev.reason, elapsed_seconds: seconds })}\n`);
        } else if (progressTty) {
          last = { reason: inLang(ev.reason), seconds, at: Date.now() };
          drawStatus();
        } else {
          ctx.log(t('wait.progress', { condition: condText, reason: inLang(ev.reason), seconds }));
        }
      },
      onResolved: (d) => {
        uuid = d.uuid;
      },
      onPollFailed: (e, n) => {
        clearStatus();
        ctx.warn(t('wait.pollFailed', { message: e.message, n }));
      },
    });
  } finally {
    if (ticker) clearInterval(ticker);
    clearStatus();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  const who = { uuid: outcome.deployment_uuid, name: outcome.name };
  if (outcome.state === 'met') {
    const res = waitSuccess(outcome);
    const message = t('wait.met', { uuid: outcome.deployment_uuid, condition: condText, seconds: outcome.elapsed_seconds });
    if (opts.notify) await notifyEnd(ctx, condition, 'met', who, message);
    ctx.result(res, () => message);
    return;
  }
  const err = waitError(outcome, undefined, cliWords);
  if (opts.notify && outcome.state !== 'interrupted') await notifyEnd(ctx, condition, outcome.state, who, err.message);
  throw err;
}

export const command: CliCommand = {
  names: ['wait'],
  examples: [
    ['autodl wait my-job --for finished --timeout 3600', 'ex.wait'],
    ['autodl wait my-service --for replicas=3 --notify', 'ex.wait.replicas'],
  ],
  declare(program) {
    withExamples(
      program
        .command('wait')
        .description(t('wait.cmd'))
        .argument('<deployment>', t('arg.deployment'))
        .requiredOption('--for <condition>', t('wait.opt.for'))
        .option('--timeout <duration>', t('wait.opt.timeout'), timeoutSeconds, 0)
        .option('--interval <duration>', t('wait.opt.interval'), intervalSeconds, 5)
        .option('--notify', t('wait.opt.notify')),
      command.examples,
    ).action(action(run));
  },
};
