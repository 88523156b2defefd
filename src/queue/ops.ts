// Small operations for the CLI (`autodl queue …`): preview the plan, cancel, retry, re-prioritise.

import { deploymentNameFor, normalizeBodyForQueue } from './ids.js';
import { canonicalJson } from './account.js';
import type { CreateDeploymentBody } from '../api/types.js';
import { AutodlError } from '../errors.js';
import { english } from '../i18n/index.js';
import { plan } from './planner.js';
import { rerunPatch } from './spent.js';
import type { Plan, PlanLimits } from './planner.js';
import type { QueueStore } from './store.js';
import { ALIVE_STATES, CANCELLABLE_STATES, CLAIMABLE_STATES, OPEN_STATES, REPRIORITISABLE_STATES, RETRYABLE_STATES } from './states.js';
import type { Shares } from './policies.js';
import { policyContext } from './worker.js';
import type { QueueApi, QueueEntry } from './types.js';

/**
 * What the worker would do on its next tick (one stock call, no create, nothing written): for
 * `queue run --dry-run` and MCP's queue_plan. As the worker: the entries of `account` (and of
 * none) when given, the limits counting alive and in-flight entries, the policies (budget,
 * shares, declared ones) when any is in play.
 */
export async function previewPlan(o: {
  store: QueueStore;
  api: Pick<QueueApi, 'stock'>;
  limits?: PlanLimits;
  now?: number;
  account?: string;
  budget?: number;
  shares?: Shares;
}): Promise<Plan & { pending: QueueEntry[] }> {
  const now = o.now ?? Date.now();
  const mine = o.account !== undefined ? { account: o.account } : {};
  const open = await o.store.list({ states: OPEN_STATES, ...mine });
  const pending = open.filter((e) => CLAIMABLE_STATES.includes(e.state));
  const alive = open.filter((e) => ALIVE_STATES.includes(e.state) || e.state === 'submitting');
  const policing = o.budget !== undefined || o.shares !== undefined || open.some((e) => e.policy !== null);
  const policies = policing
    ? { context: await policyContext({ store: o.store, now: () => now, ...(o.account !== undefined ? { account: o.account } : {}) }, open, o.budget), shares: o.shares }
    : undefined;
  const stock = pending.length > 0 ? await o.api.stock.get() : {};
  return { ...plan(stock, pending, o.limits ?? {}, now, alive, policies), pending };
}

function notFound(id: string): AutodlError {
  return new AutodlError('not_found', english('queue.err.notFound', { id }), { id });
}

/** Cancel a pending entry. Throws not_found, or validation_error when it is past pending (in flight or submitted). */
export async function cancelEntry(store: QueueStore, id: string, now = Date.now(), note = 'cancelled by user'): Promise<QueueEntry> {
  const e = await store.cancel(id, now, note);
  if (!e) throw notFound(id);
  if (e.state !== 'cancelled') {
    throw new AutodlError('validation_error', english('queue.err.notCancellable', { id, state: e.state, states: CANCELLABLE_STATES.join(' or ') }), {
      errors: [{ path: id, message: english('queue.err.state', { state: e.state }) }],
      state: e.state,
      deployment_uuid: e.deployment_uuid,
    });
  }
  return e;
}

/**
 * A run that may have sent a create (a deployment, or a claim) is over: the next one is a new
 * deployment under a fresh mark (`-r<n>`, as the retry policy's resubmissions), so that a
 * lookup for it never takes the old run's deployment, nor the old run's late create for it.
 * (The count is the one the retry policy reads: a retry by hand is a run too.)
 */
function freshRun(e: QueueEntry): { retries: number; deployment_name: string; deployment_uuid: null; submitted_at: null } | Record<string, never> {
  if (e.deployment_uuid === null && e.attempts === 0) return {};
  const n = e.retries + 1;
  return { retries: n, deployment_name: deploymentNameFor(e.body.name, e.id, n), deployment_uuid: null, submitted_at: null };
}

/** Put a failed or cancelled entry back to pending (failure count reset; a fresh mark after a run that may have created). */
export async function retryEntry(store: QueueStore, id: string, now = Date.now()): Promise<QueueEntry> {
  // the fresh mark is computed from what was read: the move happens only while the entry is still
  // on that run (a retry by hand, or a worker, may have made another run meanwhile: its mark
  // must not be reused); a lost race reads again
  for (let attempt = 0; ; attempt++) {
    // a deployment taken in by `autodl ttl` was not made by the queue: there is nothing to create again
    const before = await store.get(id);
    // (the current run's mark: an entry its retry policy resubmitted carries `-r<n>`)
    if (before && before.deployment_name !== deploymentNameFor(before.body.name, before.id, before.retries)) {
      throw new AutodlError('validation_error', english('queue.err.adopted', { id, name: before.deployment_name }), {
        errors: [{ path: id, message: english('queue.err.adoptedShort') }],
        state: before.state,
      });
    }
    const e = await store.transition(id, 'pending', {
      from: RETRYABLE_STATES,
      now,
      note: 'retry requested',
      ...(before ? { run: { deployment_uuid: before.deployment_uuid, retries: before.retries } } : {}),
      // what its runs spent stays counted against its budgets (spent never goes backwards)
      set: { consecutive_failures: 0, last_error: null, error_details: null, ...(before ? rerunPatch(before, now) : { finished_at: null }), ...(before ? freshRun(before) : {}) },
    });
    if (e) return e;
    const cur = await store.get(id);
    if (!cur) throw notFound(id);
    if (attempt < 3 && before && RETRYABLE_STATES.includes(cur.state) && (cur.deployment_uuid !== before.deployment_uuid || cur.retries !== before.retries)) continue;
    break;
  }
  const cur = await store.get(id);
  if (!cur) throw notFound(id);
  throw new AutodlError('validation_error', english('queue.err.notRetryable', { id, state: cur.state, states: RETRYABLE_STATES.join(' or ') }), {
    errors: [{ path: id, message: english('queue.err.state', { state: cur.state }) }],
    state: cur.state,
  });
}

/** Change the priority of a pending entry. */
export async function setPriority(store: QueueStore, id: string, priority: number, now = Date.now()): Promise<QueueEntry> {
  const e = await store.transition(id, 'pending', { from: REPRIORITISABLE_STATES, now, note: `priority ${Math.trunc(priority)}`, set: { priority: Math.trunc(priority) } });
  if (e) return e;
  const cur = await store.get(id);
  if (!cur) throw notFound(id);
  throw new AutodlError('validation_error', english('queue.err.notReprioritisable', { id, state: cur.state, states: REPRIORITISABLE_STATES.join(' or ') }), {
    errors: [{ path: id, message: english('queue.err.state', { state: cur.state }) }],
    state: cur.state,
  });
}

/** An entry's body as the user wrote it: the normalized body, its name without the entry's mark (if a store kept it there). */
function configKey(body: CreateDeploymentBody, tag?: string): string {
  const b = normalizeBodyForQueue(body);
  const mark = tag !== undefined ? `-q${tag}` : undefined;
  const name = mark !== undefined && b.name.endsWith(mark) ? b.name.slice(0, -mark.length) : b.name;
  return canonicalJson({ ...b, name });
}

/** A body about to be added that the queue already holds (or that comes twice in one add). */
export interface Duplicate {
  /** Index of the body among those given. */
  index: number;
  name: string;
  /** The open entry with the same body, or null when the same body came earlier in this add. */
  id: string | null;
  state: QueueEntry['state'] | null;
  /** The index of the earlier body of this add it repeats (when id is null). */
  same_as_index?: number;
}

/**
 * Bodies that are already open in the queue (pending, submitting, submitted, running) for this
 * account (or of none), compared as normalized bodies (canonical JSON, without the mark), or
 * that repeat an earlier body of the same add (issue 15 §3: adding the same config twice warns).
 */
export async function findDuplicates(store: QueueStore, bodies: readonly CreateDeploymentBody[], account?: string | null): Promise<Duplicate[]> {
  const open = await store.list({ states: OPEN_STATES, ...(account ? { account } : {}) });
  const existing = new Map<string, QueueEntry>();
  for (const e of open) {
    const k = configKey(e.body, e.tag);
    if (!existing.has(k)) existing.set(k, e);
  }
  const seen = new Map<string, number>();
  const out: Duplicate[] = [];
  bodies.forEach((body, index) => {
    const k = configKey(body);
    const e = existing.get(k);
    if (e) out.push({ index, name: body.name, id: e.id, state: e.state });
    else if (seen.has(k)) out.push({ index, name: body.name, id: null, state: null, same_as_index: seen.get(k)! });
    if (!seen.has(k)) seen.set(k, index);
  });
  return out;
}
