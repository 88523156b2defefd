// The queue's state machine, as data: the states, what each means, and every move between
// them with the operation that makes it. Everything else derives from this module: the
// stores refuse a move that is not here (assertMove), the sets the engine and the CLI use
// (alive, terminal, claimable, …), the colours of `queue ls` / `queue show`, the `--state`
// choices, and the diagram in docs/queue.md (scripts/gen-states.ts writes it; a test fails
// when the committed one differs).
//
// Adding a state: one entry in STATES, its moves in TRANSITIONS, the code that makes those
// moves, and `node --import tsx scripts/gen-states.ts` for the docs. The databases hold the
// state as plain text (no CHECK since schema version 4 / PostgreSQL version 4).
//
// This module is light (it imports only the error class): the CLI loads it on start-up.

import { AutodlError } from '../errors.js';

/** What the table says about one state. */
export interface StateSpec {
  /** One line for the docs and `queue ls` readers. */
  meaning: string;
  /** Never changes again on its own (only an explicit retry takes a failed or cancelled entry back). */
  terminal: boolean;
  /** Its deployment exists and (may) hold GPUs: it counts against the limits and the worker follows it. */
  alive: boolean;
  /** Its deployment was created and has not failed: the one-shot submit's success. */
  deployed: boolean;
  /** Held under a worker's lease (lease_owner / lease_until): leaving it clears the lease. */
  leased: boolean;
  /** Shown by `queue ls` without `--state` / `--all`. */
  listedByDefault: boolean;
  /** Its colour in `queue ls` / `queue show` (a picocolors name). */
  color: 'yellow' | 'cyan' | 'green' | 'red' | 'dim';
}

/** The states, in the order of an entry's life (the order `--state` lists and the docs show them). */
export const STATES = {
  pending: {
    meaning: 'waiting for GPUs: the planner looks at it every tick',
    terminal: false,
    alive: false,
    deployed: false,
    leased: false,
    listedByDefault: true,
    color: 'yellow',
  },
  submitting: {
    meaning: 'claimed by a worker under a lease (default 5 min); a create may be in flight',
    terminal: false,
    alive: false,
    deployed: false,
    leased: true,
    listedByDefault: true,
    color: 'yellow',
  },
  submitted: {
    meaning: 'the deployment exists (deployment_uuid); the worker follows it',
    terminal: false,
    alive: true,
    deployed: true,
    leased: false,
    listedByDefault: true,
    color: 'cyan',
  },
  running: {
    meaning: 'a container of the deployment runs',
    terminal: false,
    alive: true,
    deployed: true,
    leased: false,
    listedByDefault: true,
    color: 'green',
  },
  finished: {
    meaning: 'the deployment completed, was stopped, or is gone',
    terminal: true,
    alive: false,
    deployed: true,
    leased: false,
    listedByDefault: false,
    color: 'dim',
  },
  failed: {
    meaning: 'the platform refused the create 3 times in a row, or the deployment\'s containers failed',
    terminal: true,
    alive: false,
    deployed: false,
    leased: false,
    listedByDefault: true,
    color: 'red',
  },
  cancelled: {
    meaning: 'cancelled while pending (by `queue cancel`, or a one-shot submit that gave up)',
    terminal: true,
    alive: false,
    deployed: false,
    leased: false,
    listedByDefault: false,
    color: 'dim',
  },
} as const satisfies Record<string, StateSpec>;

/** Life of a queue entry (see STATES). Only the worker (and `cancel` / `retry`) moves `state`. */
export type EntryState = keyof typeof STATES;

/** The operations that move an entry (the labels of the diagram). */
export type MoveOp =
  | 'add'
  | 'claim'
  | 'reclaim'
  | 'take_over'
  | 'send'
  | 'settle'
  | 'submitted'
  | 'submitted_late'
  | 'requeue'
  | 'fail'
  | 'follow_running'
  | 'follow_finished'
  | 'follow_failed'
  | 'missing'
  | 'cancel'
  | 'retry'
  | 'priority'
  | 'dependency_failed'
  | 'adopt'
  | 'resubmit';

export interface Transition {
  op: MoveOp;
  /** null: the entry is created in `to`. */
  from: EntryState | null;
  to: EntryState;
  /** Who makes it and when (for the docs). */
  when: string;
}

/**
 * Every move that happens, with its operation. A move to the same state (a note or fields
 * only: the send time, a settle hold, missing_since, an adopted account, the submit intent
 * cleared) is allowed in every state; the same-state rows here name the operations that make
 * one on purpose.
 */
export const TRANSITIONS: readonly Transition[] = [
  { op: 'add', from: null, to: 'pending', when: 'store.add (`queue add`, `sweep`, the one-shot submit)' },
  { op: 'claim', from: 'pending', to: 'submitting', when: 'store.claim: a worker takes a planned entry (attempts + 1, lease)' },
  { op: 'reclaim', from: 'submitting', to: 'submitting', when: 'store.claimStale: the lease expired, or it is this worker id\'s own (a restart)' },
  { op: 'take_over', from: 'submitting', to: 'submitting', when: 'a rerun of `autodl submit` takes the lease of a dead or expired owner' },
  { op: 'send', from: 'submitting', to: 'submitting', when: 'sent_at written before the create goes out (lease checked)' },
  { op: 'settle', from: 'submitting', to: 'submitting', when: 'create outcome unknown and not listed yet: held (owner `(settling)`) for the settle window' },
  { op: 'submitted', from: 'submitting', to: 'submitted', when: 'the create succeeded, or the deployment was found by its mark' },
  { op: 'submitted_late', from: 'pending', to: 'submitted', when: 'the create succeeded after the lease was lost and the entry put back (the deployment exists either way)' },
  { op: 'requeue', from: 'submitting', to: 'pending', when: 'not found by mark, a transient failure (429, refused, 5xx not applied), a refused create (< 3 in a row), or aborted before the create' },
  { op: 'fail', from: 'submitting', to: 'failed', when: 'the 3rd refused create in a row (submission_error details)' },
  { op: 'follow_running', from: 'submitted', to: 'running', when: 'the follow sees a container running' },
  { op: 'follow_finished', from: 'submitted', to: 'finished', when: 'the follow: a Job/Container finished (counts), or the deployment stopped' },
  { op: 'follow_finished', from: 'running', to: 'finished', when: 'the follow: a Job/Container finished (counts), or the deployment stopped' },
  { op: 'follow_failed', from: 'submitted', to: 'failed', when: 'the follow: containers failed and none are left to finish' },
  { op: 'follow_failed', from: 'running', to: 'failed', when: 'the follow: containers failed and none are left to finish' },
  { op: 'missing', from: 'submitted', to: 'finished', when: 'missing from the list for the grace period and not found by uuid' },
  { op: 'missing', from: 'running', to: 'finished', when: 'missing from the list for the grace period and not found by uuid' },
  { op: 'cancel', from: 'pending', to: 'cancelled', when: 'store.cancel (`queue cancel`, a one-shot submit that gives up)' },
  { op: 'retry', from: 'failed', to: 'pending', when: '`queue retry` (failure count reset)' },
  { op: 'retry', from: 'cancelled', to: 'pending', when: '`queue retry`' },
  { op: 'priority', from: 'pending', to: 'pending', when: '`queue priority`' },
  { op: 'adopt', from: null, to: 'submitted', when: 'store.adopt: a deployment made outside the queue put under a policy (`autodl ttl`)' },
  { op: 'dependency_failed', from: 'pending', to: 'failed', when: 'an `after` entry failed, was cancelled or is gone (issue 16; not with after_any)' },
  { op: 'resubmit', from: 'submitted', to: 'pending', when: 'the retry policy (issue 16): containers failed, or left unscheduled while the stock shows its cards (stopped first); retries + 1 and a fresh mark, in the same move, before any create' },
  { op: 'resubmit', from: 'running', to: 'pending', when: 'the retry policy (issue 16): containers failed (or on one host repeatedly); retries + 1 and a fresh mark, in the same move, before any create' },
];

function where(test: (s: StateSpec) => boolean): readonly EntryState[] {
  return Object.freeze(ENTRY_STATES.filter((s) => test(STATES[s])));
}

/** The states an operation moves entries out of. */
export function statesFrom(op: MoveOp): readonly EntryState[] {
  return Object.freeze(ENTRY_STATES.filter((s) => TRANSITIONS.some((t) => t.op === op && t.from === s)));
}

/** Every state, in the table's order. */
export const ENTRY_STATES: readonly EntryState[] = Object.freeze(Object.keys(STATES) as EntryState[]);
/** States whose deployment exists and (may) hold GPUs: they count against the queue's limits, and the worker follows them. */
export const ALIVE_STATES = where((s) => s.alive);
/** States that never change again (except an explicit retry of a failed or cancelled entry). */
export const TERMINAL_STATES = where((s) => s.terminal);
/** States not terminal: the ones a worker's tick reads (pending to plan, submitting and alive for the limits). */
export const OPEN_STATES = where((s) => !s.terminal);
/** Open states without a deployment yet: what `--drain` waits for. */
export const QUEUED_STATES = where((s) => !s.terminal && !s.alive);
/** States whose deployment was created and has not failed: the one-shot submit's success. */
export const DEPLOYED_STATES = where((s) => s.deployed);
/** An earlier one-shot submit in these states is taken up by a rerun (open, or deployed): all but the given-up ones. */
export const RESUMABLE_STATES = where((s) => !s.terminal || s.deployed);
/** States held under a lease. */
export const LEASED_STATES = where((s) => s.leased);
/** What `queue ls` shows without `--state` / `--all`. */
export const LISTED_BY_DEFAULT = where((s) => s.listedByDefault);
/** The state a new entry starts in. */
export const INITIAL_STATE: EntryState = TRANSITIONS.find((t) => t.op === 'add')!.to;
/** States a worker claims from. */
export const CLAIMABLE_STATES = statesFrom('claim');
/** States whose expired (or own) leases a worker takes over. */
export const RECLAIMABLE_STATES = statesFrom('reclaim');
/** States `queue cancel` moves. */
export const CANCELLABLE_STATES = statesFrom('cancel');
/** States `queue retry` moves back. */
export const RETRYABLE_STATES = statesFrom('retry');
/** States `queue priority` changes. */
export const REPRIORITISABLE_STATES = statesFrom('priority');
/** States the worker follows on the platform (their moves: follow_running, follow_finished, follow_failed, missing). */
export const FOLLOWED_STATES = Object.freeze(
  ENTRY_STATES.filter((s) => TRANSITIONS.some((t) => t.from === s && (t.op === 'follow_running' || t.op === 'follow_finished' || t.op === 'follow_failed' || t.op === 'missing'))),
);

/** Whether `s` is a state of the table (text from a database or a command line). */
export function isEntryState(s: unknown): s is EntryState {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(STATES, s);
}

/** Whether the table allows moving from `from` to `to` (a move to the same state always is). */
export function moveAllowed(from: EntryState, to: EntryState): boolean {
  if (!isEntryState(from) || !isEntryState(to)) return false;
  return from === to || TRANSITIONS.some((t) => t.from === from && t.to === to);
}

/** The states the table allows moving to from `from` (itself included). */
export function movesFrom(from: EntryState): readonly EntryState[] {
  return ENTRY_STATES.filter((to) => moveAllowed(from, to));
}

/**
 * Throws when the table does not allow `from` → `to`: a `validation_error` (the inherited
 * shape) with details { reason: 'transition_not_allowed', entry_id, from, to, allowed }.
 * Every store calls it before it changes anything, so a refused move writes nothing (no
 * row, no history). A refusal is a bug in the caller, never a platform outcome.
 */
export function assertMove(from: string, to: string, entryId?: string): void {
  if (isEntryState(from) && isEntryState(to) && moveAllowed(from, to)) return;
  const allowed = isEntryState(from) ? [...movesFrom(from)] : [];
  throw new AutodlError(
    'validation_error',
    `queue entry${entryId !== undefined ? ` ${entryId}` : ''}: ${from} → ${to} is not a transition of the queue's state machine (from ${from}: ${allowed.join(', ') || 'none'})`,
    { reason: 'transition_not_allowed', ...(entryId !== undefined ? { entry_id: entryId } : {}), from, to, allowed },
  );
}
