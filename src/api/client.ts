// AutodlClient: the typed SDK over every elastic-deployment endpoint.
// CONTRACT FILE: the public shape below is what the CLI and the queue code against.
// Implementation is owned by the SDK work (src/api); signatures may grow, not change.

import { sleep } from '../util/sleep.js';
import { ApiError, type ApiErrorInfo } from '../errors.js';
import { resolveCredentials, tokenHostProblem, tokenMissingError, type ResolveOptions } from '../credentials/credentials.js';
import { dialectForHost, normalizeStock, toDialectBody } from './dialect.js';
import { EventStream } from './events.js';
import { normalizeHost, Transport, type HttpMethod, type Query, type SleepFn, type TransportTuning } from './transport.js';
import { PRIVATE_HOST, ENDPOINTS } from './types.js';
import type {
  Envelope,
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

export interface ClientOptions extends TransportTuning {
  /** Developer token; sent raw in `Authorization`. Resolved by resolveCredentials() when omitted. */
  token?: string | undefined;
  /** Base URL, default https://private.autodl.com */
  host?: string;
  /** Default: from the host (api.autodl.com → public, anything else → private). */
  dialect?: Dialect;
  /** Where resolveCredentials() looks when token is omitted (default: process.env, process.cwd()). */
  credentials?: ResolveOptions;
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
  /** Events already seen: the oldest `offset` events are skipped (whatever the server's order), default 0. */
  offset?: number;
  deployment_container_uuid?: string;
  signal?: AbortSignal;
  /** Injected sleep (tests with a manual clock). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Endpoints that are safe to retry (reads; the POST list/stock endpoints too). */
export const SAFE_ENDPOINTS: ReadonlySet<EndpointName> = new Set<EndpointName>([
  'listPrivateImages',
  'listDeployments',
  'listEvents',
  'listContainers',
  'listBlacklist',
  'gpuStock',
  'regionGpuStock',
  'listSystemImages',
  'ddpOverview',
]);

export function isSafeEndpoint(endpoint: EndpointName): boolean {
  return SAFE_ENDPOINTS.has(endpoint);
}

export const DEFAULT_PAGE_SIZE = 20;
export const DEFAULT_LIST_ALL_PAGE_SIZE = 100;
/** A hard stop for listAll against a server whose max_page never ends. */
const MAX_PAGES = 100_000;

type Filter<T> = Omit<T, 'page_index' | 'page_size' | 'offset'>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function int(v: unknown, fallback: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}

function toQuery(v: unknown): Query {
  const q: Query = {};
  if (!isRecord(v)) return q;
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined || x === null) continue;
    q[k] = typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' ? x : JSON.stringify(x);
  }
  return q;
}

/** Iterate every item of a paged list: pages 1, 2, … until max_page or an empty page. */
export async function* paginate<T>(fetchPage: (page: PageOptions) => Promise<Page<T>>, pageSize: number = DEFAULT_LIST_ALL_PAGE_SIZE): AsyncGenerator<T> {
  const size = Math.max(1, Math.floor(pageSize));
  for (let index = 1; index <= MAX_PAGES; index++) {
    const p = await fetchPage({ page_index: index, page_size: size });
    // a server that ignores paging answers page 1 again: stop rather than walk a lying max_page
    if (index > 1 && p.page_index !== index) return;
    for (const item of p.list) yield item;
    if (p.list.length === 0) return;
    if (p.max_page > 0) {
      if (index >= p.max_page) return;
    } else if (p.list.length < size) {
      return;
    }
  }
}

export class AutodlClient {
  readonly host: string;
  readonly dialect: Dialect;
  readonly images: {
    list(page?: PageOptions): Promise<Page<PrivateImage>>;
    listAll(pageSize?: number): AsyncIterable<PrivateImage>;
    listSystem(page?: PageOptions): Promise<Page<SystemImage>>;
    listAllSystem(pageSize?: number): AsyncIterable<SystemImage>;
  };
  readonly deployments: {
    /** Never retried. On a network error/timeout the ApiError has info.mayHaveApplied = true. */
    create(body: CreateDeploymentBody): Promise<CreateDeploymentResult>;
    list(filter?: Filter<ListDeploymentsBody>, page?: PageOptions): Promise<Page<Deployment>>;
    listAll(filter?: Filter<ListDeploymentsBody>, pageSize?: number): AsyncIterable<Deployment>;
    /** One deployment by uuid (list filtered by deployment_uuid), or undefined. */
    get(uuid: string): Promise<Deployment | undefined>;
    setReplicas(uuid: string, replicaNum: number): Promise<void>;
    stop(uuid: string): Promise<void>;
    delete(uuid: string): Promise<void>;
    ddpOverview(uuid: string): Promise<DdpOverview[]>;
  };
  readonly containers: {
    list(filter: Filter<ListContainersBody>, page?: PageOptions): Promise<Page<Container>>;
    listAll(filter: Filter<ListContainersBody>, pageSize?: number): AsyncIterable<Container>;
    stop(body: StopContainerBody): Promise<void>;
  };
  readonly events: {
    list(filter: Filter<ListEventsBody>, page?: PageOptions): Promise<Page<ContainerEvent>>;
    listAll(filter: Filter<ListEventsBody>, pageSize?: number): AsyncIterable<ContainerEvent>;
    /** Polls the event list in whatever order the server keeps it (./events.ts): yields each new event once, oldest first; ends when signal aborts. */
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

  /** Where the token came from when it was resolved (undefined when passed in). */
  readonly tokenSource: 'option' | 'env' | 'dotenv' | 'user_config' | undefined;

  private readonly transport: Transport;

  constructor(options: ClientOptions = {}) {
    let token = options.token;
    let host = options.host;
    let dialect = options.dialect;
    let searched: string[] = [];
    let tokenSource: AutodlClient['tokenSource'] = token !== undefined ? 'option' : undefined;
    let refused: ReturnType<typeof tokenHostProblem>;
    if (token === undefined) {
      const r = resolveCredentials(options.credentials);
      // a token found in the environment/.env/config goes only to the host it belongs to
      refused = tokenHostProblem(r, options.host);
      token = refused ? undefined : r.token;
      tokenSource = refused ? undefined : r.tokenSource;
      searched = r.searched;
      host ??= r.host;
      dialect ??= r.dialect;
    }
    this.host = normalizeHost(host ?? PRIVATE_HOST);
    this.dialect = dialect ?? dialectForHost(this.host);
    this.tokenSource = tokenSource;
    const { token: _token, host: _host, dialect: _dialect, credentials: _credentials, ...tuning } = options;
    this.transport = new Transport({
      ...tuning,
      host: this.host,
      missingToken: () => refused ?? tokenMissingError(searched),
      ...(token !== undefined ? { token } : {}),
    });

    const pageBody = (page: PageOptions | undefined, defSize = DEFAULT_PAGE_SIZE) => {
      const b: PageOptions = { page_index: page?.page_index ?? 1, page_size: page?.page_size ?? defSize };
      if (page?.offset !== undefined) b.offset = page.offset;
      return b;
    };

    const listImages = async (page?: PageOptions) =>
      this.page<PrivateImage>('listPrivateImages', pageBody(page), undefined, normalizePrivateImage);
    const listSystem = async (page?: PageOptions) => this.page<SystemImage>('listSystemImages', pageBody(page), undefined, normalizeSystemImage);
    this.images = {
      list: listImages,
      listAll: (pageSize) => paginate(listImages, pageSize),
      listSystem,
      listAllSystem: (pageSize) => paginate(listSystem, pageSize),
    };

    const listDeployments = (filter: Filter<ListDeploymentsBody> = {}, page?: PageOptions) =>
      this.page<Deployment>('listDeployments', { ...filter, ...pageBody(page) });
    this.deployments = {
      create: async (body) => {
        const { envelope } = await this.call('createDeployment', body);
        const data = envelope.data;
        const uuid = typeof data === 'string' ? data : isRecord(data) ? data.deployment_uuid : undefined;
        if (typeof uuid !== 'string' || uuid === '') {
          throw this.shapeError('createDeployment', 'reply has no data.deployment_uuid', envelope, true);
        }
        return { deployment_uuid: uuid };
      },
      list: listDeployments,
      listAll: (filter = {}, pageSize) => paginate((p) => listDeployments(filter, p), pageSize),
      get: async (uuid) => {
        const p = await listDeployments({ deployment_uuid: uuid }, { page_index: 1, page_size: 10 });
        const hit = p.list.find((d) => isRecord(d) && d.uuid === uuid);
        if (hit || p.list.length === 0 || p.max_page <= 1) return hit;
        // the server ignored the filter: scan
        for await (const d of paginate((pg) => listDeployments({ deployment_uuid: uuid }, pg))) {
          if (isRecord(d) && d.uuid === uuid) return d;
        }
        return undefined;
      },
      setReplicas: async (uuid, replicaNum) => {
        await this.call('setReplicas', { deployment_uuid: uuid, replica_num: replicaNum });
      },
      stop: async (uuid) => {
        await this.call('operateDeployment', { deployment_uuid: uuid, operate: 'stop' });
      },
      delete: async (uuid) => {
        await this.call('deleteDeployment', { deployment_uuid: uuid });
      },
      ddpOverview: async (uuid) => {
        const { envelope } = await this.call('ddpOverview', undefined, { deployment_uuid: uuid });
        return this.array<DdpOverview>('ddpOverview', envelope);
      },
    };

    const listContainers = (filter: Filter<ListContainersBody>, page?: PageOptions) =>
      this.page<Container>('listContainers', { ...filter, ...pageBody(page) });
    this.containers = {
      list: listContainers,
      listAll: (filter, pageSize) => paginate((p) => listContainers(filter, p), pageSize),
      stop: async (body) => {
        await this.call('stopContainer', body);
      },
    };

    const listEvents = (filter: Filter<ListEventsBody>, page?: PageOptions, signal?: AbortSignal) =>
      this.page<ContainerEvent>('listEvents', { ...filter, ...pageBody(page) }, signal);
    const follow = async function* (deploymentUuid: string, o: FollowOptions = {}): AsyncGenerator<ContainerEvent> {
      const interval = o.intervalMs ?? 2000;
      const pause = o.sleep ?? sleep;
      const filter: Filter<ListEventsBody> = { deployment_uuid: deploymentUuid };
      if (o.deployment_container_uuid !== undefined) filter.deployment_container_uuid = o.deployment_container_uuid;
      // any order, each event once, oldest first within a poll (./events.ts)
      const stream = new EventStream((page) => listEvents(filter, page, o.signal), { pageSize: DEFAULT_LIST_ALL_PAGE_SIZE });
      let skip = Math.max(0, Math.floor(o.offset ?? 0));
      while (!o.signal?.aborted) {
        let fresh: ContainerEvent[];
        try {
          fresh = skip > 0 ? await stream.skipOldest(skip) : await stream.poll(o.signal);
          skip = 0;
        } catch (e) {
          if (o.signal?.aborted) return;
          throw e;
        }
        for (const ev of fresh) {
          yield ev;
          if (o.signal?.aborted) return;
        }
        try {
          await pause(interval, o.signal);
        } catch (e) {
          if (o.signal?.aborted) return;
          throw e;
        }
      }
    };
    this.events = {
      list: (filter, page) => listEvents(filter, page),
      listAll: (filter, pageSize) => paginate((p) => listEvents(filter, p), pageSize),
      follow,
    };

    this.blacklist = {
      add: async (body) => {
        await this.call('addBlacklist', body);
      },
      list: async () => {
        // documented as a plain list; if a server pages it, fetch the remaining pages too
        const { envelope } = await this.call('listBlacklist');
        const out = this.array<BlacklistEntry>('listBlacklist', envelope);
        const d = envelope.data;
        if (isRecord(d) && Array.isArray(d.list) && d.list.length > 0) {
          const maxPage = int(d.max_page, 1);
          const size = int(d.page_size, d.list.length);
          for (let i = int(d.page_index, 1) + 1; i <= Math.min(maxPage, MAX_PAGES); i++) {
            const next = await this.call('listBlacklist', undefined, { page_index: i, page_size: size });
            const nd = next.envelope.data;
            // a server that ignores paging answers page 1 again: stop rather than walk a lying max_page
            if (isRecord(nd) && int(nd.page_index, i) !== i) break;
            const items = this.array<BlacklistEntry>('listBlacklist', next.envelope);
            if (items.length === 0) break;
            out.push(...items);
          }
        }
        return out;
      },
    };

    this.stock = {
      get: async () => {
        const { envelope } = await this.call('gpuStock');
        return this.stockOf('gpuStock', envelope);
      },
      region: async (body) => {
        const { envelope } = await this.call('regionGpuStock', body);
        return this.stockOf('regionGpuStock', envelope);
      },
    };
  }

  /**
   * The server's clock now, from the Date header of the last reply (1 s resolution), or
   * this machine's clock before any reply. Age and cost use it, so a skewed local clock
   * (or a simulator running faster than real time) does not distort them.
   */
  serverNow(): number {
    return this.transport.serverNow() ?? Date.now();
  }

  /** Build (not send) the request for an endpoint: for --dry-run. Token shown as "***". */
  prepare(endpoint: EndpointName, body?: unknown, query?: Record<string, string | number | undefined>): PreparedRequest {
    const r = this.build(endpoint, body, query);
    const out: PreparedRequest = {
      method: r.method,
      url: this.transport.url(r.path, r.query),
      headers: { Authorization: '***', 'Content-Type': 'application/json' },
    };
    if (r.body !== undefined) out.body = r.body;
    return out;
  }

  /** Send one request to an endpoint and return the Success envelope (low level; resources wrap this). */
  async call(
    endpoint: EndpointName,
    body?: unknown,
    query?: Record<string, string | number | undefined>,
    signal?: AbortSignal,
  ): Promise<{ envelope: Envelope<unknown>; attempts: number }> {
    const r = this.build(endpoint, body, query);
    const spec: Parameters<Transport['request']>[0] = { method: r.method, path: r.path, safe: isSafeEndpoint(endpoint) };
    if (r.query) spec.query = r.query;
    if (r.body !== undefined) spec.body = r.body;
    if (signal) spec.signal = signal;
    const res = await this.transport.request(spec);
    return { envelope: res.envelope, attempts: res.attempts };
  }

  private build(
    endpoint: EndpointName,
    body: unknown,
    query: Record<string, string | number | undefined> | undefined,
  ): { method: HttpMethod; path: string; body?: unknown; query?: Query } {
    const ep = ENDPOINTS[endpoint];
    const method = ep.method as HttpMethod;
    let b = body;
    if (endpoint === 'createDeployment' && isRecord(body)) b = toDialectBody(body as unknown as CreateDeploymentBody, this.dialect);
    let q: Query | undefined = query ? { ...query } : undefined;
    if (method === 'GET') {
      // never a GET body: its fields go to the query string
      if (b !== undefined) q = { ...toQuery(b), ...(q ?? {}) };
      b = undefined;
    }
    const out: { method: HttpMethod; path: string; body?: unknown; query?: Query } = { method, path: ep.path };
    if (b !== undefined) out.body = b;
    if (q && Object.keys(q).length > 0) out.query = q;
    return out;
  }

  private shapeError(endpoint: EndpointName, what: string, envelope: Envelope<unknown>, mayHaveApplied?: boolean): ApiError {
    const ep = ENDPOINTS[endpoint];
    const info: ApiErrorInfo = { kind: 'envelope', method: ep.method, path: ep.path, code: envelope.code };
    if (typeof envelope.msg === 'string' && envelope.msg !== '') info.msg = this.transport.redact(envelope.msg);
    if (typeof envelope.request_id === 'string') info.requestId = this.transport.redact(envelope.request_id);
    if (mayHaveApplied !== undefined) info.mayHaveApplied = mayHaveApplied;
    return new ApiError(`unexpected reply from ${ep.method} ${ep.path}: ${what}`, info);
  }

  private async page<T>(
    endpoint: EndpointName,
    body: PageOptions & object,
    signal?: AbortSignal,
    mapItem?: (item: unknown) => T,
  ): Promise<Page<T>> {
    const { envelope } = await this.call(endpoint, body, undefined, signal);
    const d = envelope.data;
    if (!isRecord(d)) {
      throw this.shapeError(endpoint, d === undefined || d === null ? 'Success reply without data' : 'data is not a page object', envelope);
    }
    const raw = Array.isArray(d.list) ? d.list : [];
    const list = (mapItem ? raw.map(mapItem) : raw) as T[];
    const pageSize = int(d.page_size, body.page_size ?? DEFAULT_PAGE_SIZE);
    const total = int(d.result_total, list.length);
    return {
      list,
      page_index: int(d.page_index, body.page_index ?? 1),
      page_size: pageSize,
      offset: int(d.offset, body.offset ?? 0),
      max_page: int(d.max_page, pageSize > 0 ? Math.ceil(total / pageSize) : 0),
      result_total: total,
    };
  }

  /** A list reply that may be an array, a page object, or null (Go's nil slice) → array. */
  private array<T>(endpoint: EndpointName, envelope: Envelope<unknown>): T[] {
    const d = envelope.data;
    if (d === undefined || d === null) return [];
    if (Array.isArray(d)) return d as T[];
    if (isRecord(d)) {
      if (Array.isArray(d.list)) return d.list as T[];
      if (d.list === null || d.list === undefined) return [];
    }
    throw this.shapeError(endpoint, 'data is not a list', envelope);
  }

  private stockOf(endpoint: EndpointName, envelope: Envelope<unknown>): Stock {
    const d = envelope.data;
    if (d === undefined || d === null) throw this.shapeError(endpoint, 'Success reply without data', envelope);
    if (typeof d !== 'object') throw this.shapeError(endpoint, 'stock data is neither an object nor a list', envelope);
    return normalizeStock(d);
  }
}

/**
 * A private image item → both `name` and `image_name` (the public host sends image_name only,
 * the private cloud name only; recorded). Other fields are kept as they are; `status` may be absent.
 */
export function normalizePrivateImage(item: unknown): PrivateImage {
  if (!isRecord(item)) return item as PrivateImage;
  const name = typeof item.name === 'string' ? item.name : typeof item.image_name === 'string' ? item.image_name : undefined;
  if (name === undefined) return item as unknown as PrivateImage;
  return { ...item, name, image_name: typeof item.image_name === 'string' ? item.image_name : name } as unknown as PrivateImage;
}

/** A system image item → `name` from `image_name` when only that is given; no `id` needed (the private cloud sends none). */
export function normalizeSystemImage(item: unknown): SystemImage {
  if (!isRecord(item)) return item as SystemImage;
  if (typeof item.name !== 'string' && typeof item.image_name === 'string') return { ...item, name: item.image_name } as unknown as SystemImage;
  return item as unknown as SystemImage;
}
