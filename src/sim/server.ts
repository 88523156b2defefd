// HTTP front of the simulator: translates requests to World calls, in either dialect,
// behind fault injection; plus the /__sim admin API (no auth, loopback only).

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ENDPOINTS, type Dialect, type EndpointName, type PrivateStockWire, type PublicStockWire } from '../api/types.js';
import { Faults, validateFault, type ActiveFault } from './faults.js';
import { Params, parseContainerFilter, parseCreate, parseStockFilter, type Source } from './params.js';
import { REGIONS, type HostConfig } from './presets.js';
import { CODES, invalid, paginate, SimError, type Tenant, type World } from './world.js';

// ---------- stats ----------

export interface SimStatsSnapshot {
  total: number;
  byRoute: Record<string, number>;
}

/** Requests received per `METHOD path` (admin calls under /__sim excluded). Live object. */
export class SimStats implements SimStatsSnapshot {
  total = 0;
  byRoute: Record<string, number> = {};

  record(method: string, path: string): void {
    const key = `${method} ${path}`;
    this.total++;
    this.byRoute[key] = (this.byRoute[key] ?? 0) + 1;
  }

  /** Requests for one `METHOD path` (e.g. count('POST', '/api/v1/dev/deployment')). */
  count(method: string, path: string): number {
    return this.byRoute[`${method.toUpperCase()} ${path}`] ?? 0;
  }

  reset(): void {
    this.total = 0;
    this.byRoute = {};
  }

  snapshot(): SimStatsSnapshot {
    return { total: this.total, byRoute: { ...this.byRoute } };
  }
}

// ---------- clock ----------

export type ClockOption = 'manual' | { speed: number };

/** Drives the world's time: manual (only advance() moves it) or real time × speed. */
export class SimClock {
  readonly mode: 'manual' | 'speed';
  readonly speed: number;
  private readonly realStart = Date.now();
  private readonly worldStart: number;
  private offset = 0;

  constructor(
    private readonly world: World,
    option: ClockOption,
  ) {
    this.mode = option === 'manual' ? 'manual' : 'speed';
    this.speed = option === 'manual' ? 0 : option.speed;
    this.worldStart = world.now();
  }

  /** Bring the world up to the clock's time (speed mode); no-op in manual mode. */
  sync(): void {
    if (this.mode === 'speed') {
      this.world.advanceTo(this.worldStart + (Date.now() - this.realStart) * this.speed + this.offset);
    }
  }

  advance(ms: number): void {
    this.sync();
    this.offset += ms;
    this.world.advance(ms);
  }
}

// ---------- server ----------

export interface ServerContext {
  world: World;
  dialect: Dialect;
  faults: Faults;
  stats: SimStats;
  clock: SimClock;
}

type Handler = (p: Params, t: Tenant, ctx: ServerContext) => unknown;

const MAX_BODY = 4 * 1024 * 1024;

function pageOf<T>(all: readonly T[], p: Params) {
  const pg = p.page();
  return paginate(all, pg.page_index, pg.page_size, pg.offset);
}

/**
 * Stock per dialect. Private: an object keyed by GPU name whose values repeat the name
 * (`{gpu_name, idle_gpu_num, total_gpu_num}`, busstop12, live). Public: an array of one-key
 * objects whose values also carry `chip_corp` and `cpu_arch` (Rookie-Package/autodl, fxp/skillify).
 */
function stockWire(stock: Map<string, { idle: number; total: number }>, dialect: Dialect): PrivateStockWire | PublicStockWire {
  if (dialect === 'private') {
    const out: PrivateStockWire = {};
    for (const [name, s] of stock) out[name] = { gpu_name: name, idle_gpu_num: s.idle, total_gpu_num: s.total } as PrivateStockWire[string];
    return out;
  }
  return [...stock].map(([name, s]) => ({
    [name]: { idle_gpu_num: s.idle, total_gpu_num: s.total, chip_corp: 'nvidia', cpu_arch: 'x86' } as PublicStockWire[number][string],
  }));
}

const HANDLERS: Record<EndpointName, Handler> = {
  listPrivateImages: (p, t, { world }) => pageOf(world.listImages(t), p),
  createDeployment: (p, t, { world, dialect }) => ({ deployment_uuid: world.createDeployment(t, parseCreate(p, dialect)) }),
  listDeployments: (p, t, { world }) => {
    // GET with no body (recorded, public): the brief item shape, every deployment of the account
    if (p.source === 'query' && p.method === 'GET') return world.briefDeploymentsPage(t, p.page());
    const f: { name?: string; status?: string; deployment_uuid?: string } = {};
    const name = p.str('name');
    const status = p.str('status');
    const uuid = p.str('deployment_uuid');
    if (name !== undefined) f.name = name;
    if (status !== undefined) f.status = status;
    if (uuid !== undefined && uuid !== '') f.deployment_uuid = uuid;
    return world.deploymentsPage(t, f, p.page());
  },
  listEvents: (p, t, { world }) => {
    const uuid = p.str('deployment_uuid', true);
    const cu = p.str('deployment_container_uuid');
    return world.eventsPage(t, uuid, cu, p.page());
  },
  listContainers: (p, t, { world, dialect }) => {
    const uuid = p.str('deployment_uuid', true);
    const page = world.containersPage(t, uuid, parseContainerFilter(p), p.page());
    // the public container page carries a `page` key too (Rookie-Package/autodl); its value is a guess
    return dialect === 'public' ? { ...page, page: page.page_index } : page;
  },
  stopContainer: (p, t, { world }) => {
    const uuid = p.str('deployment_container_uuid', true);
    const opts: { decrease_one_replica_num?: boolean; no_cache?: boolean; cmd_before_shutdown?: string } = {};
    const dec = p.bool('decrease_one_replica_num');
    const nc = p.bool('no_cache');
    if (dec !== undefined) opts.decrease_one_replica_num = dec;
    if (nc !== undefined) opts.no_cache = nc;
    const hook = p.str('cmd_before_shutdown');
    if (hook) opts.cmd_before_shutdown = hook;
    world.stopContainer(t, uuid, opts);
    return null;
  },
  setReplicas: (p, t, { world }) => {
    const uuid = p.str('deployment_uuid', true);
    const n = p.int('replica_num', { required: true, min: 0 })!;
    world.setReplicas(t, uuid, n);
    return null;
  },
  operateDeployment: (p, t, { world }) => {
    const uuid = p.str('deployment_uuid', true);
    const op = p.str('operate', true);
    if (op !== 'stop') throw invalid(`operate 只支持 stop (收到: ${op})`);
    world.stopDeployment(t, uuid);
    return null;
  },
  deleteDeployment: (p, t, { world }) => {
    world.deleteDeployment(t, p.str('deployment_uuid', true));
    return null;
  },
  addBlacklist: (p, t, { world }) => {
    const uuid = p.str('deployment_container_uuid', true);
    const minutes = p.int('expire_in_minutes', { min: 1, max: 43200 }) ?? 1440;
    const comment = p.str('comment') ?? '';
    world.addBlacklist(t, uuid, minutes, comment);
    return null;
  },
  listBlacklist: (p, t, { world }) => pageOf(world.listBlacklist(t), p),
  gpuStock: (_p, _t, { world, dialect }) => stockWire(world.stock(), dialect),
  regionGpuStock: (p, _t, { world, dialect }) => {
    const dcList = p.strList('dc_list');
    const sign = p.str('region_sign');
    let dcs: Set<string> | undefined;
    if (dcList && dcList.length > 0) dcs = new Set(dcList);
    else if (sign !== undefined && sign !== '') {
      // an unknown region_sign is an empty Success, not an error (Minato-Aqukin/AutoDL-cli: `bj-B2`)
      dcs = new Set(REGIONS[sign] ?? [sign]);
    }
    return stockWire(world.stock(dcs, parseStockFilter(p)), dialect);
  },
  listSystemImages: (p, _t, { world }) => pageOf(world.systemImages(), p),
  ddpOverview: (p, t, { world }) => world.ddpOverview(t, p.str('deployment_uuid', true)),
};

interface Route {
  name: EndpointName;
  handler: Handler;
}

const OPEN_TO_UNVERIFIED: ReadonlySet<EndpointName> = new Set(['listPrivateImages', 'gpuStock', 'regionGpuStock', 'listSystemImages']);

const ROUTES = new Map<string, Route>();
const KNOWN_PATHS = new Set<string>();
for (const [name, ep] of Object.entries(ENDPOINTS) as Array<[EndpointName, (typeof ENDPOINTS)[EndpointName]]>) {
  ROUTES.set(`${ep.method} ${ep.path}`, { name, handler: HANDLERS[name] });
  KNOWN_PATHS.add(ep.path);
}
// recorded (Rookie-Package/autodl): GET …/deployment/list with no body answers Success
ROUTES.set('GET /api/v1/dev/deployment/list', { name: 'listDeployments', handler: HANDLERS.listDeployments });
// one client lists the blacklist with POST …/blacklist/list (unconfirmed): accepted too
ROUTES.set('POST /api/v1/dev/deployment/blacklist/list', { name: 'listBlacklist', handler: HANDLERS.listBlacklist });
KNOWN_PATHS.add('/api/v1/dev/deployment/blacklist/list');

function queryObject(url: URL): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length > 1 ? all : all[0];
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new SimError(CODES.invalid, '请求参数错误: 请求体过大'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function envelope(ctx: ServerContext, code: string, msg: string, data: unknown, requestId = true): Record<string, unknown> {
  const e: Record<string, unknown> = { code, msg, data };
  if (ctx.dialect === 'public' && requestId) e.request_id = randomUUID().replace(/-/g, '');
  return e;
}

function isLoopback(req: IncomingMessage): boolean {
  const a = req.socket.remoteAddress ?? '';
  return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1';
}

function parseJsonBody(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Handle one API request (not admin). */
async function handleApi(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  ctx.stats.record(method, path);
  const bodyText = await readBody(req);
  const fault = ctx.faults.match(method, path);
  let destroyAfter = false;
  if (fault) {
    const handled = await applyFault(ctx, fault, res);
    if (handled) return;
    if (fault.kind === 'commit_then_reset') destroyAfter = true;
  }
  const { status, body } = processApi(ctx, req, method, url, path, bodyText);
  if (destroyAfter) {
    res.socket?.destroy();
    return;
  }
  sendJson(res, status, body);
}

/** Returns true when the fault produced the whole reply. */
async function applyFault(ctx: ServerContext, f: ActiveFault, res: ServerResponse): Promise<boolean> {
  switch (f.kind) {
    case 'http_error': {
      const status = f.status ?? 500;
      sendJson(res, status, envelope(ctx, f.code ?? 'InternalError', f.msg ?? `simulated HTTP ${status}`, null));
      return true;
    }
    case 'http_429':
      sendJson(res, 429, envelope(ctx, f.code ?? 'TooManyRequests', f.msg ?? '请求过于频繁', null), {
        'retry-after': String(f.retry_after ?? 1),
      });
      return true;
    case 'envelope_error':
      sendJson(res, 200, envelope(ctx, f.code ?? 'Failed', f.msg ?? '暂无库存', null));
      return true;
    case 'non_json': {
      const html = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
      res.writeHead(f.status ?? 200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(html) });
      res.end(html);
      return true;
    }
    case 'reset':
      res.socket?.destroy();
      return true;
    case 'slow':
      await delay(f.delay_ms ?? 1000);
      return false;
    case 'commit_then_reset':
      return false;
  }
}

function processApi(
  ctx: ServerContext,
  req: IncomingMessage,
  method: string,
  url: URL,
  path: string,
  bodyText: string,
): { status: number; body: unknown } {
  try {
    const route = ROUTES.get(`${method} ${path}`);
    if (!route) {
      if (KNOWN_PATHS.has(path)) return { status: 405, body: envelope(ctx, 'MethodNotAllowed', `不支持的请求方法: ${method}`, null) };
      return { status: 404, body: envelope(ctx, 'NotFound', `接口不存在: ${path}`, null) };
    }
    ctx.clock.sync();
    const auth = req.headers.authorization;
    const tenant = ctx.world.tenantFor(typeof auth === 'string' ? auth.trim() : undefined);
    if (!tenant) return { status: 401, body: envelope(ctx, CODES.unauthorized, 'token无效', null) };
    // an account without enterprise verification: read-only queries that touch no deployment
    // answer, the rest is refused before any parameter is read (recorded, fxp/skillify)
    if (!tenant.verified && !OPEN_TO_UNVERIFIED.has(route.name)) {
      return { status: 200, body: envelope(ctx, 'BadRequest', '无当前资源访问权限', null) };
    }
    let source: Source = 'body';
    let raw: unknown;
    const query = queryObject(url);
    if (method === 'GET') {
      source = 'query';
      raw = query;
    } else {
      const parsed = parseJsonBody(bodyText);
      if (!parsed.ok) throw invalid('请求体不是有效的 JSON');
      if (parsed.value === undefined) {
        source = 'query';
        raw = query;
      } else raw = parsed.value;
    }
    const params = Params.of(raw, source, '', method);
    const data = route.handler(params, tenant, ctx);
    return { status: 200, body: envelope(ctx, 'Success', '', data ?? null) };
  } catch (e) {
    if (e instanceof SimError) return { status: e.httpStatus, body: envelope(ctx, e.code, e.message, null, !e.noRequestId) };
    return { status: 500, body: envelope(ctx, 'InternalError', `simulator error: ${e instanceof Error ? e.message : String(e)}`, null) };
  }
}

// ---------- admin ----------

/** The largest clock advance one admin call may ask for: 30 days of simulated time. */
export const MAX_ADVANCE_MS = 30 * 86_400_000;
const ADVANCE_SLICE_MS = 60_000;
const advancing = new WeakMap<ServerContext, Promise<void>>();

/**
 * Advance in slices of simulated time, yielding to the event loop every ~10 ms of work so
 * that other tenants' requests are answered meanwhile; advances of one server run one
 * after the other.
 */
function advanceCooperatively(ctx: ServerContext, ms: number): Promise<void> {
  const run = async () => {
    let left = ms;
    let since = performance.now();
    do {
      const step = Math.min(left, ADVANCE_SLICE_MS);
      ctx.clock.advance(step);
      left -= step;
      if (left > 0 && performance.now() - since > 10) {
        await new Promise<void>((r) => setImmediate(r));
        since = performance.now();
      }
    } while (left > 0);
  };
  const next = (advancing.get(ctx) ?? Promise.resolve()).then(run, run);
  advancing.set(ctx, next);
  return next;
}

function adminError(res: ServerResponse, status: number, msg: string): void {
  sendJson(res, status, { code: 'InvalidParameter', msg, data: null });
}

function adminOk(res: ServerResponse, data: unknown): void {
  sendJson(res, 200, { code: 'Success', msg: '', data });
}

function isHostConfig(v: unknown): v is HostConfig {
  if (v === null || typeof v !== 'object') return false;
  const h = v as Record<string, unknown>;
  const pos = (k: string) => typeof h[k] === 'number' && Number.isFinite(h[k]) && (h[k] as number) > 0;
  return (
    typeof h.machine_id === 'string' &&
    typeof h.data_center === 'string' &&
    typeof h.gpu_name === 'string' &&
    pos('gpu_num') &&
    Number.isInteger(h.gpu_num) &&
    pos('cpu_num') &&
    pos('memory_gb') &&
    pos('max_cuda') &&
    typeof h.price_per_gpu === 'number' &&
    h.price_per_gpu >= 0
  );
}

async function handleAdmin(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
  if (!isLoopback(req)) return adminError(res, 403, 'admin API is loopback-only');
  const method = (req.method ?? 'GET').toUpperCase();
  const text = await readBody(req);
  const parsed = parseJsonBody(text);
  if (!parsed.ok) return adminError(res, 400, 'body is not JSON');
  const body = (parsed.value ?? {}) as Record<string, unknown>;
  const { world, clock } = ctx;
  const key = `${method} ${path}`;
  switch (key) {
    case 'GET /__sim/clock':
      clock.sync();
      return adminOk(res, { now: world.now(), iso: new Date(world.now()).toISOString(), mode: clock.mode, speed: clock.speed });
    case 'POST /__sim/clock/advance': {
      const ms = body.ms;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return adminError(res, 400, 'ms must be a number >= 0');
      if (ms > MAX_ADVANCE_MS) return adminError(res, 400, `ms must be at most ${MAX_ADVANCE_MS} (30 days) per call`);
      await advanceCooperatively(ctx, ms);
      return adminOk(res, { now: world.now(), iso: new Date(world.now()).toISOString() });
    }
    case 'GET /__sim/hosts':
      clock.sync();
      return adminOk(res, world.hosts());
    case 'PUT /__sim/hosts': {
      const hosts = Array.isArray(parsed.value) ? parsed.value : body.hosts;
      if (!Array.isArray(hosts) || hosts.length === 0 || !hosts.every(isHostConfig)) {
        return adminError(res, 400, 'hosts: non-empty list of {machine_id, data_center, gpu_name, gpu_num, cpu_num, memory_gb, max_cuda, price_per_gpu}');
      }
      world.setHosts(hosts);
      return adminOk(res, world.hosts());
    }
    case 'POST /__sim/occupy':
    case 'POST /__sim/free': {
      const g = body.gpu_name;
      const m = body.machine_id;
      const n = body.count;
      if ((typeof g !== 'string' && typeof m !== 'string') || typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
        return adminError(res, 400, 'need {gpu_name: string | machine_id: string, count: integer >= 0}');
      }
      clock.sync();
      const occ = path === '/__sim/occupy';
      const done =
        typeof m === 'string' ? (occ ? world.occupyHost(m, n) : world.freeHost(m, n)) : occ ? world.occupy(g as string, n) : world.free(g as string, n);
      return adminOk(res, path === '/__sim/occupy' ? { occupied: done } : { freed: done });
    }
    case 'POST /__sim/reset':
      world.reset();
      ctx.faults.clear();
      ctx.stats.reset();
      return adminOk(res, null);
    case 'GET /__sim/stats':
      return adminOk(res, ctx.stats.snapshot());
    case 'DELETE /__sim/stats':
      ctx.stats.reset();
      return adminOk(res, null);
    case 'GET /__sim/deployments': {
      clock.sync();
      const all = url.searchParams.get('include_deleted');
      return adminOk(res, world.allDeployments(all === '1' || all === 'true'));
    }
    case 'GET /__sim/faults':
      return adminOk(res, ctx.faults.list());
    case 'POST /__sim/faults': {
      try {
        validateFault(body);
        return adminOk(res, { id: ctx.faults.add(body) });
      } catch (e) {
        return adminError(res, 400, e instanceof Error ? e.message : String(e));
      }
    }
    case 'DELETE /__sim/faults':
      ctx.faults.clear();
      return adminOk(res, null);
    default:
      return sendJson(res, 404, { code: 'NotFound', msg: `unknown admin endpoint: ${key}`, data: null });
  }
}

export function createSimServer(ctx: ServerContext): Server {
  return createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      sendJson(res, 400, envelope(ctx, CODES.invalid, '请求参数错误: 无效的 URL', null));
      return;
    }
    let path = url.pathname;
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    // Like any HTTP server, answer with a Date header — the simulated clock's time, so a
    // client can tell server time from its own (cost estimates against a fast clock).
    try {
      ctx.clock.sync();
      res.setHeader('Date', new Date(ctx.world.now()).toUTCString());
    } catch {
      /* never fail a request over a header */
    }
    const work = path === '/__sim' || path.startsWith('/__sim/') ? handleAdmin(ctx, req, res, url, path) : handleApi(ctx, req, res, url, path);
    work.catch((e: unknown) => {
      if (e instanceof SimError) sendJson(res, e.httpStatus, envelope(ctx, e.code, e.message, null));
      else sendJson(res, 500, envelope(ctx, 'InternalError', 'simulator error', null));
    });
  });
}
