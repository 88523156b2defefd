// The one-shot submit (the original skill's `queue_submit`): check the image, check the
// GPU types, then add ONE entry to a store (in-memory unless one is given) and run the
// worker's machinery on it until it is submitted, failed, timed out or aborted.

import type { EntryPolicy } from './policies.js';
import { AutodlError, ApiError } from '../errors.js';
import type { Stock, CreateDeploymentBody } from '../api/types.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { submitKeyFor } from './account.js';
import { normalizeBodyForQueue } from './ids.js';
import { plan } from './planner.js';
import { DEPLOYED_STATES, RESUMABLE_STATES } from './states.js';
import { MemoryStore } from './store.js';
import type { QueueStore } from './store.js';
import {
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_CONSECUTIVE_FAILURES,
  DEFAULT_SETTLE_MS,
  findCreated,
  reconcileEntry,
  submitEntry,
  submissionError,
} from './submitter.js';
import type { QueueEvent, SubmitterContext } from './submitter.js';
import { clockOffset } from './worker.js';
import { sleep } from '../util/sleep.js';
import type { Now, QueueApi, QueueEntry, Sleep } from './types.js';

export type SubmitProgress =
  | { type: 'checking'; what: 'image' | 'gpu_types' }
  /** gpu_type_missing: missing/available GPU types; image_unverified: image_uuid (missing/available empty) */
  | { type: 'warning'; code: 'gpu_type_missing' | 'image_unverified'; message: string; missing: string[]; available: string[]; image_uuid?: string }
  | { type: 'queued'; entry_id: string; deployment_name: string }
  /** A rerun took up the entry of an earlier, interrupted submit of the same config (issue 11). */
  | { type: 'resumed'; entry_id: string; deployment_name: string; state: string; started_at: string }
  /** An earlier create's outcome is unknown: looking again at `until` before any new create. */
  | { type: 'settling'; entry_id: string; wait_s: number; reason: 'settle_window' | 'lease' }
  /** The resumed submit's earlier create was found by its mark: it is the result, nothing new is created. */
  | { type: 'found_earlier_create'; entry_id: string; deployment_uuid: string; deployment_name: string }
  | { type: 'waiting'; elapsed_s: number; attempt: number; idle: Record<string, number>; next_check_s: number }
  | { type: 'creating'; attempt: number; gpu_name: string }
  | { type: 'stock_error'; message: string; consecutive: number }
  | { type: 'event'; event: QueueEvent };

export interface SubmitOptions {
  api: QueueApi;
  body: CreateDeploymentBody;
  /** Store to record the entry in (e.g. the SQLite queue); default a fresh MemoryStore. */
  store?: QueueStore;
  /**
   * Make the submit durable and resumable (issue 11): the entry carries this account and an
   * intent key (submitKeyFor(body, host, account)); a rerun with the same body, host and
   * account finds an earlier submit that has not reported (interrupted, killed) and takes it
   * up instead of creating again. Give it with a persistent store.
   */
  intent?: { host: string; account: string };
  priority?: number;
  label?: string;
  /** The entry's owner and policy (issue 16: the config's queue: block): a worker of the account enforces it after the create. */
  owner?: string | null;
  policy?: EntryPolicy | null;
  /** Seconds between stock checks in the CLI; here in ms. */
  intervalMs: number;
  /** 0 = no limit. */
  timeoutSec: number;
  signal?: AbortSignal;
  onProgress?: (p: SubmitProgress) => void;
  sleep?: Sleep;
  /** This process's clock (default Date.now). Without it, leases and send times are on the store's clock when it has one (SQLite, PostgreSQL). */
  now?: Now;
  /** Lease owner of this run (default `submit@<hostname>:<pid>:<nonce>`: a rerun can tell a dead owner). */
  workerId?: string;
  /** Skip the image existence check (e.g. a base image the list cannot show). */
  skipImageCheck?: boolean;
  /** Consecutive stock-call failures tolerated while waiting before giving up. Default 5. */
  maxStockErrors?: number;
  /** Settle window after a create with an unknown outcome (default DEFAULT_SETTLE_MS). */
  settleMs?: number;
  /** Lease on the claimed entry (default DEFAULT_LEASE_MS). */
  leaseMs?: number;
  /** Whether a lease owner id names a process that is gone (default: same host and no such pid). */
  ownerGone?: (owner: string) => boolean;
}

export interface SubmitResult {
  status: 'success';
  deployment_uuid: string;
  waited_seconds: number;
  /** Extra fields (after the contract's three): the queue entry and the name sent. */
  entry_id: string;
  deployment_name: string;
  /** This run took up the entry of an earlier, interrupted submit of the same config. */
  resumed: boolean;
  /** The deployment is that earlier submit's create, found by its mark: nothing new was created. */
  found_earlier_create: boolean;
}

/** A default lease owner for a submit run: host and pid tell a rerun whether the owner is gone. */
export function submitOwnerId(): string {
  return `submit@${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** True when `owner` is a submit run on this host whose process no longer exists. */
export function submitOwnerGone(owner: string): boolean {
  const m = /^submit@(.+):(\d+):[0-9a-f]+$/.exec(owner);
  if (!m || m[1] !== hostname()) return false;
  const pid = Number(m[2]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false; // another run in this very process: alive
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * The submit has delivered its result: its intent key is cleared, so the same config submitted
 * again later makes a new deployment (call after printing the result).
 */
export async function closeSubmitIntent(store: QueueStore, entryId: string, now: number): Promise<void> {
  const e = await store.get(entryId);
  if (!e || e.submit_key === null) return;
  await store.transition(entryId, e.state, { from: e.state, now, set: { submit_key: null } });
}

/**
 * When the create of a `submitting` entry was (at the latest) sent: its `sent_at`, written
 * before the request went out; for an entry left by an older version, its last claim.
 */
async function sendTime(store: QueueStore, e: QueueEntry): Promise<number> {
  if (e.sent_at !== null) return e.sent_at;
  const h = await store.history(e.id);
  for (let i = h.length - 1; i >= 0; i--) if (h[i]!.from_state === 'pending' && h[i]!.to_state === 'submitting') return h[i]!.ts;
  return e.updated_at;
}

/** The one-shot submit's success: its deployment was created and has not failed (states.ts). */
const DONE_STATES: readonly string[] = DEPLOYED_STATES;

function interrupted(elapsedS: number, entryId?: string, inFlight = false): AutodlError {
  if (inFlight) {
    return new AutodlError('interrupted', 'interrupted while the outcome of a create is unknown; run the same submit again to resume it (it looks the create up before creating again)', {
      elapsed_seconds: elapsedS,
      entry_id: entryId,
      in_flight: true,
    });
  }
  return new AutodlError('interrupted', 'interrupted while waiting for GPUs; nothing was created', {
    elapsed_seconds: elapsedS,
    ...(entryId ? { entry_id: entryId } : {}),
  });
}

/** An image the account can use, as listed in `image_not_found` details. */
export interface AvailableImage {
  image_uuid: string;
  name: string;
  /** private: your own (image/private/list); system: the platform's base images (v2/image/list) */
  kind: 'private' | 'system';
}

/** At most this many images are listed in `image_not_found` details (a catalogue can be long). */
export const MAX_AVAILABLE_IMAGES = 200;

export type ImageCheck = { found: 'private' | 'system' } | { found: 'unverified'; reason: string };

/**
 * The image check: the uuid must be one of the account's private images OR one of the
 * platform's system images (a `base-image-…` uuid creates a deployment on both hosts,
 * recorded). Throws `image_not_found` with `requested` and `available_images` (both kinds).
 * When the system list cannot be read (an older private cluster has no v2 list) and the
 * image is not a private one, the check cannot decide: 'unverified' is returned and the
 * create is the judge.
 */
export async function checkImage(api: QueueApi, imageUuid: string): Promise<ImageCheck> {
  const available: AvailableImage[] = [];
  const note = (i: { image_uuid?: unknown; name?: unknown; image_name?: unknown }, kind: AvailableImage['kind']) => {
    if (available.length >= MAX_AVAILABLE_IMAGES || typeof i.image_uuid !== 'string') return;
    available.push({ image_uuid: i.image_uuid, name: String(i.name ?? i.image_name ?? ''), kind });
  };
  for await (const i of api.images.listAll(100)) {
    if (i.image_uuid === imageUuid) return { found: 'private' };
    note(i, 'private');
  }
  if (api.images.listAllSystem) {
    try {
      for await (const i of api.images.listAllSystem(100)) {
        if (i.image_uuid === imageUuid) return { found: 'system' };
        note(i, 'system');
      }
    } catch (e) {
      return { found: 'unverified', reason: e instanceof Error ? e.message : String(e) };
    }
  }
  throw new AutodlError('image_not_found', `image ${imageUuid} is neither one of your private images nor a system image`, {
    requested: imageUuid,
    available_images: available,
  });
}

/** The GPU-type check: throws `gpu_type_not_found` when none exists; returns the missing ones. */
export function checkGpuTypes(stock: Stock, requested: readonly string[]): string[] {
  const available = Object.keys(stock);
  const missing = requested.filter((t) => !(t in stock));
  if (missing.length === requested.length) {
    throw new AutodlError('gpu_type_not_found', `none of the requested GPU types exists: ${requested.join(', ')}`, {
      requested: [...requested],
      available_gpus: available,
    });
  }
  return missing;
}

function stockOf(stock: Stock, types: readonly string[]): Stock {
  const out: Stock = {};
  for (const t of types) if (stock[t]) out[t] = { idle: stock[t]!.idle, total: stock[t]!.total };
  return out;
}

export async function submitAndWait(o: SubmitOptions): Promise<SubmitResult> {
  // Leases and send times on the store's clock when it has one (issue 11): a submit is a party
  // on the queue like a worker, so a worker (or a rerun) on another clock must not take its
  // in-flight create for expired. The offset is measured on the store below, before any move.
  const local = o.now ?? Date.now;
  let offset = 0;
  const now = () => local() + offset;
  const pause = o.sleep ?? sleep;
  const progress = (p: SubmitProgress) => {
    try {
      o.onProgress?.(p);
    } catch {
      /* observers never break the engine */
    }
  };
  const start = local();
  const elapsed = () => Math.max(0, (local() - start) / 1000);
  const body = normalizeBodyForQueue(o.body);
  const types = body.container_template.gpu_name_set;
  if (o.signal?.aborted) throw interrupted(0);

  const store: QueueStore = o.store ?? new MemoryStore();
  const useDbClock = o.now === undefined && store.clock !== undefined;
  const syncClock = async () => {
    if (!useDbClock) return;
    try {
      offset = (await clockOffset(store, local)) ?? offset;
    } catch {
      /* keep the last offset: the next move fails too if the store is gone */
    }
  };
  await syncClock();
  const workerId = o.workerId ?? submitOwnerId();
  const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
  const settleMs = o.settleMs ?? DEFAULT_SETTLE_MS;
  const ownerGone = o.ownerGone ?? submitOwnerGone;
  const key = o.intent ? submitKeyFor(body, o.intent.host, o.intent.account) : undefined;

  // An earlier submit of the same config that has not reported (killed, interrupted while a
  // create was in flight): take its entry up instead of adding another.
  let current: QueueEntry | undefined;
  let resumed = false;
  if (key !== undefined) {
    const open = (await store.list({ submitKey: key })).filter((e) => RESUMABLE_STATES.includes(e.state));
    current = open[0];
    if (current) {
      resumed = true;
      progress({ type: 'resumed', entry_id: current.id, deployment_name: current.deployment_name, state: current.state, started_at: new Date(current.created_at).toISOString() });
    }
  }

  const ctx: SubmitterContext = {
    store,
    api: o.api,
    workerId,
    leaseMs,
    now,
    signal: o.signal,
    maxConsecutiveFailures: DEFAULT_MAX_CONSECUTIVE_FAILURES,
    settleMs,
    ...(o.intent ? { account: o.intent.account } : {}),
    onEvent: (event) => progress({ type: 'event', event }),
  };
  let sentHere = false;
  const success = (e: QueueEntry): SubmitResult => {
    const foundEarlier = resumed && !sentHere;
    if (foundEarlier) progress({ type: 'found_earlier_create', entry_id: e.id, deployment_uuid: e.deployment_uuid!, deployment_name: e.deployment_name });
    return {
      status: 'success',
      deployment_uuid: e.deployment_uuid!,
      waited_seconds: Math.round(elapsed()),
      entry_id: e.id,
      deployment_name: e.deployment_name,
      resumed,
      found_earlier_create: foundEarlier,
    };
  };

  /**
   * One step on an entry in `submitting` (a create may be in flight): take the lease over when
   * it is ours, expired, or held by a submit process that is gone; then, within the settle
   * window since the send time, look the mark up and wait if it is not listed yet; after it,
   * reconcile (found → submitted; absent → pending, and a new create may follow).
   */
  const stepInFlight = async (e: QueueEntry): Promise<{ done?: QueueEntry; waitMs?: number }> => {
    const n = now();
    const owner = e.lease_owner;
    const free = owner === null || owner === workerId || (e.lease_until ?? 0) <= n || ownerGone(owner);
    if (!free) {
      const waitMs = Math.max(0, (e.lease_until ?? n) - n);
      progress({ type: 'settling', entry_id: e.id, wait_s: Math.round(waitMs / 1000), reason: 'lease' });
      return { waitMs };
    }
    const taken =
      owner === workerId
        ? e
        : await store.transition(e.id, 'submitting', {
            from: 'submitting',
            ...(owner !== null ? { owner } : {}),
            now: n,
            note: `taken over by ${workerId} (lease of ${owner ?? 'nobody'})`,
            set: { lease_owner: workerId, lease_until: n + leaseMs },
          });
    if (!taken) return { waitMs: 0 }; // moved meanwhile: look again
    const settleEnd = (await sendTime(store, taken)) + settleMs;
    if (now() < settleEnd) {
      let found = false;
      try {
        found = (await findCreated(o.api, taken)).length > 0;
      } catch {
        /* unknown: wait and look again */
      }
      if (!found) {
        const waitMs = Math.max(0, settleEnd - now());
        progress({ type: 'settling', entry_id: e.id, wait_s: Math.round(waitMs / 1000), reason: 'settle_window' });
        return { waitMs };
      }
    }
    const r = await reconcileEntry(ctx, taken);
    if (r.kind === 'submitted') return { done: r.entry };
    return r.kind === 'unresolved' ? { waitMs: o.intervalMs } : {};
  };

  if (current && DONE_STATES.includes(current.state)) return success(current);
  if (current?.state === 'submitting') {
    const step = await stepInFlight(current);
    if (step.done) return success(step.done);
  }

  if (!o.skipImageCheck) {
    progress({ type: 'checking', what: 'image' });
    const image = await checkImage(o.api, body.container_template.image_uuid);
    if (image.found === 'unverified') {
      progress({
        type: 'warning',
        code: 'image_unverified',
        message: `image ${body.container_template.image_uuid} is not one of your private images and the system image list could not be read (${image.reason}): the create will tell`,
        missing: [],
        available: [],
        image_uuid: body.container_template.image_uuid,
      });
    }
  }
  progress({ type: 'checking', what: 'gpu_types' });
  let stock: Stock | undefined = await o.api.stock.get();
  const missing = checkGpuTypes(stock, types);
  if (missing.length > 0) {
    progress({
      type: 'warning',
      code: 'gpu_type_missing',
      message: `GPU types not on the platform (ignored): ${missing.join(', ')}`,
      missing,
      available: Object.keys(stock),
    });
  }

  if (!current) {
    [current] = await store.add([{ body, priority: o.priority, label: o.label ?? null, account: o.intent?.account ?? null, submit_key: key ?? null, owner: o.owner ?? null, policy: o.policy ?? null }], now());
    progress({ type: 'queued', entry_id: current!.id, deployment_name: current!.deployment_name });
  }
  let entry: QueueEntry = current!;

  const giveUp = async (err: AutodlError): Promise<never> => {
    const e = await store.cancel(entry.id, now(), `${err.errorType}: ${err.message}`);
    // a create whose outcome is unknown keeps its intent: a rerun resumes it
    if (e && e.state !== 'submitting') await closeSubmitIntent(store, entry.id, now());
    if (e?.state === 'submitting' && err.errorType === 'interrupted') throw interrupted(Math.round(elapsed()), entry.id, true);
    throw err;
  };

  let polls = 0;
  let creates = 0;
  let stockErrors = 0;
  const maxStockErrors = o.maxStockErrors ?? 5;
  for (;;) {
    if (o.signal?.aborted) return giveUp(interrupted(Math.round(elapsed()), entry.id));
    polls++;
    await syncClock();
    let waitMs: number | undefined;
    entry = (await store.get(entry.id)) ?? entry;
    if (DONE_STATES.includes(entry.state)) return success(entry);
    // A create whose outcome we could not learn is resolved before anything else.
    if (entry.state === 'submitting') {
      const step = await stepInFlight(entry);
      if (step.done) return success(step.done);
      waitMs = step.waitMs;
      entry = (await store.get(entry.id)) ?? entry;
    }
    if (entry.state === 'cancelled' || entry.state === 'failed') {
      // moved by someone else (`queue cancel`, a worker's third refused create)
      if (entry.state === 'failed' && entry.error_details) throw submissionError(entry.error_details);
      return giveUp(interrupted(Math.round(elapsed()), entry.id));
    }

    if (!stock && entry.state === 'pending') {
      try {
        stock = await o.api.stock.get();
        stockErrors = 0;
      } catch (e) {
        stockErrors++;
        if (stockErrors >= maxStockErrors) throw e instanceof AutodlError ? e : new AutodlError('api_error', String(e));
        progress({ type: 'stock_error', message: e instanceof ApiError ? e.message : String(e), consecutive: stockErrors });
      }
    }
    if (stock && entry.state === 'pending') {
      const p = plan(stock, [entry], { fit: 'one', agingMs: 0 }, now());
      const c = p.creates[0];
      if (c) {
        creates++;
        progress({ type: 'creating', attempt: creates, gpu_name: c.gpu_name });
        if (!o.signal?.aborted) sentHere = true;
        const r = await submitEntry(ctx, entry.id, c.gpu_name);
        if (r.kind === 'submitted') return success(r.entry);
        if (r.kind === 'failed') {
          await closeSubmitIntent(store, entry.id, now());
          throw submissionError(r.details);
        }
        if (r.kind === 'aborted') return giveUp(interrupted(Math.round(elapsed()), entry.id));
        if (r.kind !== 'skipped') entry = r.entry;
      }
    }
    const lastStock = stock ? stockOf(stock, types) : {};
    stock = undefined;

    const el = elapsed();
    if (o.timeoutSec > 0 && el >= o.timeoutSec) {
      if (entry.state === 'submitting') {
        // GPUs were free and a create went out, but its outcome is unknown (reply lost, held
        // for the settle window): not "no GPU became free". The intent stays; a rerun resumes.
        throw new AutodlError(
          'timeout',
          `gave up after ${o.timeoutSec} s while the outcome of a create is unknown (its reply was lost; it may still be applied); run the same submit again to resume it (it looks the create up before creating again)`,
          { elapsed_seconds: Math.round(el), timeout_seconds: o.timeoutSec, in_flight: true, entry_id: entry.id, deployment_name: entry.deployment_name },
        );
      }
      return giveUp(
        new AutodlError('timeout', `no GPU became free within ${o.timeoutSec} s`, {
          elapsed_seconds: Math.round(el),
          timeout_seconds: o.timeoutSec,
          last_stock: lastStock,
        }),
      );
    }
    const remainingMs = o.timeoutSec > 0 ? Math.max(0, o.timeoutSec * 1000 - el * 1000) : Infinity;
    const nextMs = Math.min(waitMs ?? o.intervalMs, o.intervalMs, remainingMs);
    if (entry.state === 'pending' || waitMs === undefined) {
      const idle: Record<string, number> = {};
      for (const [t, st] of Object.entries(lastStock)) idle[t] = st.idle;
      progress({ type: 'waiting', elapsed_s: Math.round(el), attempt: polls, idle, next_check_s: Math.round(nextMs / 1000) });
    }
    if (nextMs > 0) await pause(nextMs, o.signal);
  }
}
