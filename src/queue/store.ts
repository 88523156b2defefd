// The queue store: the interface every backend implements (SQLite now, PostgreSQL later),
// and an in-memory backend for the one-shot submit and for tests.
//
// Rules every backend keeps:
// - `claim` and `claimStale` are atomic: two workers on one store never both get an entry
//   (SQLite: one IMMEDIATE transaction; PostgreSQL: UPDATE … WHERE state = 'pending' …
//   RETURNING, or SELECT … FOR UPDATE SKIP LOCKED).
// - `transition` is a compare-and-set on (state ∈ from, and lease_owner = owner when given);
//   it returns undefined when the precondition no longer holds and then changes nothing.
// - Every move is one the state machine allows (./states.ts): `transition` refuses a `from`
//   → `to` that is not in the table before it reads anything, and every move (claim, cancel,
//   …) is checked again on the row itself (movePatch), inside the move's transaction: a
//   refused move throws a `validation_error` (reason transition_not_allowed) and writes nothing.
// - Every state change appends one history event, in the same transaction.
// - Leaving `submitting` clears the lease.
// - Bodies are stored as given by the caller (the engine passes them through
//   normalizeBodyForQueue, which refuses secret-looking fields); errors are stored redacted.

import { AutodlError } from '../errors.js';
import { deploymentNameFor, newEntryId, normalizeBodyForQueue, redactText, redactValue, tagOf } from './ids.js';
import { DEFAULT_OWNER, normalizePolicy, NOT_JSON, storedJson } from './policies.js';
import { assertMove, CANCELLABLE_STATES, CLAIMABLE_STATES, QUEUED_STATES, RECLAIMABLE_STATES, STATES, TERMINAL_STATES } from './states.js';
import { MAX_RETRY_LOG, type EnforcedRecord, type EntryState, type HistoryEvent, type NewEntry, type QueueEntry, type RetryRecord } from './types.js';

/** What store.adopt takes: the deployment as it is, and the policy to put it under. */
export interface AdoptInput extends NewEntry {
  deployment_uuid: string;
  /** The deployment's own name on the platform (no mark). */
  deployment_name: string;
  /** When the deployment was created (its time limit counts from here). */
  submitted_at: number;
}

/** The entry store.adopt inserts. */
export function makeAdopted(input: AdoptInput, now: number, id?: string): QueueEntry {
  const e = makeEntry(input, now, id);
  return { ...e, state: 'submitted', deployment_uuid: input.deployment_uuid, deployment_name: input.deployment_name, submitted_at: input.submitted_at };
}

export interface ListFilter {
  states?: readonly EntryState[];
  label?: string;
  ids?: readonly string[];
  /** Entries of this account fingerprint and those of no account yet (a worker's own view). */
  account?: string;
  /** Entries carrying this one-shot submit intent key. */
  submitKey?: string;
  /** Entries of this owner (issue 16; 'default' also matches entries of no owner). */
  owner?: string | undefined;
  /** Most entries returned (in order). */
  limit?: number | undefined;
}

export interface PruneOptions {
  /** Only entries of this label. */
  label?: string | undefined;
  dryRun?: boolean | undefined;
}

/** Why an ended entry old enough is kept: an open entry waits for it, or its label is under an open entry's budget. */
export interface PruneKept {
  entry: QueueEntry;
  reason: 'needed_by' | 'label_budget';
  /** The open entry that needs it. */
  by: string;
}

export interface PruneResult {
  /** Deleted (or, with dryRun, that would be), oldest end first. */
  removed: QueueEntry[];
  kept: PruneKept[];
}

/** When an ended entry ended: finished_at, else its last change (a cancel sets no finished_at). */
export function endedAt(e: Pick<QueueEntry, 'finished_at' | 'updated_at'>): number {
  return e.finished_at ?? e.updated_at;
}

/**
 * Which of the ended `candidates` (ended before the cut-off) may go, given the `open` entries:
 * one an open entry names in `after` stays (it would fail as gone), and so does one whose
 * label an open entry budgets (the money it spent counts against that budget). Pure; every
 * backend calls it inside its transaction.
 */
export function prunePlan(candidates: readonly QueueEntry[], open: readonly QueueEntry[]): PruneResult {
  const neededBy = new Map<string, string>();
  const budgeted = new Map<string, string>();
  for (const o of open) {
    for (const dep of o.policy?.after ?? []) if (!neededBy.has(dep)) neededBy.set(dep, o.id);
    if (o.label !== null && o.policy?.labelBudget !== undefined && !budgeted.has(o.label)) budgeted.set(o.label, o.id);
  }
  const removed: QueueEntry[] = [];
  const kept: PruneKept[] = [];
  for (const e of [...candidates].sort((a, b) => endedAt(a) - endedAt(b))) {
    if (!TERMINAL_STATES.includes(e.state)) continue; // never an open entry, whatever the caller passed
    const by = neededBy.get(e.id);
    if (by !== undefined) kept.push({ entry: e, reason: 'needed_by', by });
    else if (e.label !== null && budgeted.has(e.label)) kept.push({ entry: e, reason: 'label_budget', by: budgeted.get(e.label)! });
    else removed.push(e);
  }
  return { removed, kept };
}

/** Fields a transition may set besides the state. */
export type EntryPatch = Partial<
  Pick<
    QueueEntry,
    | 'attempts'
    | 'consecutive_failures'
    | 'last_error'
    | 'error_details'
    | 'deployment_uuid'
    | 'submitted_at'
    | 'finished_at'
    | 'priority'
    | 'lease_owner'
    | 'lease_until'
    | 'account'
    | 'submit_key'
    | 'sent_at'
    | 'missing_since'
    | 'enforced'
    | 'policy'
    | 'deployment_name'
    | 'retries'
    | 'retry_log'
    | 'spent_earlier'
  >
>;

export interface TransitionOptions {
  /** The states the entry must be in for the move to happen. */
  from: EntryState | readonly EntryState[];
  /** When given, the entry's lease_owner must equal it (moves out of `submitting`). */
  owner?: string;
  /**
   * When given, the entry's `enforced.at` must equal it (null: no enforced record): the
   * compare-and-set by which one worker alone takes a policy's stop attempt or warning.
   */
  enforcedAt?: number | null;
  now: number;
  note?: string;
  set?: EntryPatch;
  /**
   * When given, the entry must still be on this run: this deployment and this retry count (a
   * resubmission decided on what one tick read must not move a later run of the same entry,
   * made meanwhile by another worker, back to pending: that would orphan its deployment).
   */
  run?: { deployment_uuid: string | null; retries: number };
}

/** Whether a row is still on the run a transition names (see TransitionOptions.run). */
export function onRun(r: Pick<QueueEntry, 'deployment_uuid' | 'retries'>, run: TransitionOptions['run']): boolean {
  return run === undefined || (r.deployment_uuid === run.deployment_uuid && r.retries === run.retries);
}

export interface QueueStore {
  /** Insert entries (state `pending`) atomically; returns them in the given order. */
  add(entries: readonly NewEntry[], now: number): Promise<QueueEntry[]>;
  /**
   * A deployment made outside the queue, taken in as `submitted` (issue 16, `autodl ttl`) so
   * that a worker follows it and enforces its policy; one transaction. When an open entry
   * already has this deployment — by its uuid, or an entry still being created (pending or
   * submitting, no uuid recorded yet) whose queue mark is the deployment's name — its policy is
   * replaced instead (returned with `adopted: false`).
   */
  adopt(input: AdoptInput, now: number): Promise<{ entry: QueueEntry; adopted: boolean }>;
  get(id: string): Promise<QueueEntry | undefined>;
  /** Entries in insertion order (created_at, then insertion). */
  list(filter?: ListFilter): Promise<QueueEntry[]>;
  /**
   * How many entries match the filter, per state (states with none are absent; `limit` is
   * ignored). Reads no body: the worker's end-of-tick summary and drain check use it instead of a second list.
   */
  count(filter?: ListFilter): Promise<Partial<Record<EntryState, number>>>;
  /**
   * pending → submitting for each id still pending: sets lease_owner/lease_until, attempts + 1,
   * one history event each. Atomic. Returns the entries actually claimed. With `account`, only
   * entries of that account or of none are claimed, and one of none is adopted (its account set).
   */
  claim(ids: readonly string[], owner: string, leaseUntil: number, now: number, account?: string): Promise<QueueEntry[]>;
  /**
   * Take over `submitting` entries whose lease expired (lease_until <= now) or whose lease
   * belongs to `owner` (a previous incarnation of this worker): they need reconciling
   * (look the deployment up by its mark) before anything else. Atomic. With `account`, as claim.
   */
  claimStale(owner: string, leaseUntil: number, now: number, account?: string): Promise<QueueEntry[]>;
  /** Compare-and-set state move (see the rules above). `to` may equal the current state (a note/patch only). */
  transition(id: string, to: EntryState, options: TransitionOptions): Promise<QueueEntry | undefined>;
  /** pending → cancelled. Entries in other states are returned unchanged (check `.state`). */
  cancel(id: string, now: number, note?: string): Promise<QueueEntry | undefined>;
  history(id: string): Promise<HistoryEvent[]>;
  /**
   * Delete ended entries (finished, failed, cancelled) that ended before `before` (epoch ms;
   * finished_at, else the last change), with their history, in one transaction — never an
   * open one, nor one an open entry still needs (see prunePlan). With `dryRun` nothing is
   * deleted: the same answer, of what would be (issue 15 §3, `queue prune`).
   */
  prune(before: number, options?: PruneOptions): Promise<PruneResult>;
  /**
   * The database's own clock (epoch ms), when the backend has one: workers measure leases
   * and settle windows on it, so no worker's skewed clock decides that a lease expired.
   */
  clock?(): Promise<number>;
  close(): Promise<void>;
}

/** The columns a move may set besides state and updated_at (the SQL backends write these). */
export const PATCH_COLUMNS = [
  'attempts',
  'consecutive_failures',
  'last_error',
  'error_details',
  'deployment_uuid',
  'submitted_at',
  'finished_at',
  'priority',
  'lease_owner',
  'lease_until',
  'account',
  'submit_key',
  'sent_at',
  'missing_since',
  'enforced',
  'policy',
  'deployment_name',
  'retries',
  'retry_log',
  'spent_earlier',
] as const satisfies ReadonlyArray<keyof EntryPatch>;

/**
 * The state list of the CHECK constraint that schema version 1 of both backends shipped with,
 * frozen as it was (a shipped migration never changes). Migration 4 drops that CHECK: the
 * state machine (./states.ts) is enforced by the stores, so a new state is not a schema change.
 */
export const STATES_SQL = "('pending','submitting','submitted','running','finished','failed','cancelled')";

/**
 * Refuse (throw) a transition whose `from` states are not all allowed to move to `to` by the
 * state machine: checked before the store reads the entry, so the refusal does not depend on
 * the entry's current state.
 */
export function assertTransition(id: string, to: EntryState, from: EntryState | readonly EntryState[]): void {
  for (const f of asArray(from)) assertMove(f, to, id);
}

/**
 * What a move writes besides state and updated_at, in every backend: the patch with its error
 * fields redacted and, when it leaves `submitting` without naming an owner, the lease cleared.
 */
export function movePatch(from: EntryState, to: EntryState, set: EntryPatch = {}, id?: string): EntryPatch {
  assertMove(from, to, id);
  const patch: EntryPatch = { ...set };
  if (typeof patch.last_error === 'string') patch.last_error = redactText(patch.last_error);
  if (patch.error_details) patch.error_details = redactValue(patch.error_details) as Record<string, unknown>;
  if (STATES[from].leased && !STATES[to].leased && !('lease_owner' in set)) {
    patch.lease_owner = null;
    patch.lease_until = null;
  }
  // back to pending: no create of a new attempt has been sent, nothing is being followed
  if (to === 'pending') {
    if (!('sent_at' in set)) patch.sent_at = null;
    if (!('missing_since' in set)) patch.missing_since = null;
  }
  return patch;
}

/** A queue database written by a newer autodl (its schema version is above what this one knows). */
export function newerSchemaError(path: string, version: number, supported: number): AutodlError {
  return new AutodlError('config_error', `queue database schema version ${version} is newer than this autodl understands (${supported}); upgrade autodl`, {
    path,
    schema_version: version,
    supported,
  });
}

export function asArray<T>(x: T | readonly T[]): readonly T[] {
  return Array.isArray(x) ? (x as readonly T[]) : [x as T];
}

/**
 * An enforced record as read back from a row (maybe edited by hand): never throws; anything
 * that is not a well-formed record reads as a stop of unknown reason made now-ish (at 0), so
 * a worker retries the stop rather than forget it, and the views stay printable.
 */
export function storedEnforced(raw: unknown): EnforcedRecord | null {
  const parsed = storedJson(raw);
  const v = parsed === NOT_JSON ? {} : parsed;
  if (v === null || v === undefined) return null;
  const r = (typeof v === 'object' && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
  const ms = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) && Math.abs(x) <= 8.64e15 ? x : undefined);
  const reasons = ['max_runtime', 'max_cost', 'budget'] as const;
  const out: EnforcedRecord = {
    action: r.action === 'warn' ? 'warn' : 'stop',
    reason: reasons.find((x) => x === r.reason) ?? 'max_runtime',
    detail: typeof r.detail === 'string' ? r.detail.slice(0, 200) : '',
    at: ms(r.at) ?? 0,
  };
  const attempts = typeof r.attempts === 'number' && Number.isInteger(r.attempts) && r.attempts >= 1 ? Math.min(r.attempts, 1_000_000) : undefined;
  if (attempts !== undefined) out.attempts = attempts;
  const retry = ms(r.retry_at);
  if (retry !== undefined) out.retry_at = retry;
  if (typeof r.by === 'string' && r.by.length <= 200) out.by = r.by;
  return out;
}

/**
 * An entry's retry log as read back from a row (maybe edited by hand): never throws; records
 * that are not well formed are dropped, at most MAX_RETRY_LOG kept; text that is not JSON
 * reads as none.
 */
export function storedRetryLog(raw: unknown): RetryRecord[] | null {
  const v = storedJson(raw);
  if (!Array.isArray(v)) return null;
  const causes = ['failed', 'unscheduled', 'host_error'] as const;
  const out: RetryRecord[] = [];
  for (const x of v.slice(-MAX_RETRY_LOG)) {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) continue;
    const r = x as Record<string, unknown>;
    const cause = causes.find((c) => c === r.cause);
    if (cause === undefined || typeof r.n !== 'number' || !Number.isInteger(r.n) || typeof r.at !== 'number' || !Number.isFinite(r.at)) continue;
    const yuan = (y: unknown) => (typeof y === 'number' && Number.isFinite(y) && y >= 0 && y <= 10_000_000 ? y : undefined);
    const rec: RetryRecord = {
      n: r.n,
      cause,
      detail: typeof r.detail === 'string' ? r.detail.slice(0, 500) : '',
      at: Math.min(Math.max(r.at, -8.64e15), 8.64e15),
      deployment_uuid: typeof r.deployment_uuid === 'string' ? r.deployment_uuid : null,
      deployment_name: typeof r.deployment_name === 'string' ? r.deployment_name : '',
    };
    if (r.failed_on !== null && typeof r.failed_on === 'object' && !Array.isArray(r.failed_on)) {
      const f = Object.fromEntries(Object.entries(r.failed_on as Record<string, unknown>).filter((kv): kv is [string, number] => typeof kv[1] === 'number' && Number.isFinite(kv[1])));
      rec.failed_on = f;
    }
    if (Array.isArray(r.blacklisted)) rec.blacklisted = r.blacklisted.filter((h): h is string => typeof h === 'string');
    const sy = yuan(r.spent_yuan);
    if (sy !== undefined) rec.spent_yuan = sy;
    const sm = yuan(r.spent_at_most);
    if (sm !== undefined) rec.spent_at_most = sm;
    out.push(rec);
  }
  return out.length ? out : null;
}

/** Whether a transition's enforcedAt precondition holds for an entry's record. */
export function enforcedMatches(current: EnforcedRecord | null, o: TransitionOptions): boolean {
  return o.enforcedAt === undefined || (current?.at ?? null) === o.enforcedAt;
}

/** Builds the row of a new entry (shared by the backends). */
export function makeEntry(input: NewEntry, now: number, id = newEntryId()): QueueEntry {
  const body = normalizeBodyForQueue(input.body);
  return {
    id,
    tag: tagOf(id),
    label: input.label ?? null,
    body,
    deployment_name: deploymentNameFor(body.name, id),
    priority: Math.trunc(input.priority ?? 0),
    state: 'pending',
    attempts: 0,
    consecutive_failures: 0,
    last_error: null,
    error_details: null,
    deployment_uuid: null,
    created_at: now,
    updated_at: now,
    submitted_at: null,
    finished_at: null,
    lease_owner: null,
    lease_until: null,
    account: input.account ?? null,
    submit_key: input.submit_key ?? null,
    sent_at: null,
    missing_since: null,
    owner: input.owner ?? null,
    policy: normalizePolicy(input.policy ?? null),
    enforced: null,
    retries: 0,
    retry_log: null,
    spent_earlier: 0,
  };
}

/** The columns the SQL backends store as JSON text. */
export const JSON_COLUMNS: ReadonlySet<string> = new Set(['error_details', 'enforced', 'policy', 'retry_log']);

/** Whether an entry may be taken by a worker of `account` (its own, or one of no account yet). */
export function ownedBy(e: Pick<QueueEntry, 'account'>, account: string | undefined): boolean {
  return account === undefined || e.account === null || e.account === account;
}

/** The patch that adopts an entry of no account for `account` on claim (empty otherwise). */
export function adoptPatch(e: Pick<QueueEntry, 'account'>, account: string | undefined): EntryPatch {
  return account !== undefined && e.account === null ? { account } : {};
}

function clone<T>(x: T): T {
  return structuredClone(x);
}

/** In-memory store: for the one-shot submit (nothing to persist) and for tests. */
/** The entries the new ones name in `after` (each once): an add checks them in its own transaction. */
export function afterIdsOf(made: readonly QueueEntry[]): string[] {
  return [...new Set(made.flatMap((e) => e.policy?.after ?? []))];
}

/** An `after` entry gone by the time the add lands (a `queue prune` between resolving it and adding). */
export function afterGoneError(id: string): AutodlError {
  return new AutodlError('validation_error', `--after ${id}: no such entry in this queue (pruned meanwhile?)`, { field: 'after', ref: id, reason: 'gone' });
}

export class MemoryStore implements QueueStore {
  private readonly entries = new Map<string, QueueEntry>();
  private readonly events: HistoryEvent[] = [];

  async add(inputs: readonly NewEntry[], now: number): Promise<QueueEntry[]> {
    const made: QueueEntry[] = [];
    for (const input of inputs) {
      let e = makeEntry(input, now);
      while (this.entries.has(e.id) || made.some((m) => m.id === e.id)) e = makeEntry(input, now);
      made.push(e);
    }
    for (const dep of afterIdsOf(made)) if (!this.entries.has(dep)) throw afterGoneError(dep);
    for (const e of made) {
      this.entries.set(e.id, e);
      this.events.push({ entry_id: e.id, ts: now, from_state: null, to_state: 'pending', note: 'added' });
    }
    return made.map(clone);
  }

  async adopt(input: AdoptInput, now: number): Promise<{ entry: QueueEntry; adopted: boolean }> {
    const open =
      [...this.entries.values()].find((e) => e.deployment_uuid === input.deployment_uuid && !TERMINAL_STATES.includes(e.state)) ??
      [...this.entries.values()].find((e) => e.deployment_name === input.deployment_name && QUEUED_STATES.includes(e.state));
    if (open) {
      // the given fields replace those of the entry's policy (undefined ones are lifted)
      const policy = normalizePolicy({ ...(open.policy ?? {}), ...(input.policy ?? {}) });
      const moved = await this.transition(open.id, open.state, { from: open.state, now, note: 'policy replaced (autodl ttl)', set: { policy } });
      return { entry: moved ?? clone(open), adopted: false };
    }
    let e = makeAdopted(input, now);
    while (this.entries.has(e.id)) e = makeAdopted(input, now);
    this.entries.set(e.id, e);
    this.events.push({ entry_id: e.id, ts: now, from_state: null, to_state: 'submitted', note: 'adopted (autodl ttl)' });
    return { entry: clone(e), adopted: true };
  }

  async get(id: string): Promise<QueueEntry | undefined> {
    const e = this.entries.get(id);
    return e ? clone(e) : undefined;
  }

  async list(filter: ListFilter = {}): Promise<QueueEntry[]> {
    return this.select(filter).map(clone);
  }

  private select(filter: ListFilter): QueueEntry[] {
    let all = [...this.entries.values()];
    if (filter.states) all = all.filter((e) => filter.states!.includes(e.state));
    if (filter.label !== undefined) all = all.filter((e) => e.label === filter.label);
    if (filter.ids) all = all.filter((e) => filter.ids!.includes(e.id));
    if (filter.account !== undefined) all = all.filter((e) => ownedBy(e, filter.account));
    if (filter.submitKey !== undefined) all = all.filter((e) => e.submit_key === filter.submitKey);
    if (filter.owner !== undefined) all = all.filter((e) => (e.owner ?? DEFAULT_OWNER) === filter.owner);
    // Map keeps insertion order; stable sort by created_at keeps it within equal times.
    all.sort((a, b) => a.created_at - b.created_at);
    if (filter.limit !== undefined) all = all.slice(0, filter.limit);
    return all;
  }

  async count(filter: ListFilter = {}): Promise<Partial<Record<EntryState, number>>> {
    const out: Partial<Record<EntryState, number>> = {};
    for (const e of this.select({ ...filter, limit: undefined })) out[e.state] = (out[e.state] ?? 0) + 1;
    return out;
  }

  private move(e: QueueEntry, to: EntryState, now: number, note: string | null, set: EntryPatch = {}): void {
    const from = e.state;
    Object.assign(e, structuredClone(movePatch(from, to, set, e.id)));
    e.state = to;
    e.updated_at = now;
    if (from !== to || note) this.events.push({ entry_id: e.id, ts: now, from_state: from, to_state: to, note: note === null ? null : redactText(note) });
  }

  async claim(ids: readonly string[], owner: string, leaseUntil: number, now: number, account?: string): Promise<QueueEntry[]> {
    const out: QueueEntry[] = [];
    for (const id of ids) {
      const e = this.entries.get(id);
      if (!e || !CLAIMABLE_STATES.includes(e.state) || !ownedBy(e, account)) continue;
      this.move(e, 'submitting', now, `claimed by ${owner}`, {
        lease_owner: owner,
        lease_until: leaseUntil,
        attempts: e.attempts + 1,
        ...adoptPatch(e, account),
      });
      out.push(clone(e));
    }
    return out;
  }

  async claimStale(owner: string, leaseUntil: number, now: number, account?: string): Promise<QueueEntry[]> {
    const out: QueueEntry[] = [];
    for (const e of this.entries.values()) {
      if (!RECLAIMABLE_STATES.includes(e.state) || !ownedBy(e, account)) continue;
      if (e.lease_owner !== owner && (e.lease_until ?? 0) > now) continue;
      const prev = e.lease_owner;
      this.move(e, 'submitting', now, `reclaimed by ${owner} (lease of ${prev ?? 'nobody'})`, {
        lease_owner: owner,
        lease_until: leaseUntil,
        ...adoptPatch(e, account),
      });
      out.push(clone(e));
    }
    return out;
  }

  async transition(id: string, to: EntryState, o: TransitionOptions): Promise<QueueEntry | undefined> {
    assertTransition(id, to, o.from);
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (!asArray(o.from).includes(e.state)) return undefined;
    if (o.owner !== undefined && e.lease_owner !== o.owner) return undefined;
    if (!onRun(e, o.run)) return undefined;
    if (!enforcedMatches(e.enforced, o)) return undefined;
    this.move(e, to, o.now, o.note ?? null, o.set);
    return clone(e);
  }

  async cancel(id: string, now: number, note?: string): Promise<QueueEntry | undefined> {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (CANCELLABLE_STATES.includes(e.state)) this.move(e, 'cancelled', now, note ?? 'cancelled');
    return clone(e);
  }

  async history(id: string): Promise<HistoryEvent[]> {
    return this.events.filter((h) => h.entry_id === id).map(clone);
  }

  async prune(before: number, options: PruneOptions = {}): Promise<PruneResult> {
    const all = [...this.entries.values()];
    const candidates = all.filter((e) => TERMINAL_STATES.includes(e.state) && endedAt(e) < before && (options.label === undefined || e.label === options.label));
    const out = prunePlan(candidates, all.filter((e) => !TERMINAL_STATES.includes(e.state)));
    if (!options.dryRun) {
      const gone = new Set(out.removed.map((e) => e.id));
      for (const id of gone) this.entries.delete(id);
      for (let i = this.events.length - 1; i >= 0; i--) if (gone.has(this.events[i]!.entry_id)) this.events.splice(i, 1);
    }
    return { removed: out.removed.map(clone), kept: out.kept.map((k) => ({ ...k, entry: clone(k.entry) })) };
  }

  async close(): Promise<void> {}
}
