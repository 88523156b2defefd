// The wait loop: poll one deployment until a condition (src/watch/wait.ts) is met, can no
// longer be met, the time is up or the caller gives up (its signal). Both faces render what
// it returns: `autodl wait` (exit codes, progress on stderr, --notify) and MCP's wait_deployment.
import type { AutodlClient } from '../api/client.js';
import type { Container, Deployment } from '../api/types.js';
import { AutodlError } from '../errors.js';
import { toArray } from '../util/async.js';
import { sleep as realSleep } from '../util/sleep.js';
import { evaluateWaitDetailed, formatWaitCondition, needsContainers, observedState, parseWaitCondition, type WaitCondition, type WaitEvaluation } from '../watch/wait.js';
import { resolveDeployment, type ResolveOptions } from './resolve.js';
import { ENGLISH, type OpsWords } from './words.js';

/** Failed polls in a row before the wait gives up with the API error. */
export const MAX_POLL_FAILURES = 5;

export interface WaitLoopOptions {
  condition: WaitCondition;
  intervalMs: number;
  /** 0: no limit */
  timeoutMs: number;
  signal?: AbortSignal;
  /** A new reason to keep waiting (called when it changes, and again after a failed poll). */
  onProgress?: (ev: WaitEvaluation, elapsedSeconds: number) => void;
  /** The deployment the reference named (before the first poll). */
  onResolved?: (d: Deployment) => void;
  /** A poll failed with an api_error and the loop tries again (n in a row so far). */
  onPollFailed?: (e: AutodlError, n: number) => void;
  words?: OpsWords;
  /** How the reference is resolved (queue entries, told which deployment was taken): src/ops/resolve.ts. */
  resolve?: ResolveOptions;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface Base {
  deployment_uuid: string;
  name?: string;
  condition: string;
  elapsed_seconds: number;
}

export type WaitOutcome =
  | (Base & { state: 'met'; observed: Record<string, unknown> })
  | (Base & { state: 'unreachable'; reason: string; last_state: Record<string, unknown> })
  | (Base & { state: 'timeout'; timeout_seconds: number; last_state: Record<string, unknown> })
  | (Base & { state: 'interrupted'; last_state: Record<string, unknown> });

/** `running` | `finished` | `deleted` | `replicas=N` → a condition; a config_error otherwise (`field`: the input's name). */
export function waitCondition(text: string, field: string, words: OpsWords = ENGLISH, message?: string): WaitCondition {
  const c = parseWaitCondition(text);
  if (!c) throw new AutodlError('config_error', message ?? words.waitBadCondition(text), { field, value: text, allowed: ['running', 'finished', 'replicas=N', 'deleted'] });
  return c;
}

export async function waitForDeployment(client: AutodlClient, ref: string, o: WaitLoopOptions): Promise<WaitOutcome> {
  const words = o.words ?? ENGLISH;
  const sleep = o.sleep ?? realSleep;
  const condition = o.condition;
  const condText = formatWaitCondition(condition);
  const started = Date.now();
  const elapsed = () => Math.round((Date.now() - started) / 100) / 10;
  const aborted = () => o.signal?.aborted === true;

  // by uuid or name; for `deleted` an unknown one is already met
  let uuid: string;
  let name: string | undefined;
  try {
    const d = await resolveDeployment(client, ref, words, o.resolve);
    uuid = d.uuid;
    name = d.name;
    o.onResolved?.(d);
  } catch (e) {
    if (condition.kind === 'deleted' && e instanceof AutodlError && e.errorType === 'not_found' && !('candidates' in e.details)) {
      return { state: 'met', deployment_uuid: ref, condition: condText, elapsed_seconds: elapsed(), observed: observedState(undefined) };
    }
    throw e;
  }
  const base = (): Base => ({ deployment_uuid: uuid, ...(name !== undefined ? { name } : {}), condition: condText, elapsed_seconds: elapsed() });

  let last: Deployment | undefined;
  let lastReason = '';
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
      if (aborted() || failures >= MAX_POLL_FAILURES || !(e instanceof AutodlError) || e.errorType !== 'api_error') throw e;
      o.onPollFailed?.(e, failures);
      lastReason = '';
      await sleep(o.intervalMs, o.signal);
      if (aborted()) break;
      if (o.timeoutMs > 0 && Date.now() - started >= o.timeoutMs) break;
      continue;
    }
    last = d;
    const ev = evaluateWaitDetailed(condition, d, containers);
    if (ev.state === 'met') return { ...base(), state: 'met', observed: observedState(d) };
    if (ev.state === 'unreachable') return { ...base(), state: 'unreachable', reason: ev.reason, last_state: observedState(d) };
    if (ev.reason !== lastReason) {
      lastReason = ev.reason;
      o.onProgress?.(ev, elapsed());
    }
    if (aborted()) break;
    if (o.timeoutMs > 0) {
      const left = o.timeoutMs - (Date.now() - started);
      if (left <= 0) break;
      await sleep(Math.min(o.intervalMs, left), o.signal);
      // at the deadline: one last look
      if (Date.now() - started >= o.timeoutMs && !aborted()) continue;
    } else {
      await sleep(o.intervalMs, o.signal);
    }
    if (aborted()) break;
  }
  if (aborted()) return { ...base(), state: 'interrupted', last_state: observedState(last) };
  return { ...base(), state: 'timeout', timeout_seconds: o.timeoutMs / 1000, last_state: observedState(last) };
}

/** The success object of a met wait (what `autodl wait --json` prints). */
export function waitSuccess(o: Extract<WaitOutcome, { state: 'met' }>): Record<string, unknown> {
  const { state: _s, ...rest } = o;
  return { status: 'success', ...rest };
}

/** The contract's error for a wait that ended otherwise; `message` in the face's words (default English). */
export function waitError(o: Exclude<WaitOutcome, { state: 'met' }>, message?: string, words: OpsWords = ENGLISH): AutodlError {
  const common = { deployment_uuid: o.deployment_uuid, condition: o.condition };
  switch (o.state) {
    case 'unreachable':
      return new AutodlError('unreachable', message ?? words.waitUnreachable(o.deployment_uuid, o.condition, o.reason), {
        ...common,
        reason: o.reason,
        elapsed_seconds: o.elapsed_seconds,
        last_state: o.last_state,
      });
    case 'timeout':
      return new AutodlError('timeout', message ?? words.waitTimeout(o.deployment_uuid, o.condition, o.timeout_seconds), {
        ...common,
        elapsed_seconds: o.elapsed_seconds,
        timeout_seconds: o.timeout_seconds,
        last_state: o.last_state,
      });
    case 'interrupted':
      return new AutodlError('interrupted', message ?? words.waitInterrupted(), { ...common, elapsed_seconds: o.elapsed_seconds, last_state: o.last_state });
  }
}
