// The one-shot submit (the original skill's `queue_submit`): check the image, check the
// GPU types, then add ONE entry to a store (in-memory unless one is given) and run the
// worker's machinery on it until it is submitted, failed, timed out or aborted.

import { AutodlError, ApiError } from '../errors.js';
import type { Stock } from '../api/types.js';
import { normalizeBodyForQueue } from './ids.js';
import { plan } from './planner.js';
import { MemoryStore } from './store.js';
import type { QueueStore } from './store.js';
import {
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_CONSECUTIVE_FAILURES,
  reconcileEntry,
  submitEntry,
  submissionError,
} from './submitter.js';
import type { QueueEvent, SubmitterContext } from './submitter.js';
import { defaultSleep } from './worker.js';
import type { CreateBody, Now, QueueApi, QueueEntry, Sleep } from './types.js';

export type SubmitProgress =
  | { type: 'checking'; what: 'image' | 'gpu_types' }
  /** gpu_type_missing: missing/available GPU types; image_unverified: image_uuid (missing/available empty) */
  | { type: 'warning'; code: 'gpu_type_missing' | 'image_unverified'; message: string; missing: string[]; available: string[]; image_uuid?: string }
  | { type: 'queued'; entry_id: string; deployment_name: string }
  | { type: 'waiting'; elapsed_s: number; attempt: number; idle: Record<string, number>; next_check_s: number }
  | { type: 'creating'; attempt: number; gpu_name: string }
  | { type: 'stock_error'; message: string; consecutive: number }
  | { type: 'event'; event: QueueEvent };

export interface SubmitOptions {
  api: QueueApi;
  body: CreateBody;
  /** Store to record the entry in (e.g. the SQLite queue); default a fresh MemoryStore. */
  store?: QueueStore;
  priority?: number;
  label?: string;
  /** Seconds between stock checks in the CLI; here in ms. */
  intervalMs: number;
  /** 0 = no limit. */
  timeoutSec: number;
  signal?: AbortSignal;
  onProgress?: (p: SubmitProgress) => void;
  sleep?: Sleep;
  now?: Now;
  workerId?: string;
  /** Skip the image existence check (e.g. a base image the list cannot show). */
  skipImageCheck?: boolean;
  /** Consecutive stock-call failures tolerated while waiting before giving up. Default 5. */
  maxStockErrors?: number;
  /** Settle window after a create with an unknown outcome (default DEFAULT_SETTLE_MS). */
  settleMs?: number;
}

export interface SubmitResult {
  status: 'success';
  deployment_uuid: string;
  waited_seconds: number;
  /** Extra fields (after the contract's three): the queue entry and the name sent. */
  entry_id: string;
  deployment_name: string;
}

function interrupted(elapsedS: number, entryId?: string): AutodlError {
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
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? defaultSleep;
  const progress = (p: SubmitProgress) => {
    try {
      o.onProgress?.(p);
    } catch {
      /* observers never break the engine */
    }
  };
  const start = now();
  const elapsed = () => Math.max(0, (now() - start) / 1000);
  const body = normalizeBodyForQueue(o.body);
  const types = body.container_template.gpu_name_set;
  if (o.signal?.aborted) throw interrupted(0);

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

  const store = o.store ?? new MemoryStore();
  const [entry] = await store.add([{ body, priority: o.priority, label: o.label ?? null }], now());
  let current: QueueEntry = entry!;
  progress({ type: 'queued', entry_id: current.id, deployment_name: current.deployment_name });

  const ctx: SubmitterContext = {
    store,
    api: o.api,
    workerId: o.workerId ?? `submit-${current.id}`,
    leaseMs: DEFAULT_LEASE_MS,
    now,
    signal: o.signal,
    maxConsecutiveFailures: DEFAULT_MAX_CONSECUTIVE_FAILURES,
    ...(o.settleMs !== undefined ? { settleMs: o.settleMs } : {}),
    onEvent: (event) => progress({ type: 'event', event }),
  };
  const success = (e: QueueEntry): SubmitResult => ({
    status: 'success',
    deployment_uuid: e.deployment_uuid!,
    waited_seconds: Math.round(elapsed()),
    entry_id: e.id,
    deployment_name: e.deployment_name,
  });
  const giveUp = async (err: AutodlError): Promise<never> => {
    await store.cancel(current.id, now(), `${err.errorType}: ${err.message}`);
    throw err;
  };

  let polls = 0;
  let creates = 0;
  let stockErrors = 0;
  const maxStockErrors = o.maxStockErrors ?? 5;
  for (;;) {
    if (o.signal?.aborted) return giveUp(interrupted(Math.round(elapsed()), current.id));
    polls++;
    // A create whose outcome we could not learn is resolved before anything else.
    const n = now();
    for (const s of await store.claimStale(ctx.workerId, n + ctx.leaseMs, n)) {
      if (s.id !== current.id) continue;
      const r = await reconcileEntry(ctx, s);
      if (r.kind === 'submitted') return success(r.entry);
    }
    current = (await store.get(current.id)) ?? current;
    if (current.state === 'submitted' || current.state === 'running' || current.state === 'finished') return success(current);

    if (!stock) {
      try {
        stock = await o.api.stock.get();
        stockErrors = 0;
      } catch (e) {
        stockErrors++;
        if (stockErrors >= maxStockErrors) throw e instanceof AutodlError ? e : new AutodlError('api_error', String(e));
        progress({ type: 'stock_error', message: e instanceof ApiError ? e.message : String(e), consecutive: stockErrors });
      }
    }
    if (stock && current.state === 'pending') {
      const p = plan(stock, [current], { fit: 'one', agingMs: 0 }, now());
      const c = p.creates[0];
      if (c) {
        creates++;
        progress({ type: 'creating', attempt: creates, gpu_name: c.gpu_name });
        const r = await submitEntry(ctx, current.id, c.gpu_name);
        if (r.kind === 'submitted') return success(r.entry);
        if (r.kind === 'failed') throw submissionError(r.details);
        if (r.kind === 'aborted') return giveUp(interrupted(Math.round(elapsed()), current.id));
        if (r.kind !== 'skipped') current = r.entry;
      }
    }
    const lastStock = stock ? stockOf(stock, types) : {};
    stock = undefined;

    const el = elapsed();
    if (o.timeoutSec > 0 && el >= o.timeoutSec) {
      return giveUp(
        new AutodlError('timeout', `no GPU became free within ${o.timeoutSec} s`, {
          elapsed_seconds: Math.round(el),
          timeout_seconds: o.timeoutSec,
          last_stock: lastStock,
        }),
      );
    }
    const remainingMs = o.timeoutSec > 0 ? Math.max(0, o.timeoutSec * 1000 - el * 1000) : Infinity;
    const waitMs = Math.min(o.intervalMs, remainingMs);
    const idle: Record<string, number> = {};
    for (const [t, s] of Object.entries(lastStock)) idle[t] = s.idle;
    progress({ type: 'waiting', elapsed_s: Math.round(el), attempt: polls, idle, next_check_s: Math.round(waitMs / 1000) });
    await sleep(waitMs, o.signal);
  }
}
