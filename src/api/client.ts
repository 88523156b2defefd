// AutodlClient: the typed SDK over every elastic-deployment endpoint.
// CONTRACT FILE: the public shape below is what the CLI and the queue code against.
// Implementation is owned by the SDK work (src/api); signatures may grow, not change.

import type {
  BlacklistBody,
  BlacklistEntry,
  Container,
  ContainerEvent,
  CreateDeploymentBody,
  CreateDeploymentResult,
  DdpOverview,
  Deployment,
  Dialect,
  EndpointName,
  ListContainersBody,
  ListDeploymentsBody,
  ListEventsBody,
  Page,
  PrivateImage,
  RegionStockBody,
  Stock,
  StopContainerBody,
  SystemImage,
  ContainerTemplateBase,
} from './types.js';

export interface ClientOptions {
  /** Developer token; sent raw in `Authorization`. Resolved by resolveCredentials() when omitted. */
  token?: string;
  /** Base URL, default https://private.autodl.com */
  host?: string;
  /** Default: from the host (api.autodl.com → public, anything else → private). */
  dialect?: Dialect;
  /** Per-request timeout, default 30000 ms. */
  timeoutMs?: number;
  /** Retries for safe calls (reads), default 3. Creates are never retried. */
  retries?: number;
  /** Injected fetch (tests of the transport alone). */
  fetch?: typeof fetch;
  /** Debug log sink; lines never contain the token. */
  debug?: (line: string) => void;
  /** Observes every HTTP attempt (for request counting / progress). */
  onRequest?: (info: { method: string; path: string; attempt: number }) => void;
}

export interface PageOptions {
  page_index?: number;
  page_size?: number;
  offset?: number;
}

/** A request as it would be sent, token redacted: what --dry-run prints. */
export interface PreparedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface FollowOptions {
  /** Poll interval, default 2000 ms. */
  intervalMs?: number;
  /** Start offset (events already seen), default 0. */
  offset?: number;
  deployment_container_uuid?: string;
  signal?: AbortSignal;
  /** Injected sleep (tests with a manual clock). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Body accepted by deployments.create: either CUDA form; converted to the client's dialect. */
export type AnyCreateBody = CreateDeploymentBody<
  ContainerTemplateBase & { cuda_v?: number; cuda_v_from?: number; cuda_v_to?: number; dc_list?: string[] }
>;

export declare class AutodlClient {
  constructor(options?: ClientOptions);
  readonly host: string;
  readonly dialect: Dialect;

  /** Build (not send) the request for an endpoint: for --dry-run. Token shown as "***". */
  prepare(endpoint: EndpointName, body?: unknown, query?: Record<string, string | number | undefined>): PreparedRequest;

  readonly images: {
    list(page?: PageOptions): Promise<Page<PrivateImage>>;
    listAll(pageSize?: number): AsyncIterable<PrivateImage>;
    listSystem(page?: PageOptions): Promise<Page<SystemImage>>;
    listAllSystem(pageSize?: number): AsyncIterable<SystemImage>;
  };
  readonly deployments: {
    /** Never retried. On a network error/timeout the ApiError has info.mayHaveApplied = true. */
    create(body: AnyCreateBody): Promise<CreateDeploymentResult>;
    list(filter?: Omit<ListDeploymentsBody, 'page_index' | 'page_size' | 'offset'>, page?: PageOptions): Promise<Page<Deployment>>;
    listAll(filter?: Omit<ListDeploymentsBody, 'page_index' | 'page_size' | 'offset'>, pageSize?: number): AsyncIterable<Deployment>;
    /** One deployment by uuid (list filtered by deployment_uuid), or undefined. */
    get(uuid: string): Promise<Deployment | undefined>;
    setReplicas(uuid: string, replicaNum: number): Promise<void>;
    stop(uuid: string): Promise<void>;
    delete(uuid: string): Promise<void>;
    ddpOverview(uuid: string): Promise<DdpOverview[]>;
  };
  readonly containers: {
    list(filter: Omit<ListContainersBody, 'page_index' | 'page_size' | 'offset'>, page?: PageOptions): Promise<Page<Container>>;
    listAll(filter: Omit<ListContainersBody, 'page_index' | 'page_size' | 'offset'>, pageSize?: number): AsyncIterable<Container>;
    stop(body: StopContainerBody): Promise<void>;
  };
  readonly events: {
    list(filter: Omit<ListEventsBody, 'page_index' | 'page_size' | 'offset'>, page?: PageOptions): Promise<Page<ContainerEvent>>;
    listAll(filter: Omit<ListEventsBody, 'page_index' | 'page_size' | 'offset'>, pageSize?: number): AsyncIterable<ContainerEvent>;
    /** Polls with a growing offset; yields each new event once; ends when signal aborts. */
    follow(deploymentUuid: string, options?: FollowOptions): AsyncIterable<ContainerEvent>;
  };
  readonly blacklist: {
    add(body: BlacklistBody): Promise<void>;
    list(): Promise<BlacklistEntry[]>;
  };
  readonly stock: {
    /** Global stock, normalized from either dialect's shape. */
    get(): Promise<Stock>;
    /** Region stock (public dialect): region_sign or dc_list. */
    region(body: RegionStockBody): Promise<Stock>;
  };
}
