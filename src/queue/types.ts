// Types shared by the queue store, planner, worker and submit engine.

import type { EntryPolicy, RetryCause } from './policies.js';
import type { BlacklistBody, Container, CreateDeploymentResult, Deployment, PrivateImage, Stock, SystemImage, CreateDeploymentBody } from '../api/types.js';

import type { EntryState } from './states.js';

// The states and their sets live in ./states.ts (the state machine as data); re-exported here
// for the modules that import them with the entry types.
export type { EntryState } from './states.js';
export { ENTRY_STATES, ALIVE_STATES, TERMINAL_STATES } from './states.js';

export interface QueueEntry {
  /** `q-` + 8 lowercase Crockford base32 characters. */
  id: string;
  /** The 8 characters of the id: the idempotency tag. */
  tag: string;
  /** Free label (a sweep or batch name), or null. */
  label: string | null;
  /** The normalized create body, with the user's own `name` (no secret is ever stored). */
  body: CreateDeploymentBody;
  /** The name actually sent to the platform: `<body.name>-q<tag>` — the idempotency mark. */
  deployment_name: string;
  /** Higher goes first. */
  priority: number;
  state: EntryState;
  /** Creates that may have been sent (counted when the entry is claimed). */
  attempts: number;
  /** Certain create failures in a row (reset by a success). */
  consecutive_failures: number;
  /** Redacted one-line description of the last error. */
  last_error: string | null;
  /** Redacted structured details of the last error (for `failed`: the submission_error details). */
  error_details: Record<string, unknown> | null;
  deployment_uuid: string | null;
  /** Epoch milliseconds. */
  created_at: number;
  updated_at: number;
  submitted_at: number | null;
  finished_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  /**
   * Whose entry this is: the account fingerprint (accountFingerprint(host, token): a truncated
   * SHA-256 of host and token, never the token), or null when it was added with no token at
   * hand — the first worker that claims it adopts it (issue 11).
   */
  account: string | null;
  /**
   * The one-shot submit's intent key (submitKeyFor(body, host, account)) while that submit has
   * not delivered its result: a rerun of an interrupted `autodl submit` finds its entry by it.
   * Null for queue entries and once the submit has reported.
   */
  submit_key: string | null;
  /**
   * When this attempt's create was (about to be) sent, on the store's clock, written BEFORE
   * the request goes out; null = no create sent since the entry was last pending. A worker
   * that finds the entry in `submitting` holds it until the settle window has passed since
   * this time before it may decide that the create did not happen.
   */
  sent_at: number | null;
  /** When the followed deployment was first missing from the deployment list (null = seen). */
  missing_since: number | null;
  /** Whose entry this is in a shared queue (fair shares); null = the default owner (issue 16). */
  owner: string | null;
  /** What the user declared: time limit, cost cap, dependencies (issue 16); null = none. */
  policy: EntryPolicy | null;
  /** What a policy did to this entry's deployment (stopped or warned, why, when); null = nothing. */
  enforced: EnforcedRecord | null;
  /**
   * Automatic resubmissions so far (the retry policy, issue 16): retry n creates under the mark
   * `<name>-q<tag>-r<n>` (deploymentNameFor), written with the move back to pending, before any
   * create of that run. Not `attempts` (creates that may have been sent, all runs together).
   */
  retries: number;
  /** Why each resubmission happened, oldest first (at most MAX_RETRY_LOG); null = none. */
  retry_log: RetryRecord[] | null;
}

/** One automatic resubmission, as recorded. */
export interface RetryRecord {
  /** The retry's number (1 = the first resubmission). */
  n: number;
  cause: RetryCause;
  detail: string;
  /** Epoch ms. */
  at: number;
  /** The deployment given up (stopped when it was still holding cards) and its mark. */
  deployment_uuid: string | null;
  deployment_name: string;
  /** Failed containers of that deployment per host (machine_id), where the containers say so. */
  failed_on?: Record<string, number> | undefined;
  /** Hosts blacklisted for this entry at this retry. */
  blacklisted?: string[] | undefined;
  /** What that deployment cost, estimated from its containers (as `autodl cost`), when they were read. */
  spent_yuan?: number | undefined;
  /** What it cost at most (its price ceiling over its run): used when its containers were not read. */
  spent_at_most?: number | undefined;
}

/** Most retry records kept per entry (the count in `retries` goes on). */
export const MAX_RETRY_LOG = 25;

/** A policy's action on an entry's deployment, as recorded. */
export interface EnforcedRecord {
  action: 'stop' | 'warn';
  reason: 'max_runtime' | 'max_cost' | 'budget';
  detail: string;
  /** Epoch ms. */
  at: number;
}

export interface NewEntry {
  body: CreateDeploymentBody;
  priority?: number | undefined;
  label?: string | null;
  /** The account fingerprint when the token is at hand (see QueueEntry.account). */
  account?: string | null;
  /** The one-shot submit's intent key (see QueueEntry.submit_key). */
  submit_key?: string | null;
  owner?: string | null | undefined;
  policy?: EntryPolicy | null | undefined;
}

export interface HistoryEvent {
  entry_id: string;
  /** Epoch milliseconds. */
  ts: number;
  from_state: EntryState | null;
  to_state: EntryState;
  note: string | null;
}

/** The narrow slice of the SDK (`AutodlClient`) the queue needs. `AutodlClient` satisfies it. */
export interface QueueApi {
  stock: { get(): Promise<Stock> };
  images: {
    listAll(pageSize?: number): AsyncIterable<PrivateImage>;
    /** Optional: base images also count as existing images. */
    listAllSystem?(pageSize?: number): AsyncIterable<SystemImage>;
  };
  deployments: {
    create(body: CreateDeploymentBody): Promise<CreateDeploymentResult>;
    listAll(filter?: { name?: string; status?: string; deployment_uuid?: string }, pageSize?: number): AsyncIterable<Deployment>;
    /** Stop a deployment (the policies' time limits and cost caps, issue 16). */
    stop?(uuid: string): Promise<void>;
  };
  /** A deployment's containers (their hosts and prices: retries that know why, issue 16). */
  containers?: { listAll(filter: { deployment_uuid: string }, pageSize?: number): AsyncIterable<Container> };
  /** Blacklist a container's host (retry.blacklist_hosts). */
  blacklist?: { add(body: BlacklistBody): Promise<void> };
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;
export type Now = () => number;
