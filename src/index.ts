// The package's public entry ('autodl-elastic'): the SDK (client, factory, operations, wire
// types, errors), the config pipeline, the queue's public API (open a queue, run a worker,
// submit, the entry and event types), watch/wait/cost helpers, notifications and the
// simulator. Store internals (the SQLite and PostgreSQL stores, migrations, row mappers,
// lease helpers) and test hooks are not exported: a queue is opened with openQueueStore().
// The emitted declarations (dist/types) must need no dev-only @types (test/package).
// The queue's names are taken from its files, not its barrel (src/queue/index.ts re-exports
// the stores, whose declarations name the drivers' types).

// ---- errors ----
export { AutodlError, ApiError, isAutodlError, exitCodeFor, EXIT, type ErrorType, type ErrorResult, type ApiErrorInfo, type ApiFailureKind } from './errors.js';

// ---- the SDK ----
export * from './api/types.js';
export {
  OPERATIONS,
  OPERATION_NAMES,
  SAFE_OPERATIONS,
  CHANGING_OPERATIONS,
  isSafeOperation,
  type Operations,
  type OperationName,
  type OperationSpec,
  type BodyOf,
  type ResultOf,
  type ChangingOperationName,
  type DdpOverviewQuery,
  type ListBlacklistQuery,
} from './api/operations.js';
export {
  AutodlClient,
  SAFE_ENDPOINTS,
  isSafeEndpoint,
  paginate,
  normalizePrivateImage,
  normalizeSystemImage,
  DEFAULT_PAGE_SIZE,
  DEFAULT_LIST_ALL_PAGE_SIZE,
  type ClientOptions,
  type ClientTokenSource,
  type PreparedRequest,
  type CallArgs,
  type CallOptions,
  type QueryInput,
  type PageOptions,
  type FollowOptions,
  type Filter,
} from './api/client.js';
export type { Images, Deployments, Containers, Events, Blacklist, StockResource } from './api/resources/index.js';
export { dialectForHost, isDialect, toDialectBody, normalizeStock, highestCudaAtLeast, PUBLIC_HOSTNAMES } from './api/dialect.js';
export { EventStream, chronologicalEvents, sortEventsOldestFirst, detectOrder, eventKey, eventTime, type EventOrder, type EventStreamOptions, type FetchEventPage, type EventPageRequest } from './api/events.js';
export { isLoopbackHostname, normalizeHost, buildUrl, DEFAULT_TIMEOUT_MS, DEFAULT_RETRIES, type TransportTuning, type HttpMethod, type SleepFn } from './api/transport.js';
export { redact, redactDeep, redactor, REDACTED } from './api/redact.js';

// ---- credentials: the client from the environment ----
export { createClient, clientFromEnvironment, type CreateClientOptions } from './credentials/factory.js';
export {
  resolveCredentials,
  tokenHostProblem,
  tokenMissingError,
  requireToken,
  readUserConfig,
  writeUserConfig,
  userConfigPath,
  parseDotenv,
  hostOrigin,
  DEFAULT_HOST,
  type ResolvedCredentials,
  type ResolveOptions,
  type UserConfig,
  type TokenSource,
  type HostSource,
  type Env,
} from './credentials/credentials.js';

// ---- the config pipeline ----
export * from './pipeline/index.js';

// ---- the queue ----
export { ENTRY_STATES, ALIVE_STATES, TERMINAL_STATES, type EntryState, type QueueEntry, type NewEntry, type HistoryEvent, type QueueApi } from './queue/types.js';
export { makeEntry, type QueueStore, type ListFilter } from './queue/store.js';
export { openQueueStore, type OpenQueueOptions } from './queue/open.js';
export { runWorker, type WorkerOptions, type WorkerSummary } from './queue/worker.js';
export { submitAndWait, type SubmitOptions, type SubmitResult, type SubmitProgress } from './queue/submit.js';
export type { QueueEvent } from './queue/submitter.js';
export { cancelEntry, retryEntry, setPriority, previewPlan } from './queue/ops.js';
export { plan, demandOf, type Plan, type PlanLimits, type Decision, type CreateDecision, type WaitDecision, type WaitReason, type Demand } from './queue/planner.js';
export { accountFingerprint } from './queue/account.js';
export { defaultWorkerId } from './queue/ids.js';

// ---- watch, wait and cost; notifications ----
export * from './watch/index.js';
export * from './notify/index.js';
export { sleep } from './util/sleep.js';

// ---- the simulator ----
export { startSimulator, runSimCommand, DEMO_TOKEN, DEMO_IMAGE_UUID, World, type SimOptions, type Simulator } from './sim/index.js';
