// AutodlClient: the typed SDK over every elastic-deployment endpoint.
// CONTRACT FILE: the public shape below is what the CLI and the queue code against.
// Implementation is owned by the SDK work (src/api); signatures may grow, not change.
//
// The client takes explicit values only (token, host, dialect): it reads no environment and
// no file. `createClient()` / `clientFromEnvironment()` (src/credentials/factory.ts) resolve
// them from AUTODL_TOKEN / .env / the user config and construct one.
//
// Its parts: one table of operations (./operations.ts), one requester that builds, sends and
// decodes them (./requester.ts), and a small resource module per noun (./resources/):
// images, deployments, containers, events, blacklist, stock.
//
// Preparing a change (the request it would send, not sent; token shown as "***"):
//   per operation, typed:
//     client.deployments.prepare.create(body)            POST   …/deployment (body in the client's dialect)
//     client.deployments.prepare.setReplicas(uuid, n)    PUT    …/deployment/replica_num
//     client.deployments.prepare.stop(uuid)              PUT    …/deployment/operate
//     client.deployments.prepare.delete(uuid)            DELETE …/deployment
//     client.containers.prepare.stop(body)               PUT    …/deployment/container/stop
//     client.blacklist.prepare.add(body)                 POST   …/deployment/blacklist
//   by operation name, with the typed body of that operation:
//     client.prepareCall('setReplicas', { deployment_uuid, replica_num })
//   and the older loose form (any body, optional extra query), kept for its callers:
//     client.prepare('setReplicas', body)
// All of them go through the same builder as the call itself, so the prepared request is the
// request the change sends (Accept is the transport's and not shown).

import { dialectForHost } from './dialect.js';
import { OPERATIONS, SAFE_OPERATIONS, type OperationName, type ResultOf } from './operations.js';
import { Requester, type CallArgs, type PreparedRequest, type QueryInput } from './requester.js';
import { Blacklist, Containers, Deployments, Events, Images, StockResource } from './resources/index.js';
import { normalizeHost, Transport, type TransportTuning } from './transport.js';
import { PRIVATE_HOST } from './types.js';
import type { Dialect, Envelope } from './types.js';

export type { PreparedRequest, CallArgs, CallOptions, SendOptions, QueryInput } from './requester.js';
export { DEFAULT_PAGE_SIZE, normalizePrivateImage, normalizeSystemImage } from './requester.js';
export { paginate, DEFAULT_LIST_ALL_PAGE_SIZE, type PageOptions, type FollowOptions, type Filter } from './resources/index.js';

/** Where a token came from: passed in, or resolved by createClient() from the environment, .env or the user config. */
export type ClientTokenSource = 'option' | 'env' | 'dotenv' | 'user_config';

export interface ClientOptions extends TransportTuning {
  /** Developer token; sent raw in `Authorization`. Without one a request fails with token_missing (nothing sent). */
  token?: string | undefined;
  /** Base URL, default https://private.autodl.com */
  host?: string | undefined;
  /** Default: from the host (api.autodl.com → public, anything else → private). */
  dialect?: Dialect | undefined;
  /** Where the token came from (createClient sets it); default 'option' when a token is given. */
  tokenSource?: ClientTokenSource | undefined;
  /**
   * The error a request throws when there is no token (createClient: token_missing listing
   * where it looked, or why the token it found is withheld from this host). Default:
   * token_missing.
   */
  missingToken?: (() => Error) | undefined;
}

/** Endpoints that are safe to retry: from the operations table (./operations.ts). */
export const SAFE_ENDPOINTS: ReadonlySet<OperationName> = SAFE_OPERATIONS;

export function isSafeEndpoint(endpoint: OperationName): boolean {
  return OPERATIONS[endpoint].safe;
}

export class AutodlClient {
  readonly host: string;
  readonly dialect: Dialect;
  readonly images: Images;
  readonly deployments: Deployments;
  readonly containers: Containers;
  readonly events: Events;
  readonly blacklist: Blacklist;
  readonly stock: StockResource;

  /** Where the token came from (undefined when there is none). */
  readonly tokenSource: ClientTokenSource | undefined;

  private readonly transport: Transport;
  private readonly requester: Requester;

  constructor(options: ClientOptions = {}) {
    const { token, host, dialect, tokenSource, missingToken, ...tuning } = options;
    this.host = normalizeHost(host ?? PRIVATE_HOST);
    this.dialect = dialect ?? dialectForHost(this.host);
    this.tokenSource = token !== undefined ? (tokenSource ?? 'option') : undefined;
    this.transport = new Transport({
      ...tuning,
      host: this.host,
      ...(missingToken ? { missingToken } : {}),
      ...(token !== undefined ? { token } : {}),
    });
    this.requester = new Requester(this.transport, this.dialect);
    this.images = new Images(this.requester);
    this.deployments = new Deployments(this.requester);
    this.containers = new Containers(this.requester);
    this.events = new Events(this.requester);
    this.blacklist = new Blacklist(this.requester);
    this.stock = new StockResource(this.requester);
  }

  /**
   * The server's clock now, from the Date header of the last reply (1 s resolution), or
   * this machine's clock before any reply. Age and cost use it, so a skewed local clock
   * (or a simulator running faster than real time) does not distort them.
   */
  serverNow(): number {
    return this.transport.serverNow() ?? Date.now();
  }

  /** Send one operation with its typed body and return its decoded result (the resources wrap this). */
  call<N extends OperationName>(name: N, ...[body, options]: CallArgs<N>): Promise<ResultOf<N>> {
    return this.requester.call(name, body as never, options);
  }

  /** Build (not send) the request `call(name, body)` would send. Token shown as "***". */
  prepareCall<N extends OperationName>(name: N, ...[body]: CallArgs<N>): PreparedRequest {
    return this.requester.prepare(name, body);
  }

  /** Build (not send) the request for an endpoint: for --dry-run. Token shown as "***". */
  prepare(endpoint: OperationName, body?: unknown, query?: QueryInput): PreparedRequest {
    return this.requester.prepare(endpoint, body, query);
  }

  /** Send one request to an endpoint and return the Success envelope undecoded (low level). */
  send(endpoint: OperationName, body?: unknown, query?: QueryInput, signal?: AbortSignal): Promise<{ envelope: Envelope<unknown>; attempts: number }> {
    return this.requester.send(endpoint, body, { query, signal });
  }
}
