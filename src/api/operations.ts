// Every endpoint of AutoDL's elastic-deployment API, once: its number in the API notes
// (../shared/autodl-api.md), method, path, whether it is safe to retry and whether it
// changes anything (OPERATIONS), and its body and result types (Operations). The client's
// `call`/`prepareCall`, the transport's retry decision (`safe`), the simulator's handler
// table and the reliability tables all key on these names.
//
// Adding an endpoint: one entry in OPERATIONS and one in Operations (the compiler holds the
// two to the same names), one decoder in ./requester.ts (a Record over the names: the
// compiler asks for it), then a resource method in ./resources/.

import type { HttpMethod } from './transport.js';
import type {
  BlacklistBody,
  BlacklistEntry,
  Container,
  ContainerEvent,
  CreateDeploymentBody,
  CreateDeploymentResult,
  DdpOverview,
  DeleteDeploymentBody,
  Deployment,
  ListContainersBody,
  ListDeploymentsBody,
  ListEventsBody,
  OperateDeploymentBody,
  Page,
  PageRequest,
  PrivateImage,
  RegionStockBody,
  SetReplicasBody,
  Stock,
  StopContainerBody,
  SystemImage,
} from './types.js';

/** The query of `GET …/deployment/ddp/overview`. */
export interface DdpOverviewQuery {
  deployment_uuid: string;
}

/** `GET …/deployment/blacklist` is documented unpaged; a server that pages it is asked page by page. */
export interface ListBlacklistQuery {
  page_index?: number;
  page_size?: number;
}

/**
 * Body and result of each operation, as the SDK sends and returns them. `body` is what the
 * caller gives (for a GET it becomes the query string; for createDeployment either CUDA form,
 * converted to the client's dialect); `result` is the decoded reply (`void` for the changes).
 */
export interface Operations {
  listPrivateImages: { body: PageRequest; result: Page<PrivateImage> };
  createDeployment: { body: CreateDeploymentBody; result: CreateDeploymentResult };
  listDeployments: { body: ListDeploymentsBody; result: Page<Deployment> };
  listEvents: { body: ListEventsBody; result: Page<ContainerEvent> };
  listContainers: { body: ListContainersBody; result: Page<Container> };
  stopContainer: { body: StopContainerBody; result: void };
  setReplicas: { body: SetReplicasBody; result: void };
  operateDeployment: { body: OperateDeploymentBody; result: void };
  deleteDeployment: { body: DeleteDeploymentBody; result: void };
  addBlacklist: { body: BlacklistBody; result: void };
  /** one reply's entries (AutodlClient.blacklist.list() fetches any further pages) */
  listBlacklist: { body: ListBlacklistQuery | undefined; result: BlacklistEntry[] };
  gpuStock: { body: undefined; result: Stock };
  regionGpuStock: { body: RegionStockBody; result: Stock };
  listSystemImages: { body: PageRequest; result: Page<SystemImage> };
  ddpOverview: { body: DdpOverviewQuery; result: DdpOverview[] };
}

export type OperationName = keyof Operations;
export type BodyOf<N extends OperationName> = Operations[N]['body'];
export type ResultOf<N extends OperationName> = Operations[N]['result'];

export interface OperationSpec {
  /** number in the API notes */
  readonly n: number;
  readonly method: HttpMethod;
  readonly path: string;
  /** Retried on a retryable failure (reads, the POST list/stock endpoints too). Never a change. */
  readonly safe: boolean;
  /** Changes the account's state (create, stop, scale, delete, blacklist): can be prepared and previewed. */
  readonly changes: boolean;
}

/** The runtime half of the table. */
export const OPERATIONS = {
  listPrivateImages: { n: 1, method: 'POST', path: '/api/v1/dev/image/private/list', safe: true, changes: false },
  createDeployment: { n: 2, method: 'POST', path: '/api/v1/dev/deployment', safe: false, changes: true },
  listDeployments: { n: 3, method: 'POST', path: '/api/v1/dev/deployment/list', safe: true, changes: false },
  listEvents: { n: 4, method: 'POST', path: '/api/v1/dev/deployment/container/event/list', safe: true, changes: false },
  listContainers: { n: 5, method: 'POST', path: '/api/v1/dev/deployment/container/list', safe: true, changes: false },
  stopContainer: { n: 6, method: 'PUT', path: '/api/v1/dev/deployment/container/stop', safe: false, changes: true },
  setReplicas: { n: 7, method: 'PUT', path: '/api/v1/dev/deployment/replica_num', safe: false, changes: true },
  operateDeployment: { n: 8, method: 'PUT', path: '/api/v1/dev/deployment/operate', safe: false, changes: true },
  deleteDeployment: { n: 9, method: 'DELETE', path: '/api/v1/dev/deployment', safe: false, changes: true },
  addBlacklist: { n: 10, method: 'POST', path: '/api/v1/dev/deployment/blacklist', safe: false, changes: true },
  listBlacklist: { n: 11, method: 'GET', path: '/api/v1/dev/deployment/blacklist', safe: true, changes: false },
  gpuStock: { n: 12, method: 'GET', path: '/api/v1/dev/machine/gpu_stock', safe: true, changes: false },
  regionGpuStock: { n: 13, method: 'POST', path: '/api/v1/dev/machine/region/gpu_stock', safe: true, changes: false },
  listSystemImages: { n: 14, method: 'POST', path: '/api/v2/image/list', safe: true, changes: false },
  ddpOverview: { n: 15, method: 'GET', path: '/api/v1/dev/deployment/ddp/overview', safe: true, changes: false },
} as const satisfies { readonly [N in OperationName]: OperationSpec };

// the two halves name the same operations (an extra key in OPERATIONS fails the `satisfies`
// above; one missing from it fails there too)
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
const sameKeys: SameKeys<typeof OPERATIONS, Operations> = true;
void sameKeys;

export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

/** Operations that are safe to retry: derived from the table. */
export const SAFE_OPERATIONS: ReadonlySet<OperationName> = new Set(OPERATION_NAMES.filter((n) => OPERATIONS[n].safe));

/** Operations that change state (each can be prepared: ./client.ts prepare, and the resources' `prepare`). */
export const CHANGING_OPERATIONS: ReadonlySet<OperationName> = new Set(OPERATION_NAMES.filter((n) => OPERATIONS[n].changes));

export function isSafeOperation(name: OperationName): boolean {
  return OPERATIONS[name].safe;
}

export type ChangingOperationName = {
  [N in OperationName]: (typeof OPERATIONS)[N]['changes'] extends true ? N : never;
}[OperationName];
