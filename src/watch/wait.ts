// The conditions of `autodl wait --for …`, evaluated as a pure function of what the API
// last reported. Definitions (docs/watch.md):
//
//   deleted     met when the deployment is gone (the list no longer returns it). Never unreachable.
//   running     ReplicaSet: running_num >= replica_num.
//               Job / Container: at least one container, and every current container is
//               running (from the container list when given, else running_num >= 1 and
//               starting_num == 0).
//               Unreachable: deleted; stopped; a Job/Container whose work is over
//               (finished_num + failed_num >= replica_num with nothing starting or running).
//   finished    Job / Container: finished_num >= replica_num (read from the counts: a finished
//               Job still says status "running").
//               Unreachable: deleted; a ReplicaSet (it never finishes); stopped before
//               finishing; every replica ended but some failed (finished_num + failed_num >=
//               replica_num, nothing starting or running).
//   replicas=N  running_num == N and starting_num == 0.
//               Unreachable: deleted; stopped with N > 0; a Job/Container whose work is over.
//
// "met" is checked before "unreachable": a stopped Job whose counts say finished is finished.
//
// Without counts (a list item with no running_num — the public GET list's shape) the
// conditions are read from the container list instead (needsContainers says so):
//   running     at least one container and every current container running (and, when
//               replica_num is reported, at least replica_num running).
//   finished    Job / Container: at least one container, none current (all ended) and the
//               deployment not stopped. A failed container cannot be told from a finished one.
//   replicas=N  N containers running, none starting.
//   A stopped deployment is unreachable for all three.
import type { Container, Deployment } from '../api/types.js';
import { english, said } from '../i18n/index.js';

export type WaitCondition = { kind: 'running' } | { kind: 'finished' } | { kind: 'deleted' } | { kind: 'replicas'; n: number };

export type WaitState = 'met' | 'pending' | 'unreachable';

export interface WaitEvaluation {
  state: WaitState;
  /** Why, in a few words (stable English, for logs and error details). */
  reason: string;
}

/** `running` | `finished` | `deleted` | `replicas=N` → a condition, or undefined. */
export function parseWaitCondition(s: string): WaitCondition | undefined {
  const v = s.trim().toLowerCase();
  if (v === 'running' || v === 'finished' || v === 'deleted') return { kind: v };
  if (v === 'delete') return { kind: 'deleted' };
  if (v === 'complete' || v === 'completed') return { kind: 'finished' };
  const m = /^replicas?\s*=\s*(\d+)$/.exec(v);
  if (m) return { kind: 'replicas', n: Number(m[1]) };
  return undefined;
}

export function formatWaitCondition(c: WaitCondition): string {
  return c.kind === 'replicas' ? `replicas=${c.n}` : c.kind;
}

const ACTIVE = new Set(['creating', 'created', 'starting', 'oss_merged', 'running']);

function n(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** A Job/Container whose every replica has ended (some failed) with nothing left running or starting. */
function workOver(d: Deployment): boolean {
  if (d.deployment_type === 'ReplicaSet') return false;
  return n(d.finished_num) + n(d.failed_num) >= n(d.replica_num) && n(d.running_num) + n(d.starting_num) === 0;
}

function isStopped(d: Deployment): boolean {
  return d.status === 'stopped';
}

/** Does the deployment report its counts? (The public GET list's items do not.) */
export function hasCounts(d: Deployment): boolean {
  return typeof d.running_num === 'number';
}

const STARTING = new Set(['creating', 'created', 'starting', 'oss_merged']);

/** The conditions read from the containers when the deployment reports no counts. */
function evaluateFromContainers(condition: WaitCondition, d: Deployment, containers: readonly Container[] | undefined): WaitEvaluation {
  const cs = containers ?? [];
  const running = cs.filter((c) => c.status === 'running').length;
  const starting = cs.filter((c) => STARTING.has(String(c.status))).length;
  const current = running + starting;
  const replicas = typeof d.replica_num === 'number' ? d.replica_num : undefined;
  const counts = said('wait.reason.fromContainers', { containers: cs.length, running, starting });
  const countsText = english('wait.reason.fromContainers', { containers: cs.length, running, starting });
  const stopped = isStopped(d);
  switch (condition.kind) {
    case 'running':
      if (running > 0 && starting === 0 && (replicas === undefined || running >= replicas)) return { state: 'met', reason: countsText };
      break;
    case 'finished':
      if (d.deployment_type === 'ReplicaSet') return { state: 'unreachable', reason: english('wait.reason.replicaSetNeverFinishes') };
      if (!stopped && cs.length > 0 && current === 0) return { state: 'met', reason: countsText };
      break;
    case 'replicas':
      if (running === condition.n && starting === 0) return { state: 'met', reason: countsText };
      break;
    default:
      break;
  }
  if (stopped) return { state: 'unreachable', reason: english('wait.reason.stopped') };
  return { state: 'pending', reason: countsText };
}

export function evaluateWaitDetailed(condition: WaitCondition, deployment: Deployment | undefined, containers?: readonly Container[]): WaitEvaluation {
  if (condition.kind === 'deleted') {
    return deployment === undefined ? { state: 'met', reason: english('wait.reason.deleted') } : { state: 'pending', reason: english('wait.reason.status', { status: deployment.status }) };
  }
  if (deployment === undefined) return { state: 'unreachable', reason: english('wait.reason.wasDeleted') };
  const d = deployment;
  if (!hasCounts(d)) return evaluateFromContainers(condition, d, containers);
  const replicas = n(d.replica_num);
  const running = n(d.running_num);
  const starting = n(d.starting_num);
  const finished = n(d.finished_num);
  const failed = n(d.failed_num);
  const counts = said('wait.reason.counts', { running, replicas, starting, finished, failed });
  const countsText = english('wait.reason.counts', { running, replicas, starting, finished, failed });

  switch (condition.kind) {
    case 'running': {
      if (d.deployment_type === 'ReplicaSet') {
        if (running >= replicas) return { state: 'met', reason: countsText };
      } else if (containers !== undefined) {
        const active = containers.filter((c) => ACTIVE.has(String(c.status)));
        if (active.length > 0 && active.every((c) => c.status === 'running')) return { state: 'met', reason: countsText };
      } else if (running >= 1 && starting === 0) {
        return { state: 'met', reason: countsText };
      }
      if (isStopped(d)) return { state: 'unreachable', reason: english('wait.reason.stopped') };
      if (d.deployment_type !== 'ReplicaSet' && finished >= replicas) return { state: 'unreachable', reason: english('wait.reason.alreadyFinished', { type: d.deployment_type, counts }) };
      if (workOver(d)) return { state: 'unreachable', reason: english('wait.reason.allEnded', { counts }) };
      return { state: 'pending', reason: countsText };
    }
    case 'finished': {
      if (d.deployment_type === 'ReplicaSet') return { state: 'unreachable', reason: english('wait.reason.replicaSetNeverFinishes') };
      if (finished >= replicas) return { state: 'met', reason: countsText };
      if (isStopped(d)) return { state: 'unreachable', reason: english('wait.reason.stoppedBeforeFinishing', { counts }) };
      if (workOver(d)) return { state: 'unreachable', reason: english('wait.reason.allEndedFailed', { failed, counts }) };
      return { state: 'pending', reason: countsText };
    }
    case 'replicas': {
      if (running === condition.n && starting === 0) return { state: 'met', reason: countsText };
      if (isStopped(d)) return { state: 'unreachable', reason: english('wait.reason.stopped') };
      if (workOver(d) || (d.deployment_type !== 'ReplicaSet' && finished >= replicas)) {
        return { state: 'unreachable', reason: english('wait.reason.ended', { type: d.deployment_type, counts }) };
      }
      return { state: 'pending', reason: countsText };
    }
  }
}

/** met / pending / unreachable for a condition, given the deployment (undefined = gone) and optionally its containers. */
export function evaluateWait(condition: WaitCondition, deployment: Deployment | undefined, containers?: readonly Container[]): WaitState {
  return evaluateWaitDetailed(condition, deployment, containers).state;
}

/** Does evaluating this condition on this deployment need its container list? */
export function needsContainers(condition: WaitCondition, deployment: Deployment | undefined): boolean {
  if (deployment === undefined || condition.kind === 'deleted') return false;
  if (!hasCounts(deployment)) return true; // no counts: read the containers instead
  return condition.kind === 'running' && deployment.deployment_type !== 'ReplicaSet';
}

/** The fields of a deployment worth reporting as "last observed state" (no template, no secrets). */
export function observedState(d: Deployment | undefined): Record<string, unknown> {
  if (d === undefined) return { exists: false };
  // an absent count is reported as null ("not reported"), never as 0
  const r = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    exists: true,
    status: d.status,
    deployment_type: d.deployment_type,
    replica_num: r(d.replica_num),
    running_num: r(d.running_num),
    starting_num: r(d.starting_num),
    finished_num: r(d.finished_num),
    failed_num: r(d.failed_num),
  };
}
