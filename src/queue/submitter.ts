// The submitter: the only code that sends creates. It records intent before it creates
// and reconciles after any doubt, so neither a crash nor a lost reply makes a second
// deployment.
//
//   claim (pending → submitting, attempts + 1, lease; one IMMEDIATE transaction)
//   └─ attempts > 1 (a create may have been sent before)? look the mark up first
//   └─ sent_at := now (written BEFORE the request goes out; the lease must still be ours)
//   └─ create { ...body, name: deployment_name }
//        ok                          → submitted (uuid)
//        lost reply (mayHaveApplied) → look up by mark: found → submitted; absent → pending
//        transient (429, refused, 5xx not applied) → pending, not counted
//        refused by the platform     → consecutive_failures + 1; the 3rd in a row → failed
//                                      (submission_error details), else pending
//   a lookup that fails leaves the entry in `submitting` under our lease: the next tick
//   (or another worker once the lease expires) reconciles it before any new create.
//   Reconciling an entry whose create was sent less than the settle window ago (a restart
//   or a take-over while it was in flight) holds it until the window has passed since
//   sent_at, then looks again: "not listed" means "not created" only after that.

import { ApiError, AutodlError } from '../errors.js';
import type { Deployment } from '../api/types.js';
import { apiResponseOf, errorText } from './ids.js';
import { platformReason, reasonHint, reasonText, type PlatformReason } from './refusal.js';
import type { QueueStore } from './store.js';
import { statesFrom } from './states.js';
import type { Now, QueueApi, QueueEntry } from './types.js';

export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 3;
/** Default lease: must be well above the SDK's request timeout (30 s) so a slow create is never taken over. */
export const DEFAULT_LEASE_MS = 5 * 60_000;
/**
 * After a create whose outcome is unknown (timeout, reset, 5xx) and whose deployment is not
 * listed yet, the entry stays in `submitting` this long before it is looked up again and
 * only then, if still absent, put back to pending: a request the server applies late (after
 * the client gave up on it) is found instead of created a second time.
 */
export const DEFAULT_SETTLE_MS = 90_000;
/**
 * The settle window for a client whose requests time out after `requestTimeoutMs`: the
 * server may apply a create up to that long after it was sent (it never saw the client give
 * up), plus slack for the server's own queueing and clock: three times the timeout (the
 * SDK's 30 s → 90 s, DEFAULT_SETTLE_MS).
 */
export function settleWindowFor(requestTimeoutMs: number): number {
  return 3 * Math.max(0, requestTimeoutMs);
}
/** The lease owner of an entry that is settling: no worker has this id, so only expiry frees it. */
export const SETTLE_OWNER = '(settling)';

export const SUBMISSION_SUGGESTION =
  'GPUs of a requested type were free but the platform refused the create repeatedly. ' +
  'Widen the ranges: price_from/price_to (milli-yuan per hour), cpu_num_from/cpu_num_to, ' +
  'memory_size_from/memory_size_to (GB; a high floor can make a deployment unschedulable), ' +
  'and the CUDA version (cuda_v, or cuda_v_from/cuda_v_to); check the image and the deployment name.';

/** The counts of a followed deployment, as the list endpoint reports them. */
export interface DeploymentCounts {
  deployment_type: string;
  status: string;
  replica_num: number;
  parallelism_num: number;
  starting_num: number;
  running_num: number;
  finished_num: number;
  failed_num: number;
}

export type QueueEvent =
  | { type: 'tick'; worker: string; pending: number; alive: number; planned: number; waiting: Record<string, number> }
  | { type: 'claimed'; id: string; attempt: number; gpu_name?: string | undefined }
  | { type: 'created'; id: string; deployment_uuid: string; deployment_name: string }
  | { type: 'found'; id: string; deployment_uuid: string; deployment_name: string; duplicates: number }
  | { type: 'requeued'; id: string; reason: string; consecutive_failures: number; error?: string; platform_reason?: PlatformReason }
  | { type: 'failed'; id: string; error_type: 'submission_error'; details: Record<string, unknown> }
  | { type: 'unresolved'; id: string; error: string }
  | { type: 'state'; id: string; from: string; to: string; note: string }
  /** Each tick, for every followed entry whose deployment is listed: its counts (for notifications). */
  | { type: 'observed'; id: string; deployment_uuid: string; deployment_name: string; deployment: DeploymentCounts }
  | { type: 'error'; where: string; error: string }
  /** A policy acted (issue 16): a deployment stopped or warned about (time limit, cost cap, budget), or an entry failed by its dependency. */
  | { type: 'policy'; id: string; action: 'stop' | 'warn' | 'fail'; reason: string; detail: string; deployment_uuid?: string | undefined }
  /** The retry policy gave a deployment up and put the entry back to pending under a fresh mark (issue 16). */
  | { type: 'retry'; id: string; n: number; max: number; cause: string; detail: string; deployment_uuid: string | null; next_deployment_name: string; blacklisted: string[] }
  /** The retry policy blacklisted a host (the platform's blacklist, with its expiry). */
  | { type: 'blacklisted'; id: string; machine_id: string; failures: number; expire_in_minutes: number }
  /** This worker's clock is more than the allowed skew off the database's (leases are measured on the database's). */
  | { type: 'clock'; worker: string; offset_ms: number };

export interface SubmitterContext {
  store: QueueStore;
  api: QueueApi;
  workerId: string;
  leaseMs: number;
  now: Now;
  signal?: AbortSignal | undefined;
  maxConsecutiveFailures: number;
  /** See DEFAULT_SETTLE_MS; 0 looks once and re-queues at once. */
  settleMs?: number | undefined;
  /** Account fingerprint of the token (issue 11): claim only entries of this account or of none. */
  account?: string | undefined;
  onEvent?: ((e: QueueEvent) => void) | undefined;
}

export type Outcome =
  | { kind: 'submitted'; entry: QueueEntry; via: 'create' | 'lookup' }
  | { kind: 'requeued'; entry: QueueEntry; reason: string; counted: boolean; stopTick: boolean }
  | { kind: 'failed'; entry: QueueEntry; details: Record<string, unknown> }
  | { kind: 'unresolved'; entry: QueueEntry; error: string }
  | { kind: 'aborted'; entry: QueueEntry }
  | { kind: 'skipped'; id: string };

/** Deployments whose name is exactly the entry's mark, oldest first. Throws on API failure. */
export async function findByMark(api: QueueApi, deploymentName: string): Promise<Deployment[]> {
  const out: Deployment[] = [];
  for await (const d of api.deployments.listAll({ name: deploymentName }, 100)) {
    if (d.name === deploymentName) out.push(d);
  }
  out.sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)) || a.uuid.localeCompare(b.uuid));
  return out;
}

/**
 * Deployments by the entry's mark that can be this attempt's create: the mark's deployments
 * but the one the entry already recorded. An entry in `submitting` carries a deployment_uuid
 * only from an earlier run (retried after that deployment failed): that deployment is not the
 * retry's create, or the retry would never run again. Throws on API failure.
 */
export async function findCreated(api: QueueApi, entry: Pick<QueueEntry, 'deployment_name' | 'deployment_uuid'>): Promise<Deployment[]> {
  const found = await findByMark(api, entry.deployment_name);
  return entry.deployment_uuid ? found.filter((d) => d.uuid !== entry.deployment_uuid) : found;
}

export function emit(ctx: SubmitterContext, e: QueueEvent): void {
  try {
    ctx.onEvent?.(e);
  } catch {
    /* an observer never breaks the engine */
  }
}

type Classified = 'uncertain' | 'transient' | 'rejected';

function classify(e: unknown): Classified {
  if (e instanceof ApiError) {
    const i = e.info;
    if (i.mayHaveApplied === true) return 'uncertain';
    if (i.mayHaveApplied === undefined && (i.kind === 'network' || i.kind === 'timeout')) return 'uncertain';
    if (i.kind === 'refused' || i.kind === 'network' || i.kind === 'timeout') return 'transient';
    if (i.httpStatus === 429 || (i.httpStatus !== undefined && i.httpStatus >= 500)) return 'transient';
    return 'rejected';
  }
  return 'rejected';
}

/** Where the deployment of an entry whose lease was lost may be recorded from: the table's `submitted` and `submitted_late` moves (submitting, pending). */
const AFTER_LEASE_LOSS = [...statesFrom('submitted'), ...statesFrom('submitted_late')];

/** Move a submitting entry we lease to submitted; tolerates a lost lease (the deployment exists either way). */
async function markSubmitted(ctx: SubmitterContext, entry: QueueEntry, uuid: string, note: string): Promise<QueueEntry> {
  const now = ctx.now();
  const set = { deployment_uuid: uuid, submitted_at: now, consecutive_failures: 0, last_error: null, error_details: null };
  const done =
    (await ctx.store.transition(entry.id, 'submitted', { from: 'submitting', owner: ctx.workerId, now, note, set })) ??
    // lease lost meanwhile (another worker took over, or it was put back): record what we know
    (await ctx.store.transition(entry.id, 'submitted', { from: AFTER_LEASE_LOSS, now, note: `${note} (after lease loss)`, set }));
  return done ?? (await ctx.store.get(entry.id)) ?? entry;
}

async function requeue(
  ctx: SubmitterContext,
  entry: QueueEntry,
  reason: string,
  set: Record<string, unknown> = {},
): Promise<QueueEntry> {
  const now = ctx.now();
  const r = await ctx.store.transition(entry.id, 'pending', { from: 'submitting', owner: ctx.workerId, now, note: reason, set });
  return r ?? (await ctx.store.get(entry.id)) ?? entry;
}

/**
 * Resolve an entry in `submitting` that we lease (after a crash, a lost reply or an
 * expired lease): look the mark up; found → submitted, absent → pending.
 */
export async function reconcileEntry(ctx: SubmitterContext, entry: QueueEntry): Promise<Outcome> {
  let found: Deployment[];
  try {
    found = await findCreated(ctx.api, entry);
  } catch (e) {
    const error = errorText(e);
    emit(ctx, { type: 'unresolved', id: entry.id, error });
    return { kind: 'unresolved', entry, error };
  }
  if (found.length > 0) {
    const d = found[0]!;
    const done = await markSubmitted(ctx, entry, d.uuid, `found by mark ${entry.deployment_name}`);
    emit(ctx, { type: 'found', id: entry.id, deployment_uuid: d.uuid, deployment_name: entry.deployment_name, duplicates: found.length - 1 });
    return { kind: 'submitted', entry: done, via: 'lookup' };
  }
  // A create sent less than the settle window ago may still be applied (a restart, or a
  // lease taken over, while it was in flight): hold the entry until the window has passed
  // since it was sent, then look again. Only then is "not listed" taken as "not created".
  const settleMs = ctx.settleMs ?? DEFAULT_SETTLE_MS;
  if (entry.sent_at !== null && settleMs > 0) {
    const until = entry.sent_at + settleMs;
    const now = ctx.now();
    if (now < until) {
      const waitS = Math.ceil((until - now) / 1000);
      const held = await ctx.store.transition(entry.id, 'submitting', {
        from: 'submitting',
        owner: ctx.workerId,
        now,
        note: `a create was sent ${Math.round((now - entry.sent_at) / 1000)} s ago and is not listed yet: looking again in ${waitS} s before any new create`,
        set: { lease_owner: SETTLE_OWNER, lease_until: until },
      });
      emit(ctx, { type: 'unresolved', id: entry.id, error: `settling ${waitS} s: a create sent ${Math.round((now - entry.sent_at) / 1000)} s ago may still be applied` });
      return { kind: 'unresolved', entry: held ?? entry, error: 'create in flight' };
    }
  }
  const back = await requeue(ctx, entry, 'not found by mark: the create did not happen');
  emit(ctx, { type: 'requeued', id: entry.id, reason: 'not_found_by_mark', consecutive_failures: back.consecutive_failures });
  return { kind: 'requeued', entry: back, reason: 'not_found_by_mark', counted: false, stopTick: false };
}

/**
 * A create whose outcome is unknown: look the mark up now (the reply may have been lost
 * after the create was applied); if it is not listed yet, hold the entry in `submitting`
 * for the settle window (lease owned by nobody) — the next look, and any new create, come
 * only after it, through reconcileEntry once the lease expires.
 */
async function settle(ctx: SubmitterContext, entry: QueueEntry, error: string): Promise<Outcome> {
  const settleMs = ctx.settleMs ?? DEFAULT_SETTLE_MS;
  if (settleMs <= 0) return reconcileEntry(ctx, entry);
  let found: Deployment[] = [];
  try {
    found = await findCreated(ctx.api, entry);
  } catch {
    /* unknown either way: settle, then look again */
  }
  if (found.length > 0) {
    const d = found[0]!;
    const done = await markSubmitted(ctx, entry, d.uuid, `found by mark ${entry.deployment_name} after an unknown create outcome`);
    emit(ctx, { type: 'found', id: entry.id, deployment_uuid: d.uuid, deployment_name: entry.deployment_name, duplicates: found.length - 1 });
    return { kind: 'submitted', entry: done, via: 'lookup' };
  }
  const now = ctx.now();
  const held = await ctx.store.transition(entry.id, 'submitting', {
    from: 'submitting',
    owner: ctx.workerId,
    now,
    // counted from now (after the reply was lost), so at least the window since the send
    note: `create outcome unknown (${error}); not listed yet: looking again in ${Math.round(settleMs / 1000)} s before any new create`,
    set: { lease_owner: SETTLE_OWNER, lease_until: now + settleMs, last_error: error },
  });
  emit(ctx, { type: 'unresolved', id: entry.id, error: `settling ${Math.round(settleMs / 1000)} s: ${error}` });
  return { kind: 'unresolved', entry: held ?? entry, error };
}

/** Claim one pending entry and create its deployment (see the header). */
export async function submitEntry(ctx: SubmitterContext, id: string, gpuName?: string): Promise<Outcome> {
  if (ctx.signal?.aborted) return { kind: 'skipped', id };
  const now = ctx.now();
  const [entry] = await ctx.store.claim([id], ctx.workerId, now + ctx.leaseMs, now, ctx.account);
  if (!entry) return { kind: 'skipped', id };
  emit(ctx, { type: 'claimed', id, attempt: entry.attempts, gpu_name: gpuName });

  if (entry.attempts > 1) {
    // A create may have been sent by an earlier attempt: never create before looking.
    let found: Deployment[];
    try {
      found = await findCreated(ctx.api, entry);
    } catch (e) {
      const error = errorText(e);
      emit(ctx, { type: 'unresolved', id, error });
      return { kind: 'unresolved', entry, error };
    }
    if (found.length > 0) {
      const done = await markSubmitted(ctx, entry, found[0]!.uuid, `found by mark ${entry.deployment_name} before create`);
      emit(ctx, { type: 'found', id, deployment_uuid: found[0]!.uuid, deployment_name: entry.deployment_name, duplicates: found.length - 1 });
      return { kind: 'submitted', entry: done, via: 'lookup' };
    }
  }

  if (ctx.signal?.aborted) {
    // Never create after an abort: give the claim back, uncounted.
    const back = await requeue(ctx, entry, 'aborted before create', { attempts: entry.attempts - 1 });
    return { kind: 'aborted', entry: back };
  }

  // Record the send time BEFORE the request goes out (and check that the lease is still
  // ours): whoever finds this entry in `submitting` later holds it for the settle window
  // since this instant. Not recorded → not sent.
  const sentAt = ctx.now();
  const sending = await ctx.store.transition(id, 'submitting', { from: 'submitting', owner: ctx.workerId, now: sentAt, set: { sent_at: sentAt } });
  if (!sending) {
    const error = 'lease lost before the create was sent';
    emit(ctx, { type: 'unresolved', id, error });
    return { kind: 'unresolved', entry, error };
  }

  try {
    const res = await ctx.api.deployments.create({ ...entry.body, name: entry.deployment_name });
    const done = await markSubmitted(ctx, entry, res.deployment_uuid, 'created');
    emit(ctx, { type: 'created', id, deployment_uuid: res.deployment_uuid, deployment_name: entry.deployment_name });
    return { kind: 'submitted', entry: done, via: 'create' };
  } catch (e) {
    const kind = classify(e);
    const error = errorText(e);
    if (kind === 'uncertain') return settle(ctx, { ...entry, last_error: error }, error);
    if (kind === 'transient') {
      const back = await requeue(ctx, entry, `transient create failure: ${error}`, { last_error: error });
      emit(ctx, { type: 'requeued', id, reason: 'transient', consecutive_failures: back.consecutive_failures, error });
      const rateLimited = e instanceof ApiError && e.info.httpStatus === 429;
      return { kind: 'requeued', entry: back, reason: 'transient', counted: false, stopTick: rateLimited || (e instanceof ApiError && e.info.kind === 'refused') };
    }
    const failures = entry.consecutive_failures + 1;
    const api_response = apiResponseOf(e);
    // the platform's own reason (暂无库存, GpuStockReqNum, …): named in the output and the details
    const reason = platformReason(e);
    if (failures >= ctx.maxConsecutiveFailures) {
      const details = {
        api_response,
        suggestion: SUBMISSION_SUGGESTION,
        ...(reason ? { platform_reason: reason, reason_hint: reasonHint(reason) } : {}),
        consecutive_failures: failures,
        attempts: entry.attempts,
        entry_id: entry.id,
        deployment_name: entry.deployment_name,
      };
      const t = ctx.now();
      const failed =
        (await ctx.store.transition(id, 'failed', {
          from: 'submitting',
          owner: ctx.workerId,
          now: t,
          note: `create refused ${failures} times in a row while GPUs were free: ${error}`,
          set: { consecutive_failures: failures, last_error: error, error_details: details, finished_at: t },
        })) ?? entry;
      emit(ctx, { type: 'failed', id, error_type: 'submission_error', details });
      return { kind: 'failed', entry: failed, details };
    }
    const back = await requeue(ctx, entry, `create refused (${failures} in a row): ${error}`, {
      consecutive_failures: failures,
      last_error: error,
      error_details: { api_response },
    });
    emit(ctx, { type: 'requeued', id, reason: 'create_refused', consecutive_failures: failures, error, ...(reason ? { platform_reason: reason } : {}) });
    return { kind: 'requeued', entry: back, reason: 'create_refused', counted: true, stopTick: false };
  }
}

/** The submission_error an Outcome of kind 'failed' stands for. */
export function submissionError(details: Record<string, unknown>): AutodlError {
  const n = typeof details.consecutive_failures === 'number' ? details.consecutive_failures : DEFAULT_MAX_CONSECUTIVE_FAILURES;
  const r = details.platform_reason as PlatformReason | undefined;
  const text = r && typeof r === 'object' ? reasonText(r) : '';
  const message = text
    ? `the platform refused the create ${n} times in a row: ${text} (the stock showed idle cards, but stock is only a hint)`
    : `GPUs were free but the create failed ${n} times in a row`;
  return new AutodlError('submission_error', message, details);
}
