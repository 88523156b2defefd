// The one requester under every resource: builds an operation's request from the table
// (./operations.ts), converts the create body to the client's dialect, sends it through the
// transport (retrying only what the table calls safe) and decodes the reply per operation.
// `prepare` builds the very same request without sending it (token shown as ***).

import { ApiError, type ApiErrorInfo } from '../errors.js';
import { normalizeStock, toDialectBody } from './dialect.js';
import { OPERATIONS, type BodyOf, type OperationName, type ResultOf } from './operations.js';
import type { HttpMethod, Query, Transport } from './transport.js';
import type { CreateDeploymentBody, DdpOverview, Dialect, Envelope, Page, PrivateImage, Stock, SystemImage, BlacklistEntry } from './types.js';

/** A request as it would be sent, token redacted: what --dry-run prints. */
export interface PreparedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export type QueryInput = Record<string, string | number | undefined>;

export interface SendOptions {
  /** Extra query parameters (merged after a GET body's fields). */
  query?: QueryInput | undefined;
  signal?: AbortSignal | undefined;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
}

/** `call(name, body?, options?)` when the body may be omitted, `call(name, body, options?)` otherwise. */
export type CallArgs<N extends OperationName> = undefined extends BodyOf<N>
  ? [body?: BodyOf<N>, options?: CallOptions]
  : [body: BodyOf<N>, options?: CallOptions];

/** The built request: method, path, the body as sent (dialect-converted; none for a GET), the query. */
export interface BuiltRequest {
  method: HttpMethod;
  path: string;
  body?: unknown;
  query?: Query;
}

export const DEFAULT_PAGE_SIZE = 20;
/** A hard stop for listAll (and the blacklist's pages) against a server whose max_page never ends. */
export const MAX_PAGES = 100_000;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function int(v: unknown, fallback: number): number {
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

type Decoder<N extends OperationName> = (r: Requester, envelope: Envelope<unknown>, body: BodyOf<N>) => ResultOf<N>;

const none = (): void => undefined;

/** How each operation's Success reply becomes its result (a Record over the names: a new operation needs one). */
const DECODERS: { [N in OperationName]: Decoder<N> } = {
  listPrivateImages: (r, e, b) => r.page('listPrivateImages', e, b, normalizePrivateImage),
  createDeployment: (r, e) => {
    const data = e.data;
    const uuid = typeof data === 'string' ? data : isRecord(data) ? data.deployment_uuid : undefined;
    if (typeof uuid !== 'string' || uuid === '') throw r.shapeError('createDeployment', 'reply has no data.deployment_uuid', e, true);
    return { deployment_uuid: uuid };
  },
  listDeployments: (r, e, b) => r.page('listDeployments', e, b),
  listEvents: (r, e, b) => r.page('listEvents', e, b),
  listContainers: (r, e, b) => r.page('listContainers', e, b),
  stopContainer: none,
  setReplicas: none,
  operateDeployment: none,
  deleteDeployment: none,
  addBlacklist: none,
  listBlacklist: (r, e) => r.array<BlacklistEntry>('listBlacklist', e),
  gpuStock: (r, e) => r.stock('gpuStock', e),
  regionGpuStock: (r, e) => r.stock('regionGpuStock', e),
  listSystemImages: (r, e, b) => r.page('listSystemImages', e, b, normalizeSystemImage),
  ddpOverview: (r, e) => r.array<DdpOverview>('ddpOverview', e),
};

export class Requester {
  constructor(
    private readonly transport: Transport,
    readonly dialect: Dialect,
  ) {}

  /** The request for an operation, as it would be sent. */
  build(name: OperationName, body: unknown, query?: QueryInput): BuiltRequest {
    const op = OPERATIONS[name];
    const method = op.method;
    let b = body;
    if (name === 'createDeployment' && isRecord(body)) b = toDialectBody(body as unknown as CreateDeploymentBody, this.dialect);
    let q: Query | undefined = query ? { ...query } : undefined;
    if (method === 'GET') {
      // never a GET body: its fields go to the query string
      if (b !== undefined) q = { ...toQuery(b), ...(q ?? {}) };
      b = undefined;
    }
    const out: BuiltRequest = { method, path: op.path };
    if (b !== undefined) out.body = b;
    if (q && Object.keys(q).length > 0) out.query = q;
    return out;
  }

  /** Build (not send) the request for an operation. Token shown as "***". */
  prepare(name: OperationName, body?: unknown, query?: QueryInput): PreparedRequest {
    const r = this.build(name, body, query);
    const out: PreparedRequest = {
      method: r.method,
      url: this.transport.url(r.path, r.query),
      headers: { Authorization: '***', 'Content-Type': 'application/json' },
    };
    if (r.body !== undefined) out.body = r.body;
    return out;
  }

  /** Send one request and return the Success envelope (retried only when the table says safe). */
  async send(name: OperationName, body?: unknown, options: SendOptions = {}): Promise<{ envelope: Envelope<unknown>; attempts: number }> {
    const r = this.build(name, body, options.query);
    const spec: Parameters<Transport['request']>[0] = { method: r.method, path: r.path, safe: OPERATIONS[name].safe };
    if (r.query) spec.query = r.query;
    if (r.body !== undefined) spec.body = r.body;
    if (options.signal) spec.signal = options.signal;
    const res = await this.transport.request(spec);
    return { envelope: res.envelope, attempts: res.attempts };
  }

  /** Send and decode: the operation's typed result. */
  async call<N extends OperationName>(name: N, body: BodyOf<N>, options: CallOptions = {}): Promise<ResultOf<N>> {
    const { envelope } = await this.send(name, body, { signal: options.signal });
    return this.decode(name, envelope, body);
  }

  decode<N extends OperationName>(name: N, envelope: Envelope<unknown>, body: BodyOf<N>): ResultOf<N> {
    return (DECODERS[name] as Decoder<N>)(this, envelope, body);
  }

  shapeError(name: OperationName, what: string, envelope: Envelope<unknown>, mayHaveApplied?: boolean): ApiError {
    const op = OPERATIONS[name];
    const info: ApiErrorInfo = { kind: 'envelope', method: op.method, path: op.path, code: envelope.code };
    if (typeof envelope.msg === 'string' && envelope.msg !== '') info.msg = this.transport.redact(envelope.msg);
    if (typeof envelope.request_id === 'string') info.requestId = this.transport.redact(envelope.request_id);
    if (mayHaveApplied !== undefined) info.mayHaveApplied = mayHaveApplied;
    return new ApiError(`unexpected reply from ${op.method} ${op.path}: ${what}`, info);
  }

  /** A paged reply → Page (absent numbers from the request, or counted). */
  page<T>(name: OperationName, envelope: Envelope<unknown>, body: Partial<Pick<Page<T>, 'page_index' | 'page_size' | 'offset'>>, mapItem?: (item: unknown) => T): Page<T> {
    const d = envelope.data;
    if (!isRecord(d)) {
      throw this.shapeError(name, d === undefined || d === null ? 'Success reply without data' : 'data is not a page object', envelope);
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
  array<T>(name: OperationName, envelope: Envelope<unknown>): T[] {
    const d = envelope.data;
    if (d === undefined || d === null) return [];
    if (Array.isArray(d)) return d as T[];
    if (isRecord(d)) {
      if (Array.isArray(d.list)) return d.list as T[];
      if (d.list === null || d.list === undefined) return [];
    }
    throw this.shapeError(name, 'data is not a list', envelope);
  }

  stock(name: OperationName, envelope: Envelope<unknown>): Stock {
    const d = envelope.data;
    if (d === undefined || d === null) throw this.shapeError(name, 'Success reply without data', envelope);
    if (typeof d !== 'object') throw this.shapeError(name, 'stock data is neither an object nor a list', envelope);
    return normalizeStock(d);
  }
}
