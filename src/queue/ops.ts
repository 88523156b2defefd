// Small operations for the CLI (`autodl queue …`): preview the plan, cancel, retry, re-prioritise.

import { deploymentNameFor } from './ids.js';
import { AutodlError } from '../errors.js';
import { english } from '../i18n/index.js';
import { plan } from './planner.js';
import type { Plan, PlanLimits } from './planner.js';
import type { QueueStore } from './store.js';
import { ALIVE_STATES, CANCELLABLE_STATES, CLAIMABLE_STATES, REPRIORITISABLE_STATES, RETRYABLE_STATES } from './states.js';
import type { QueueApi, QueueEntry } from './types.js';

/** What the worker would do on its next tick (one stock call, no create): for `queue status`/`queue plan`. */
export async function previewPlan(o: { store: QueueStore; api: Pick<QueueApi, 'stock'>; limits?: PlanLimits; now?: number }): Promise<Plan> {
  const now = o.now ?? Date.now();
  const [pending, alive] = await Promise.all([o.store.list({ states: CLAIMABLE_STATES }), o.store.list({ states: ALIVE_STATES })]);
  const stock = pending.length > 0 ? await o.api.stock.get() : {};
  return plan(stock, pending, o.limits ?? {}, now, alive);
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

/** Put a failed or cancelled entry back to pending (failure count reset). */
export async function retryEntry(store: QueueStore, id: string, now = Date.now()): Promise<QueueEntry> {
  // a deployment taken in by `autodl ttl` was not made by the queue: there is nothing to create again
  const before = await store.get(id);
  if (before && before.deployment_name !== deploymentNameFor(before.body.name, before.id)) {
    throw new AutodlError('validation_error', english('queue.err.adopted', { id, name: before.deployment_name }), {
      errors: [{ path: id, message: english('queue.err.adoptedShort') }],
      state: before.state,
    });
  }
  const e = await store.transition(id, 'pending', {
    from: RETRYABLE_STATES,
    now,
    note: 'retry requested',
    set: { consecutive_failures: 0, last_error: null, error_details: null, finished_at: null },
  });
  if (e) return e;
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
