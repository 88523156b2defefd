// `autodl wait <deployment> --for running|finished|replicas=N|deleted [--timeout S] [--interval S]`,
// like `kubectl wait`: exit 0 when the condition is met, 2 on timeout (error_type timeout),
// 3 when it can no longer be met (error_type unreachable). Conditions: src/watch/wait.ts.
import { sleep } from '../../util/sleep.js';
import { AutodlError } from '../../errors.js';
import type { Container, Deployment } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, resolveDeployment, toArray } from '../client.js';
import type { CliContext } from '../runtime.js';
import {
  evaluateWaitDetailed,
  formatWaitCondition,
  needsContainers,
  observedState,
  parseWaitCondition,
  type WaitCondition,
  type WaitEvaluation,
} from '../../watch/wait.js';

/** Failed polls in a row before the wait gives up with the API error. */
const MAX_FAILURES = 5;


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

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const ref = String(args[0]);
  const forText = typeof opts.for === 'string' ? opts.for : '';
  const condition: WaitCondition | undefined = parseWaitCondition(forText);
  if (!condition) {
    throw new AutodlError('config_error', t('wait.badCondition', { value: forText }), { field: '--for', value: forText, allowed: ['running', 'finished', 'replicas=N', 'deleted'] });
  }
  const intervalS = typeof opts.interval === 'number' ? opts.interval : 5;
  const timeoutS = typeof opts.timeout === 'number' ? opts.timeout : 0;
  const condText = formatWaitCondition(condition);
  const client = await makeClient(ctx);
  const started = Date.now();
  const elapsed = () => Math.round((Date.now() - started) / 100) / 10;

  // find the deployment: by uuid or name; for --for deleted an unknown uuid is already met
  let uuid: string;
  let name: string | undefined;
  try {
    const d = await resolveDeployment(ctx, client, ref);
    uuid = d.uuid;
    name = d.name;
  } catch (e) {
    if (condition.kind === 'deleted' && e instanceof AutodlError && e.errorType === 'not_found' && !('candidates' in e.details)) {
      const res = { status: 'success', deployment_uuid: ref, condition: condText, elapsed_seconds: elapsed(), observed: observedState(undefined) };
      ctx.result(res, () => t('wait.met', { uuid: ref, condition: condText, seconds: res.elapsed_seconds }));
      return;
    }
    throw e;
  }

  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const progressTty = !ctx.json && Boolean(ctx.io.stderr.isTTY);
  let lastReason = '';
  let statusShown = false;
  const clearStatus = () => {
    if (statusShown) ctx.io.stderr.write('\r\x1b[2K');
    statusShown = false;
  };
  const progress = (ev: WaitEvaluation) => {
    if (ev.reason === lastReason) return;
    lastReason = ev.reason;
    if (ctx.json) {
      ctx.io.stderr.write(`${JSON.stringify({ type: 'waiting', deployment_uuid: uuid, condition: condText, state: ev.state, reason: ev.reason, elapsed_seconds: elapsed() })}\n`);
    } else if (progressTty) {
      ctx.io.stderr.write(`\r\x1b[2K${ctx.humanText(ctx.err.cyan(t('wait.progress', { condition: condText, reason: ev.reason, seconds: elapsed() })))}`);
      statusShown = true;
    } else {
      ctx.log(t('wait.progress', { condition: condText, reason: ev.reason, seconds: elapsed() }));
    }
  };

  let last: Deployment | undefined;
  try {
    let failures = 0;
    for (;;) {
      let d: Deployment | undefined;
      let containers: Container[] | undefined;
      try {
        d = await client.deployments.get(uuid);
        if (needsContainers(condition, d)) containers = await toArray(client.containers.listAll({ deployment_uuid: uuid }));
        failures = 0;
      } catch (e) {
        // a long wait survives a few failed polls in a row (the SDK already retried each one)
        failures++;
        if (ac.signal.aborted || failures >= MAX_FAILURES || !(e instanceof AutodlError) || e.errorType !== 'api_error') throw e;
        clearStatus();
        ctx.warn(t('wait.pollFailed', { message: e.message, n: failures }));
        lastReason = '';
        await sleep(intervalS * 1000, ac.signal);
        if (ac.signal.aborted) break;
        if (timeoutS > 0 && Date.now() - started >= timeoutS * 1000) break;
        continue;
      }
      last = d;
      const ev = evaluateWaitDetailed(condition, d, containers);
      if (ev.state === 'met') {
        clearStatus();
        const res = { status: 'success', deployment_uuid: uuid, ...(name !== undefined ? { name } : {}), condition: condText, elapsed_seconds: elapsed(), observed: observedState(d) };
        if (opts.notify === true) await notifyEnd(ctx, condition, 'met', { uuid, name }, t('wait.met', { uuid, condition: condText, seconds: res.elapsed_seconds }));
        ctx.result(res, () => t('wait.met', { uuid, condition: condText, seconds: res.elapsed_seconds }));
        return;
      }
      if (ev.state === 'unreachable') {
        clearStatus();
        const message = t('wait.unreachable', { uuid, condition: condText, reason: ev.reason });
        if (opts.notify === true) await notifyEnd(ctx, condition, 'unreachable', { uuid, name }, message);
        throw new AutodlError('unreachable', message, {
          deployment_uuid: uuid,
          condition: condText,
          reason: ev.reason,
          elapsed_seconds: elapsed(),
          last_state: observedState(d),
        });
      }
      progress(ev);
      if (ac.signal.aborted) break;
      const waitMs = intervalS * 1000;
      if (timeoutS > 0) {
        const left = timeoutS * 1000 - (Date.now() - started);
        if (left <= 0) break;
        await sleep(Math.min(waitMs, left), ac.signal);
        if (Date.now() - started >= timeoutS * 1000 && !ac.signal.aborted) {
          // one last look at the deadline
          continue;
        }
      } else {
        await sleep(waitMs, ac.signal);
      }
      if (ac.signal.aborted) break;
    }
  } finally {
    clearStatus();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  if (ac.signal.aborted) {
    throw new AutodlError('interrupted', t('wait.interrupted'), { deployment_uuid: uuid, condition: condText, elapsed_seconds: elapsed(), last_state: observedState(last) });
  }
  const message = t('wait.timeout', { uuid, condition: condText, seconds: timeoutS });
  if (opts.notify === true) await notifyEnd(ctx, condition, 'timeout', { uuid, name }, message);
  throw new AutodlError('timeout', message, {
    deployment_uuid: uuid,
    condition: condText,
    elapsed_seconds: elapsed(),
    timeout_seconds: timeoutS,
    last_state: observedState(last),
  });
}
