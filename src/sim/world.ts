// The simulated AutoDL world: hosts, GPUs, tenants, deployments and containers moving on a
// clock. A pure state machine: nothing happens unless time is advanced (advance/advanceTo)
// or an operation is called. Every timed change sits in one event heap and runs in
// (time, scheduling order), so advancing by a large amount replays intermediate steps in order.

import { randomBytes } from 'node:crypto';
import type {
  BlacklistEntry,
  Container,
  ContainerEvent,
  ContainerStatus,
  DdpOverview,
  Deployment,
  DeploymentType,
  Dialect,
  PrivateImage,
  SystemImage,
} from '../api/types.js';
import { planCmd, type CmdPlan } from './cmd.js';
import {
  hostsFor,
  DEMO_IMAGE_NAME,
  DEMO_IMAGE_UUID,
  DEMO_TOKEN,
  SYSTEM_IMAGES,
  TENANT_IMAGE_NAMES,
  type HostConfig,
} from './presets.js';
import { createRng, EventHeap, fmtTime, hexFrom, stableHex } from './util.js';

/** A logical failure: becomes an HTTP 200 envelope with this code/msg. */
export class SimError extends Error {
  constructor(
    readonly code: string,
    msg: string,
    readonly httpStatus = 200,
    /** the recorded envelope of this failure has no request_id even on the public host */
    readonly noRequestId = false,
  ) {
    super(msg);
    this.name = 'SimError';
  }
}

export const CODES = {
  invalid: 'InvalidParameter',
  /** recorded (Rookie-Package/autodl tests/deployment_test.ipynb): unknown image on create */
  imageNotFound: 'RecordNotFoundError',
  unsatisfiable: 'NoMatchingMachine',
  notFound: 'NotFound',
  notAllowed: 'OperationNotAllowed',
  unauthorized: 'Unauthorized',
} as const;

export function invalid(detail: string): SimError {
  return new SimError(CODES.invalid, `请求参数错误: ${detail}`);
}

export interface SimTimings {
  /** creating → created */
  creatingMs: number;
  /** created → running, fresh container (split 20 % / 40 % / 40 % over starting, oss_merged, running) */
  coldStartMs: number;
  /** created → running when a cached container is reused */
  reuseStartMs: number;
  /** shutting_down → shutdown */
  shutdownMs: number;
  /** how long a stopped container stays reusable */
  cacheMs: number;
  /** public dialect: shutdown → the `removed` event (recorded ~150 s later) */
  removedMs: number;
}

export const DEFAULT_TIMINGS: SimTimings = {
  creatingMs: 1000,
  coldStartMs: 7000,
  reuseStartMs: 4000,
  shutdownMs: 2000,
  cacheMs: 7 * 24 * 3600 * 1000,
  removedMs: 150_000,
};

export interface BackgroundLoadConfig {
  /** target share of GPUs held by invisible tenants, 0..1 (default 0.75) */
  utilization?: number;
  /** mean hold time of a background job in ms (default 20 min) */
  meanHoldMs?: number;
}

export interface WorldConfig {
  hosts?: HostConfig[];
  /** extra private images for every tenant (name list) */
  extraImages?: string[];
  background?: BackgroundLoadConfig;
  /**
   * Tokens of accounts without enterprise verification (among `tokens`): their images and
   * stock answer, every deployment endpoint refuses with BadRequest 无当前资源访问权限 (recorded, S).
   */
  unverifiedTokens?: string[];
}

export interface WorldOptions {
  dialect?: Dialect;
  tokens?: string[];
  seed?: number;
  backgroundLoad?: boolean;
  world?: WorldConfig;
  defaultCmdSeconds?: number;
  timings?: Partial<SimTimings>;
  /** world time at start (ms since epoch); default 2026-07-01T08:00:00+08:00 */
  startTime?: number;
}

export const DEFAULT_START_TIME = Date.UTC(2026, 6, 1, 0, 0, 0);

// ---------- internal state ----------

interface HostState {
  cfg: HostConfig;
  cpuShare: number;
  memShareGb: number;
  userUsed: number;
  bgUsed: number;
  adminUsed: number;
}

interface ImageRec {
  id: number;
  image_uuid: string;
  name: string;
  status: string;
}

interface BlacklistRec {
  machine_id: string;
  data_center: string;
  expiresAt: number;
  msg: string;
  createdAt: number;
}

export interface Tenant {
  readonly id: number;
  /** the account's user id, as deployment items carry it (`uid`) */
  readonly uid: number;
  /** false: an account without enterprise verification (deployment endpoints refused) */
  readonly verified: boolean;
  readonly name: string;
  images: ImageRec[];
  /** every deployment, deleted ones too, in creation order */
  deployments: DeploymentState[];
  /** the deployments not deleted, in creation order (what the lists page through) */
  visible: DeploymentState[];
  depByUuid: Map<string, DeploymentState>;
  containerByUuid: Map<string, ContainerState>;
  blacklist: Map<string, BlacklistRec>;
  /** stopped containers available for reuse (pruned lazily) */
  cache: ContainerState[];
}

export interface NormTemplate {
  gpuNames: string[];
  gpuNum: number;
  cudaMin: number;
  cudaMax?: number;
  dcList?: string[];
  cpuFrom?: number;
  cpuTo?: number;
  memFrom?: number;
  memTo?: number;
  priceFrom?: number;
  priceTo?: number;
  imageUuid: string;
  cmd: string;
  /** run when a container is stopped (not when its cmd ends): shutting_down lasts as long */
  cmdBeforeShutdown?: string;
}

export interface CreateInput {
  name: string;
  deployment_type: DeploymentType;
  replica_num: number;
  parallelism_num: number;
  reuse_container: boolean;
  reuse_container_scope: 'all' | 'deployment';
  template: NormTemplate;
  rawTemplate: Record<string, unknown>;
}

type EndReason = 'exit' | 'stopped' | 'scaled' | 'deployment_stopped';

interface ContainerFields {
  id: number;
  uuid: string;
  updatedAt: number;
  dep: DeploymentState;
  host: HostState;
  status: ContainerStatus;
  createdAt: number;
  startedAt: number | null;
  stoppedAt: number | null;
  /** the deployment's plan (one object per deployment: planCmd is pure) */
  plan: CmdPlan;
  reused: boolean;
  /** incremented to invalidate pending timers */
  gen: number;
  exitCode: number | null;
  endReason: EndReason | null;
  noCache: boolean;
  cacheConsumed: boolean;
  holdsGpu: boolean;
  /**
   * What `info` is made of (built when a list shows it, so that a world of 100,000 containers
   * does not hold seven strings each): the SSH port, the 8-hex suffix of the service URLs and the
   * root password.
   */
  port: number;
  suffix: string;
  rootPassword: string;
}

// the state of one container: its fields (ContainerFields) and the `info` built from them
interface ContainerState extends ContainerFields {}
class ContainerState {
  /** the `info` object once something outside the lists has read it (tests edit it in place) */
  private infoObj: Container['info'] | undefined = undefined;

  // every field assigned here, in one order: one compact shape for every container
  constructor(f: ContainerFields) {
    this.id = f.id;
    this.uuid = f.uuid;
    this.updatedAt = f.updatedAt;
    this.dep = f.dep;
    this.host = f.host;
    this.status = f.status;
    this.createdAt = f.createdAt;
    this.startedAt = f.startedAt;
    this.stoppedAt = f.stoppedAt;
    this.plan = f.plan;
    this.reused = f.reused;
    this.gen = f.gen;
    this.exitCode = f.exitCode;
    this.endReason = f.endReason;
    this.noCache = f.noCache;
    this.cacheConsumed = f.cacheConsumed;
    this.holdsGpu = f.holdsGpu;
    this.port = f.port;
    this.suffix = f.suffix;
    this.rootPassword = f.rootPassword;
  }

  /** The container's `info`, kept from the first read on (so an edit to it shows in the lists). */
  get info(): Container['info'] {
    return (this.infoObj ??= containerInfo(this));
  }

  /** A copy of `info` for a list item, without keeping one per container. */
  wireInfo(): Container['info'] {
    return { ...(this.infoObj ?? containerInfo(this)) };
  }
}

/**
 * A deployment's listed events, oldest first, as three parallel arrays (container uuid,
 * status, time as a number): a busy world holds hundreds of thousands of them.
 */
class EventLog {
  private readonly uuids: string[] = [];
  private readonly statuses: string[] = [];
  private readonly ats: number[] = [];

  get length(): number {
    return this.uuids.length;
  }

  push(uuid: string, status: string, at: number): void {
    this.uuids.push(uuid);
    this.statuses.push(status);
    this.ats.push(at);
  }

  /** The i-th event (0 = oldest) in wire form. */
  wire(i: number): ContainerEvent {
    return { deployment_container_uuid: this.uuids[i]!, status: this.statuses[i]!, created_at: fmtTime(this.ats[i]!) };
  }

  /** Indices of the events of one container, oldest first. */
  indicesOf(uuid: string): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.uuids.length; i++) if (this.uuids[i] === uuid) out.push(i);
    return out;
  }
}

interface DeploymentState {
  uuid: string;
  tenant: Tenant;
  name: string;
  type: DeploymentType;
  replicaNum: number;
  parallelism: number;
  reuse: boolean;
  reuseScope: 'all' | 'deployment';
  template: NormTemplate;
  rawTemplate: Record<string, unknown>;
  status: 'running' | 'stopped';
  deleted: boolean;
  createdAt: number;
  stoppedAt: number | null;
  /** every container the deployment ever had, in creation order */
  containers: ContainerState[];
  /**
   * Its containers in an ACTIVE status, in creation order (maintained by setStatus): what
   * reconcile, stop and the list's starting/running counts read, so that they cost what is
   * alive, not every container the deployment ever had.
   */
  live: Set<ContainerState>;
  events: EventLog;
  plan: CmdPlan;
  finished: number;
  failed: number;
  /** cheapest matching price_per_gpu at create time */
  unitPrice: number;
  /** hosts satisfying the template, occupancy and blacklist aside (hosts only change on reset) */
  staticHosts: HostState[];
  /** integer row id, as the platform's lists carry it */
  id: number;
  updatedAt: number;
  /** name of the image (private or system) at create time: the template reports it */
  imageName: string;
}

/**
 * The longest a cmd_before_shutdown may hold a stopped container in shutting_down: 5 s, then the
 * container is stopped by force (documented: fxp/skillify quotes the platform's doc, 超时时间 5 秒).
 */
const HOOK_LIMIT_MS = 5_000;
const PUBLIC_EVENTS: ReadonlySet<string> = new Set(['starting', 'running', 'shutting_down', 'shutdown']);
const PRIVATE_EVENTS: ReadonlySet<string> = new Set(['created', 'starting', 'running', 'shutdown']);
const ACTIVE: ReadonlySet<ContainerStatus> = new Set(['creating', 'created', 'starting', 'oss_merged', 'running']);
const STARTING: ReadonlySet<ContainerStatus> = new Set(['creating', 'created', 'starting', 'oss_merged']);

export interface HostView extends HostConfig {
  cpu_per_gpu: number;
  memory_gb_per_gpu: number;
  used_by_tenants: number;
  used_by_background: number;
  used_by_admin: number;
  idle_gpu_num: number;
}

export interface AdminDeploymentView extends Deployment {
  tenant: string;
  deleted: boolean;
}

export interface PageResult<T> {
  list: T[];
  page_index: number;
  page_size: number;
  offset: number;
  max_page: number;
  result_total: number;
}

export function paginate<T>(all: readonly T[], pageIndex: number, pageSize: number, offset: number): PageResult<T> {
  return paginateView(all.length, (i) => all[i]!, pageIndex, pageSize, offset);
}

/**
 * A page of a list of `total` items that exist only as `at(i)` (0 = first): the same page as
 * `paginate` over the materialised list, but only the page's items are built.
 */
export function paginateView<T>(total: number, at: (i: number) => T, pageIndex: number, pageSize: number, offset: number): PageResult<T> {
  const start = offset + (pageIndex - 1) * pageSize;
  const remaining = Math.max(0, total - offset);
  // the bounds of Array.prototype.slice(start, start + pageSize)
  const from = clampIndex(start, total);
  const to = clampIndex(start + pageSize, total);
  const list: T[] = [];
  for (let i = from; i < to; i++) list.push(at(i));
  return {
    list,
    page_index: pageIndex,
    page_size: pageSize,
    offset,
    max_page: Math.ceil(remaining / pageSize),
    result_total: total,
  };
}

function clampIndex(i: number, len: number): number {
  if (!(i === i)) return 0; // NaN, as slice reads it
  if (i < 0) return Math.max(len + Math.trunc(i), 0);
  return Math.min(Math.trunc(i), len);
}

export interface PageArgs {
  page_index: number;
  page_size: number;
  offset: number;
}

type Timer = () => void;

export interface ContainerFilter {
  container_uuid?: string;
  date_from?: number;
  date_to?: number;
  gpu_name?: string;
  cpu_num_from?: number;
  cpu_num_to?: number;
  /** bytes */
  memory_from_bytes?: number;
  /** bytes */
  memory_to_bytes?: number;
  price_from?: number;
  price_to?: number;
  released?: boolean;
  status?: string[];
}

export interface DeploymentFilter {
  name?: string;
  status?: string;
  deployment_uuid?: string;
}

const GB = 1024 ** 3;

export class World {
  readonly dialect: Dialect;
  readonly seed: number;
  readonly timings: SimTimings;
  readonly defaultCmdSeconds: number;
  readonly backgroundLoad: boolean;
  private readonly config: WorldConfig;
  private readonly tokens: string[];
  private hostConfigs: HostConfig[];

  private t: number;
  private heap = new EventHeap<Timer>();
  private hostsState: HostState[] = [];
  private tenantsByToken = new Map<string, Tenant>();
  private tenantList: Tenant[] = [];
  /** deployments that may need scheduling (insertion order = fairness order) */
  private wanting = new Set<DeploymentState>();
  /** set when something that could let a waiting deployment progress happened */
  private dirty = false;
  private idRng: () => number;
  private bgRng: () => number;
  private epoch = 0;
  /** row ids of deployments and containers (the platform's look: large integers) */
  private nextDepId = 2459001;
  private nextContainerId = 195001;
  private pwPool = Buffer.alloc(0);
  private pwPos = 0;

  constructor(opts: WorldOptions = {}) {
    this.dialect = opts.dialect ?? 'private';
    this.seed = opts.seed ?? 1;
    this.timings = { ...DEFAULT_TIMINGS, ...(opts.timings ?? {}) };
    this.defaultCmdSeconds = opts.defaultCmdSeconds ?? 60;
    this.backgroundLoad = opts.backgroundLoad ?? false;
    this.config = opts.world ?? {};
    this.tokens = opts.tokens && opts.tokens.length > 0 ? [...opts.tokens] : [DEMO_TOKEN];
    this.hostConfigs = (this.config.hosts ?? hostsFor(this.dialect)).map((h) => ({ ...h }));
    this.t = opts.startTime ?? DEFAULT_START_TIME;
    this.idRng = createRng(this.seed ^ 0x5eed1d);
    this.bgRng = createRng(this.seed);
    this.init();
  }

  // ---------- setup ----------

  private init(): void {
    this.epoch++;
    this.heap.clear();
    this.wanting.clear();
    this.idRng = createRng((this.seed ^ 0x5eed1d) + this.epoch * 7919);
    this.bgRng = createRng(this.seed);
    this.hostsState = this.hostConfigs.map((cfg) => ({
      cfg,
      cpuShare: cfg.cpu_num / cfg.gpu_num,
      memShareGb: cfg.memory_gb / cfg.gpu_num,
      userUsed: 0,
      bgUsed: 0,
      adminUsed: 0,
    }));
    this.tenantsByToken.clear();
    this.tenantList = [];
    this.tokens.forEach((token, i) => {
      const name = token === DEMO_TOKEN ? 'demo' : `tenant-${i + 1}`;
      const images: ImageRec[] = [{ id: 549001, image_uuid: DEMO_IMAGE_UUID, name: DEMO_IMAGE_NAME, status: 'finished' }];
      const names = [...TENANT_IMAGE_NAMES, ...(this.config.extraImages ?? [])];
      names.forEach((n, k) => {
        images.push({ id: 549002 + k, image_uuid: `image-${stableHex(`${name}/${i}/${n}`, 10)}`, name: n, status: 'finished' });
      });
      const tenant: Tenant = {
        id: i + 1,
        uid: 673023 + i + 1,
        verified: !(this.config.unverifiedTokens ?? []).includes(token),
        name,
        images,
        deployments: [],
        visible: [],
        depByUuid: new Map(),
        containerByUuid: new Map(),
        blacklist: new Map(),
        cache: [],
      };
      if (!this.tenantsByToken.has(token)) {
        this.tenantsByToken.set(token, tenant);
        this.tenantList.push(tenant);
      }
    });
    if (this.backgroundLoad) this.initBackground();
  }

  /** Forget every deployment, container, blacklist entry and occupation; keep the clock. */
  reset(): void {
    this.init();
  }

  /** Replace the hosts (resets the world, keeps the clock). */
  setHosts(hosts: HostConfig[]): void {
    this.hostConfigs = hosts.map((h) => ({ ...h }));
    this.init();
  }

  // ---------- clock ----------

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('advance: ms must be >= 0');
    this.advanceTo(this.t + ms);
  }

  /** Run every timed change up to `target`, in order, rescheduling after each. */
  advanceTo(target: number): void {
    if (target < this.t) return;
    for (;;) {
      const at = this.heap.peekAt();
      if (at === undefined || at > target) break;
      const ev = this.heap.pop()!;
      this.t = Math.max(this.t, ev.at);
      ev.value();
      this.reconcile();
    }
    this.t = target;
    this.reconcile();
  }

  private wake(dep?: DeploymentState): void {
    if (dep) this.wanting.add(dep);
    this.dirty = true;
  }

  private schedule(delayMs: number, fn: Timer): void {
    this.heap.push(this.t + Math.max(0, delayMs), fn);
  }

  // ---------- tenants ----------

  tenantFor(token: string | undefined): Tenant | undefined {
    if (token === undefined) return undefined;
    return this.tenantsByToken.get(token);
  }

  tenantNames(): string[] {
    return this.tenantList.map((t) => t.name);
  }

  /** Add a private image to a tenant (by token); returns its uuid. */
  addImage(token: string, name: string, imageUuid?: string): string {
    const t = this.tenantFor(token);
    if (!t) throw new Error('addImage: unknown token');
    const uuid = imageUuid ?? `image-${hexFrom(this.idRng, 10)}`;
    t.images.push({ id: 549001 + t.images.length, image_uuid: uuid, name, status: 'finished' });
    return uuid;
  }

  // ---------- hosts, stock, occupancy ----------

  private idle(h: HostState): number {
    return h.cfg.gpu_num - h.userUsed - h.bgUsed - h.adminUsed;
  }

  hosts(): HostView[] {
    return this.hostsState.map((h) => ({
      ...h.cfg,
      cpu_per_gpu: h.cpuShare,
      memory_gb_per_gpu: h.memShareGb,
      used_by_tenants: h.userUsed,
      used_by_background: h.bgUsed,
      used_by_admin: h.adminUsed,
      idle_gpu_num: this.idle(h),
    }));
  }

  gpuNames(): string[] {
    return [...new Set(this.hostsState.map((h) => h.cfg.gpu_name))];
  }

  dataCenters(): string[] {
    return [...new Set(this.hostsState.map((h) => h.cfg.data_center))];
  }

  /** Per GPU name: idle and total cards, optionally only on the given data centres. */
  stock(dcs?: ReadonlySet<string>, filter?: StockFilter): Map<string, { idle: number; total: number }> {
    const out = new Map<string, { idle: number; total: number }>();
    for (const h of this.hostsState) {
      if (dcs && !dcs.has(h.cfg.data_center)) continue;
      if (filter && !stockMatches(h, filter)) continue;
      const cur = out.get(h.cfg.gpu_name) ?? { idle: 0, total: 0 };
      cur.idle += this.idle(h);
      cur.total += h.cfg.gpu_num;
      out.set(h.cfg.gpu_name, cur);
    }
    return out;
  }

  /** Take up to `n` idle GPUs of this name (admin occupation, as if other users held them). Returns how many. */
  occupy(gpuName: string, n: number): number {
    let left = Math.max(0, Math.floor(n));
    for (const h of this.hostsState) {
      if (left === 0) break;
      if (h.cfg.gpu_name !== gpuName) continue;
      const take = Math.min(left, this.idle(h));
      h.adminUsed += take;
      left -= take;
    }
    return Math.floor(n) - left;
  }

  /** Take up to `n` idle GPUs of one host (admin occupation). Returns how many. */
  occupyHost(machineId: string, n: number): number {
    const h = this.hostsState.find((x) => x.cfg.machine_id === machineId);
    if (!h) return 0;
    const take = Math.max(0, Math.min(Math.floor(n), this.idle(h)));
    h.adminUsed += take;
    return take;
  }

  /** Free up to `n` GPUs of one host held by admin occupation or background load. Returns how many. */
  freeHost(machineId: string, n: number): number {
    return this.freeOn(
      this.hostsState.filter((x) => x.cfg.machine_id === machineId),
      n,
    );
  }

  /**
   * Free up to `n` GPUs of this name held by others: admin occupation first, then background
   * load. GPUs of tenants' containers are never freed. Returns how many.
   */
  free(gpuName: string, n: number): number {
    return this.freeOn(
      this.hostsState.filter((h) => h.cfg.gpu_name === gpuName),
      n,
    );
  }

  /** Give back up to `n` GPUs held by others on these hosts (admin occupation first, then background load). */
  private freeOn(hosts: readonly HostState[], n: number): number {
    let left = Math.max(0, Math.floor(n));
    for (const key of ['adminUsed', 'bgUsed'] as const) {
      for (const h of hosts) {
        if (left === 0) break;
        const give = Math.min(left, h[key]);
        h[key] -= give;
        left -= give;
      }
    }
    const freed = Math.floor(n) - left;
    if (freed > 0) {
      this.wake();
      this.reconcile();
    }
    return freed;
  }

  // ---------- background load ----------

  private bgRate(): { meanHold: number; meanGap: number } {
    const util = Math.min(0.98, Math.max(0, this.config.background?.utilization ?? 0.75));
    const meanHold = this.config.background?.meanHoldMs ?? 20 * 60_000;
    const total = this.hostsState.reduce((s, h) => s + h.cfg.gpu_num, 0);
    const meanGpus = 2.5;
    const rate = total > 0 && util > 0 ? (util * total) / (meanGpus * meanHold) : 0; // jobs per ms
    return { meanHold, meanGap: rate > 0 ? 1 / rate : Infinity };
  }

  private initBackground(): void {
    const util = Math.min(0.98, Math.max(0, this.config.background?.utilization ?? 0.75));
    const { meanHold, meanGap } = this.bgRate();
    // initial occupation: each host starts around the target utilisation, with seeded jitter
    for (const h of this.hostsState) {
      const r1 = this.bgRng();
      const r2 = this.bgRng();
      const take = Math.min(h.cfg.gpu_num, Math.round(h.cfg.gpu_num * util * (0.5 + r1)));
      if (take > 0) {
        h.bgUsed += take;
        const hold = Math.round(meanHold * (0.2 + 1.6 * r2));
        const epoch = this.epoch;
        this.schedule(hold, () => {
          if (this.epoch === epoch) {
            h.bgUsed = Math.max(0, h.bgUsed - take);
            this.wake();
          }
        });
      }
    }
    if (Number.isFinite(meanGap)) this.scheduleBgArrival(meanGap, meanHold);
  }

  private scheduleBgArrival(meanGap: number, meanHold: number): void {
    // the draw sequence does not depend on the world's state: same seed → same schedule
    const gap = Math.max(1000, Math.round(-Math.log(1 - this.bgRng()) * meanGap));
    const epoch = this.epoch;
    this.schedule(gap, () => {
      if (this.epoch !== epoch) return;
      const hostIdx = Math.floor(this.bgRng() * this.hostsState.length);
      const want = 1 + Math.floor(this.bgRng() * 4);
      const hold = Math.round(meanHold * (0.1 + 1.8 * this.bgRng()));
      const h = this.hostsState[hostIdx];
      if (h) {
        const take = Math.min(want, this.idle(h));
        if (take > 0) {
          h.bgUsed += take;
          this.schedule(hold, () => {
            if (this.epoch === epoch) {
            h.bgUsed = Math.max(0, h.bgUsed - take);
            this.wake();
          }
          });
        }
      }
      this.scheduleBgArrival(meanGap, meanHold);
    });
  }

  // ---------- placement ----------

  /** Hosts that satisfy the template ignoring occupancy and blacklist; or the reason none does. */
  staticCandidates(tpl: NormTemplate): { hosts: HostState[]; reason?: string } {
    const steps: Array<[() => string, (h: HostState) => boolean]> = [
      [() => `GPU型号不存在: ${tpl.gpuNames.join(', ')} (可用: ${this.gpuNames().join(', ')})`, (h) => tpl.gpuNames.includes(h.cfg.gpu_name)],
      [() => `所选数据中心 ${(tpl.dcList ?? []).join(', ')} 没有所需GPU型号的主机`, (h) => !tpl.dcList || tpl.dcList.includes(h.cfg.data_center)],
      [() => `没有单台主机拥有 ${tpl.gpuNum} 张所需GPU`, (h) => h.cfg.gpu_num >= tpl.gpuNum],
      [() => `没有主机的驱动支持 CUDA ${tpl.cudaMin}`, (h) => h.cfg.max_cuda >= tpl.cudaMin],
      [
        () => `CPU 核数范围 [${tpl.cpuFrom ?? ''}, ${tpl.cpuTo ?? ''}] 无法满足 (每卡 CPU 由主机决定)`,
        (h) => inRange(h.cpuShare * tpl.gpuNum, tpl.cpuFrom, tpl.cpuTo),
      ],
      [
        () => `内存范围 [${tpl.memFrom ?? ''}, ${tpl.memTo ?? ''}] GB 无法满足 (每卡内存由主机决定)`,
        (h) => inRange(h.memShareGb * tpl.gpuNum, tpl.memFrom, tpl.memTo),
      ],
      [() => `价格范围 [${tpl.priceFrom ?? ''}, ${tpl.priceTo ?? ''}] 无法满足`, (h) => inRange(h.cfg.price_per_gpu, tpl.priceFrom, tpl.priceTo)],
    ];
    let hosts = this.hostsState;
    for (const [reason, pred] of steps) {
      hosts = hosts.filter(pred);
      if (hosts.length === 0) return { hosts, reason: reason() };
    }
    return { hosts };
  }

  private reconcile(): void {
    if (!this.dirty || this.wanting.size === 0) return;
    this.dirty = false;
    for (const dep of [...this.wanting]) {
      if (this.reconcileDeployment(dep)) this.wanting.delete(dep);
    }
  }

  /** Returns true when the deployment needs nothing more right now. */
  private reconcileDeployment(dep: DeploymentState): boolean {
    if (dep.status !== 'running' || dep.deleted) return true;
    const active = [...dep.live];
    let need: number;
    if (dep.type === 'ReplicaSet') {
      if (active.length > dep.replicaNum) {
        // scale down: not-yet-running first, newest first
        const victims = [...active].sort((a, b) => {
          const ar = a.status === 'running' ? 1 : 0;
          const br = b.status === 'running' ? 1 : 0;
          return ar - br || b.createdAt - a.createdAt;
        });
        for (const c of victims.slice(0, active.length - dep.replicaNum)) this.beginShutdown(c, 'scaled');
        return true;
      }
      need = dep.replicaNum - active.length;
    } else {
      const remaining = dep.replicaNum - dep.finished - active.length;
      need = Math.max(0, Math.min(dep.parallelism - active.length, remaining));
    }
    while (need > 0) {
      if (!this.placeOne(dep)) return false;
      need--;
    }
    return true;
  }

  private placeOne(dep: DeploymentState): boolean {
    const tpl = dep.template;
    const tenant = dep.tenant;
    const candidates = dep.staticHosts.filter((h) => {
      if (this.idle(h) < tpl.gpuNum) return false;
      const bl = tenant.blacklist.get(h.cfg.machine_id);
      return !(bl && bl.expiresAt > this.t);
    });
    if (candidates.length === 0) return false;
    let host: HostState | undefined;
    let reuseFrom: ContainerState | undefined;
    if (dep.reuse) {
      // the cache is in stop order (pushed when a container reaches shutdown, on a clock that
      // only moves forward) and holds no consumed entry (removed when taken): the expired ones
      // are a prefix, and the first match is the oldest reusable container, as before
      const cache = tenant.cache;
      let expired = 0;
      while (expired < cache.length && cache[expired]!.stoppedAt! + this.timings.cacheMs <= this.t) expired++;
      if (expired > 0) cache.splice(0, expired);
      const at = cache.findIndex(
        (c) =>
          (dep.reuseScope === 'all' || c.dep === dep) &&
          c.dep.template.imageUuid === tpl.imageUuid &&
          candidates.includes(c.host),
      );
      if (at >= 0) {
        reuseFrom = cache[at]!;
        cache.splice(at, 1);
        reuseFrom.cacheConsumed = true;
        host = reuseFrom.host;
      }
    }
    // staticHosts is sorted by price: the first candidate is the cheapest
    host ??= candidates[0]!;
    this.startContainer(dep, host, reuseFrom !== undefined);
    return true;
  }

  // ---------- containers ----------

  private setStatus(c: ContainerState, status: ContainerStatus): void {
    c.status = status;
    c.updatedAt = this.t;
    if (ACTIVE.has(status)) c.dep.live.add(c);
    else c.dep.live.delete(c);
    // The event list names only some moves, and not the same ones per host: public
    // (Rookie-Package/autodl) starting, running, shutting_down, shutdown, removed; private
    // (XR-Lee/Gemcp) created, starting, running, shutdown. The container list shows every status.
    if ((this.dialect === 'public' ? PUBLIC_EVENTS : PRIVATE_EVENTS).has(status)) this.event(c, status);
  }

  private event(c: ContainerState, status: string): void {
    c.dep.events.push(c.uuid, status, this.t);
  }

  private startContainer(dep: DeploymentState, host: HostState, reused: boolean): void {
    const suffix = hexFrom(this.idRng, 8);
    const port = 10000 + Math.floor(this.idRng() * 50000);
    // private: <deployment>-<machine>-<8 hex> (busstop12); public: four dash-separated parts
    // that do not start with the deployment uuid (Rookie-Package/autodl: 5dec112cb6-314744b79a-f1156c1ed8-39a9d230d)
    const uuid =
      this.dialect === 'public'
        ? flatString(`${hexFrom(this.idRng, 10)}-${hexFrom(this.idRng, 10)}-${hexFrom(this.idRng, 10)}-${hexFrom(this.idRng, 9)}`)
        : flatString(`${dep.uuid}-${host.cfg.machine_id}-${suffix}`);
    const c = new ContainerState({
      id: this.nextContainerId++,
      uuid,
      updatedAt: this.t,
      dep,
      host,
      status: 'creating',
      createdAt: this.t,
      startedAt: null,
      stoppedAt: null,
      plan: dep.plan,
      reused,
      gen: 0,
      exitCode: null,
      endReason: null,
      noCache: false,
      cacheConsumed: false,
      holdsGpu: true,
      port,
      suffix,
      rootPassword: this.rootPassword(),
    });
    host.userUsed += dep.template.gpuNum;
    dep.containers.push(c);
    dep.tenant.containerByUuid.set(c.uuid, c);
    this.setStatus(c, 'creating');
    const total = reused ? this.timings.reuseStartMs : this.timings.coldStartMs;
    const t1 = this.timings.creatingMs;
    const t2 = t1 + Math.round(total * 0.2);
    const t3 = t1 + Math.round(total * 0.6);
    const t4 = t1 + total;
    this.after(c, t1, () => this.setStatus(c, 'created'));
    this.after(c, t2, () => this.setStatus(c, 'starting'));
    this.after(c, t3, () => this.setStatus(c, 'oss_merged'));
    this.after(c, t4, () => {
      this.setStatus(c, 'running');
      c.startedAt = this.t;
      const plan = c.plan;
      if (plan.kind === 'exit') {
        this.after(c, plan.afterMs, () => {
          c.exitCode = plan.code;
          if (plan.code === 0) dep.finished++;
          else dep.failed++;
          this.beginShutdown(c, 'exit');
        });
      }
    });
  }

  /** 9 random bytes as base64url (12 characters), cut from a pool drawn 4 kB at a time. */
  private rootPassword(): string {
    if (this.pwPos + 9 > this.pwPool.length) {
      this.pwPool = randomBytes(9 * 455);
      this.pwPos = 0;
    }
    const pw = this.pwPool.toString('base64url', this.pwPos, this.pwPos + 9);
    this.pwPos += 9;
    return pw;
  }

  /** Schedule `fn` for container `c`, cancelled when the container's generation changes. */
  private after(c: ContainerState, delayMs: number, fn: () => void): void {
    const gen = c.gen;
    this.schedule(delayMs, () => {
      if (c.gen === gen) fn();
    });
  }

  /**
   * How long a container stays shutting_down: `shutdownMs`, plus the lifetime of its
   * cmd_before_shutdown (read like a cmd) when it is stopped rather than ending by itself,
   * at most HOOK_LIMIT_MS (one that never ends is cut there).
   */
  private shutdownDelay(c: ContainerState, reason: EndReason, hook: string | undefined): number {
    if (reason === 'exit' || c.status !== 'running') return this.timings.shutdownMs;
    const cmd = hook ?? c.dep.template.cmdBeforeShutdown;
    if (!cmd) return this.timings.shutdownMs;
    const plan = planCmd(cmd, 0);
    return this.timings.shutdownMs + Math.min(plan.kind === 'forever' ? HOOK_LIMIT_MS : plan.afterMs, HOOK_LIMIT_MS);
  }

  private beginShutdown(c: ContainerState, reason: EndReason, hook?: string): void {
    if (!ACTIVE.has(c.status)) return;
    const delay = this.shutdownDelay(c, reason, hook);
    c.gen++; // cancel pending start/exit timers
    c.endReason = reason;
    const dep = c.dep;
    if (reason === 'stopped' && dep.type !== 'ReplicaSet' && c.exitCode === null) {
      // a Job/Container container stopped by the user counts as done and is not replaced
      dep.finished++;
    }
    this.setStatus(c, 'shutting_down');
    this.wake(dep);
    this.after(c, delay, () => {
      c.stoppedAt = this.t;
      this.setStatus(c, 'shutdown');
      if (c.holdsGpu) {
        c.host.userUsed -= dep.template.gpuNum;
        c.holdsGpu = false;
        this.wake();
      }
      if (!c.noCache) {
        dep.tenant.cache.push(c);
        if (dep.deleted) this.setStatus(c, 'in_cache');
      }
      if (this.dialect === 'public') this.schedule(this.timings.removedMs, () => this.event(c, 'removed'));
    });
  }

  // ---------- tenant operations (endpoints) ----------

  /**
   * Private images, per dialect: public items are exactly {id, image_name, image_uuid}
   * (Rookie-Package/autodl, fxp/skillify); private items {id, image_uuid, name, status} (busstop12).
   */
  listImages(t: Tenant): PrivateImage[] {
    if (this.dialect === 'public') {
      return t.images.map((i) => ({ id: i.id, image_name: i.name, image_uuid: i.image_uuid }) as unknown as PrivateImage);
    }
    return t.images.map((i) => ({ id: i.id, image_uuid: i.image_uuid, name: i.name, status: i.status }));
  }

  /**
   * System images (endpoint 14): {image_uuid, name, url, cuda_version, chip_corp, cpu_arch}
   * (busstop12 system-images.md, private). Private uuids `base-image-` + 12 hex; public ones
   * 10 lowercase letters/digits (the recorded public uuids where known).
   */
  systemImages(): SystemImage[] {
    return SYSTEM_IMAGES.map(
      (s) =>
        ({
          image_uuid: this.dialect === 'public' ? s.publicUuid : `base-image-${stableHex(s.name, 12)}`,
          name: s.name,
          url: `ccr.ccs.tencentyun.com/autodl-${this.dialect === 'public' ? 'public' : 'private-cloud'}/${s.name}`,
          cuda_version: s.cuda_version,
          chip_corp: 'nvidia',
          cpu_arch: 'x86',
        }) as unknown as SystemImage,
    );
  }

  /** The name of an image the tenant may create from: its own private images, then the system images. */
  private imageNameOf(t: Tenant, uuid: string): string | undefined {
    const own = t.images.find((i) => i.image_uuid === uuid);
    if (own) return own.name;
    return this.systemImages().find((s) => s.image_uuid === uuid)?.name;
  }

  createDeployment(t: Tenant, input: CreateInput): string {
    const imageName = this.imageNameOf(t, input.template.imageUuid);
    if (imageName === undefined) {
      // recorded on the public host: {"code":"RecordNotFoundError","data":null,"msg":"私有镜像不存在"}, HTTP 200, no request_id
      throw new SimError(CODES.imageNotFound, this.dialect === 'public' ? '私有镜像不存在' : '镜像不存在', 200, true);
    }
    const { hosts, reason } = this.staticCandidates(input.template);
    if (hosts.length === 0) {
      throw new SimError(CODES.unsatisfiable, `没有任何主机能满足该容器模板: ${reason ?? ''}`);
    }
    // deployment uuids: 15 hex on the private cloud (busstop12), 10 on the public host (Rookie-Package/autodl)
    const uuidLen = this.dialect === 'public' ? 10 : 15;
    let uuid = hexFrom(this.idRng, uuidLen);
    while (t.depByUuid.has(uuid)) uuid = hexFrom(this.idRng, uuidLen);
    const dep: DeploymentState = {
      uuid,
      tenant: t,
      name: input.name,
      type: input.deployment_type,
      replicaNum: input.deployment_type === 'Container' ? 1 : input.replica_num,
      parallelism: input.deployment_type === 'Job' ? input.parallelism_num : input.deployment_type === 'Container' ? 1 : input.replica_num,
      reuse: input.reuse_container,
      reuseScope: input.reuse_container_scope,
      template: input.template,
      rawTemplate: input.rawTemplate,
      status: 'running',
      deleted: false,
      createdAt: this.t,
      stoppedAt: null,
      containers: [],
      live: new Set(),
      events: new EventLog(),
      plan: planCmd(input.template.cmd, this.defaultCmdSeconds),
      finished: 0,
      failed: 0,
      unitPrice: Math.min(...hosts.map((h) => h.cfg.price_per_gpu)),
      staticHosts: [...hosts].sort((a, b) => a.cfg.price_per_gpu - b.cfg.price_per_gpu),
      id: this.nextDepId++,
      updatedAt: this.t,
      imageName,
    };
    t.deployments.push(dep);
    t.visible.push(dep);
    t.depByUuid.set(uuid, dep);
    this.wake(dep);
    this.reconcile();
    return uuid;
  }

  private dep(t: Tenant, uuid: string): DeploymentState {
    const d = t.depByUuid.get(uuid);
    if (!d || d.deleted) throw new SimError(CODES.notFound, `部署不存在: ${uuid}`);
    return d;
  }

  /** Every deployment the list shows for this filter (newest first), in wire form. */
  listDeployments(t: Tenant, f: DeploymentFilter): Deployment[] {
    const m = this.matchingDeployments(t, f);
    const out: Deployment[] = [];
    for (let i = 0; i < m.total; i++) out.push(this.wireDeployment(m.at(i)));
    return out;
  }

  /**
   * One page of the list: the same as paginating `listDeployments`, but only the page's items
   * are put in wire form, so a page without a filter (or by uuid) costs O(page size); a name or
   * status filter compares those two fields of every deployment (no wire form, no container).
   */
  deploymentsPage(t: Tenant, f: DeploymentFilter, pg: PageArgs): PageResult<Deployment> {
    const m = this.matchingDeployments(t, f);
    return paginateView(m.total, (i) => this.wireDeployment(m.at(i)), pg.page_index, pg.page_size, pg.offset);
  }

  /** The deployments matching `f`, newest first, as a count and an accessor. */
  private matchingDeployments(t: Tenant, f: DeploymentFilter): { total: number; at: (i: number) => DeploymentState } {
    const byName = f.name !== undefined && f.name !== '' ? f.name : undefined;
    const byStatus = f.status !== undefined && f.status !== '' ? f.status : undefined;
    const keep = (d: DeploymentState) => (byName === undefined || d.name.includes(byName)) && (byStatus === undefined || d.status === byStatus);
    if (f.deployment_uuid !== undefined) {
      const d = t.depByUuid.get(f.deployment_uuid);
      const hit = d !== undefined && !d.deleted && keep(d) ? [d] : [];
      return { total: hit.length, at: (i) => hit[i]! };
    }
    const all = t.visible;
    if (byName === undefined && byStatus === undefined) return { total: all.length, at: (i) => all[all.length - 1 - i]! };
    const hits: DeploymentState[] = [];
    for (let i = all.length - 1; i >= 0; i--) if (keep(all[i]!)) hits.push(all[i]!);
    return { total: hits.length, at: (i) => hits[i]! };
  }

  /** The fields that lead every deployment item, in the platform's order (full and brief list alike). */
  private identity(d: DeploymentState) {
    return { id: d.id, uid: d.tenant.uid, uuid: d.uuid, name: d.name, deployment_type: d.type, status: d.status };
  }

  private wireDeployment(d: DeploymentState): Deployment {
    let starting = 0;
    let running = 0;
    for (const c of d.live) {
      if (STARTING.has(c.status)) starting++;
      else if (c.status === 'running') running++;
    }
    const concurrent = d.type === 'ReplicaSet' ? d.replicaNum : Math.min(d.parallelism, d.replicaNum);
    const pub = this.dialect === 'public';
    return {
      ...this.identity(d),
      replica_num: d.replicaNum,
      parallelism_num: d.parallelism,
      reuse_container: d.reuse,
      starting_num: starting,
      running_num: running,
      finished_num: d.finished,
      failed_num: d.failed,
      price_estimates: concurrent * d.template.gpuNum * d.unitPrice,
      image_uuid: d.template.imageUuid,
      ...(pub ? { region_sign: '', dc_list: [...(d.template.dcList ?? [])], gpu_name_set: [...d.template.gpuNames] } : {}),
      template: this.wireTemplate(d),
      created_at: fmtTime(d.createdAt),
      updated_at: fmtTime(d.updatedAt),
      stopped_at: d.stoppedAt === null ? null : fmtTime(d.stoppedAt),
    } as Deployment;
  }

  /**
   * The template as a list reports it (busstop12): what was sent, with `memory_size_from/to`
   * in BYTES (1 GB → 1073741824) and `image_name`; on the public host also `region_sign`,
   * `dc_list` and `gpu_name_set` (a public client reads them from each deployment).
   */
  private wireTemplate(d: DeploymentState): Record<string, unknown> {
    const tpl: Record<string, unknown> = { ...d.rawTemplate, image_name: d.imageName };
    // every range field is reported, the unsent ones as 0 (a guess: the zero value of a typed
    // backend; the recorded templates carry them all)
    const ints = ['cpu_num_from', 'cpu_num_to', 'memory_size_from', 'memory_size_to', 'price_from', 'price_to'];
    ints.push(...(this.dialect === 'public' ? ['cuda_v_from', 'cuda_v_to'] : ['cuda_v']));
    for (const k of ints) if (typeof tpl[k] !== 'number') tpl[k] = 0;
    for (const k of ['memory_size_from', 'memory_size_to']) {
      const v = tpl[k];
      if (typeof v === 'number') tpl[k] = Math.round(v * GB);
    }
    if (this.dialect === 'public') {
      if (typeof tpl.region_sign !== 'string') tpl.region_sign = '';
      tpl.dc_list = [...(d.template.dcList ?? [])];
      tpl.gpu_name_set = [...d.template.gpuNames];
    }
    return tpl;
  }

  /**
   * The item of `GET …/deployment/list` (no body): exactly id, uid, uuid, name, deployment_type,
   * status, region_sign, dc_list, gpu_name_set, created_at (Rookie-Package/autodl, public).
   */
  briefDeployments(t: Tenant): Array<Record<string, unknown>> {
    const all = t.visible;
    const out: Array<Record<string, unknown>> = [];
    for (let i = all.length - 1; i >= 0; i--) out.push(this.briefDeployment(all[i]!));
    return out;
  }

  /** One page of `briefDeployments`, building only the page's items. */
  briefDeploymentsPage(t: Tenant, pg: PageArgs): PageResult<Record<string, unknown>> {
    const all = t.visible;
    return paginateView(all.length, (i) => this.briefDeployment(all[all.length - 1 - i]!), pg.page_index, pg.page_size, pg.offset);
  }

  private briefDeployment(d: DeploymentState): Record<string, unknown> {
    return {
      ...this.identity(d),
      region_sign: typeof d.rawTemplate.region_sign === 'string' ? d.rawTemplate.region_sign : '',
      dc_list: [...(d.template.dcList ?? [])],
      gpu_name_set: [...d.template.gpuNames],
      created_at: fmtTime(d.createdAt),
    };
  }

  private wireContainer(c: ContainerState): Container {
    const g = c.dep.template.gpuNum;
    return {
      id: c.id,
      uuid: c.uuid,
      deployment_uuid: c.dep.uuid,
      machine_id: c.host.cfg.machine_id,
      data_center: c.host.cfg.data_center,
      status: c.status,
      gpu_name: c.host.cfg.gpu_name,
      gpu_num: g,
      cpu_num: c.host.cpuShare * g,
      memory_size: Math.round(c.host.memShareGb * g * GB),
      image_uuid: c.dep.template.imageUuid,
      price: c.host.cfg.price_per_gpu * g,
      info: c.wireInfo(),
      started_at: c.startedAt === null ? null : fmtTime(c.startedAt),
      stopped_at: c.stoppedAt === null ? null : fmtTime(c.stoppedAt),
      created_at: fmtTime(c.createdAt),
      updated_at: fmtTime(c.updatedAt),
    } as Container;
  }

  /** Containers of a deployment (also of a deleted one); another tenant's uuid gives an empty list. */
  listContainers(t: Tenant, deploymentUuid: string, f: ContainerFilter): Container[] {
    return this.matchingContainers(t, deploymentUuid, f).map((c) => this.wireContainer(c));
  }

  /** One page of `listContainers`, putting only the page's containers in wire form. */
  containersPage(t: Tenant, deploymentUuid: string, f: ContainerFilter, pg: PageArgs): PageResult<Container> {
    const all = this.matchingContainers(t, deploymentUuid, f);
    return paginateView(all.length, (i) => this.wireContainer(all[i]!), pg.page_index, pg.page_size, pg.offset);
  }

  private matchingContainers(t: Tenant, deploymentUuid: string, f: ContainerFilter): ContainerState[] {
    const d = t.depByUuid.get(deploymentUuid);
    if (!d) return [];
    const statuses = f.status && f.status.length > 0 ? new Set(f.status) : undefined;
    const out: ContainerState[] = [];
    for (const c of d.containers) {
      if (f.container_uuid !== undefined && f.container_uuid !== '' && c.uuid !== f.container_uuid) continue;
      if (f.date_from !== undefined && c.createdAt < f.date_from) continue;
      if (f.date_to !== undefined && c.createdAt > f.date_to) continue;
      if (f.gpu_name !== undefined && f.gpu_name !== '' && c.host.cfg.gpu_name !== f.gpu_name) continue;
      const g = d.template.gpuNum;
      if (!inRange(c.host.cpuShare * g, f.cpu_num_from, f.cpu_num_to)) continue;
      if (!inRange(c.host.memShareGb * g * GB, f.memory_from_bytes, f.memory_to_bytes)) continue;
      if (!inRange(c.host.cfg.price_per_gpu * g, f.price_from, f.price_to)) continue;
      if (f.released !== undefined) {
        const released = c.status === 'shutdown' || c.status === 'in_cache';
        if (released !== f.released) continue;
      }
      if (statuses && !statuses.has(c.status)) continue;
      out.push(c);
    }
    return out;
  }

  listEvents(t: Tenant, deploymentUuid: string, containerUuid?: string): ContainerEvent[] {
    const m = this.matchingEvents(t, deploymentUuid, containerUuid);
    const out: ContainerEvent[] = [];
    for (let i = 0; i < m.total; i++) out.push(m.at(i));
    return out;
  }

  /** One page of `listEvents` (newest first), formatting only the page's events. */
  eventsPage(t: Tenant, deploymentUuid: string, containerUuid: string | undefined, pg: PageArgs): PageResult<ContainerEvent> {
    const m = this.matchingEvents(t, deploymentUuid, containerUuid);
    return paginateView(m.total, m.at, pg.page_index, pg.page_size, pg.offset);
  }

  /** Newest first, as the public host lists them (Rookie-Package/autodl). */
  private matchingEvents(t: Tenant, deploymentUuid: string, containerUuid?: string): { total: number; at: (i: number) => ContainerEvent } {
    const d = t.depByUuid.get(deploymentUuid);
    if (!d) return { total: 0, at: () => undefined as never };
    const log = d.events;
    if (containerUuid === undefined || containerUuid === '') return { total: log.length, at: (i) => log.wire(log.length - 1 - i) };
    const idx = log.indicesOf(containerUuid);
    return { total: idx.length, at: (i) => log.wire(idx[idx.length - 1 - i]!) };
  }

  private container(t: Tenant, uuid: string): ContainerState {
    const c = t.containerByUuid.get(uuid);
    if (!c) throw new SimError(CODES.notFound, `容器不存在: ${uuid}`);
    return c;
  }

  stopContainer(t: Tenant, uuid: string, opts: { decrease_one_replica_num?: boolean; no_cache?: boolean; cmd_before_shutdown?: string }): void {
    const c = this.container(t, uuid);
    if (opts.no_cache) c.noCache = true;
    if (!ACTIVE.has(c.status)) return; // already stopping or stopped: nothing to do
    const dep = c.dep;
    if (opts.decrease_one_replica_num && dep.type === 'ReplicaSet' && dep.replicaNum > 0) dep.replicaNum--;
    this.beginShutdown(c, 'stopped', opts.cmd_before_shutdown);
    this.reconcile();
  }

  setReplicas(t: Tenant, uuid: string, n: number): void {
    const d = this.dep(t, uuid);
    if (d.type !== 'ReplicaSet') throw new SimError(CODES.notAllowed, `仅 ReplicaSet 类型的部署可以修改副本数 (当前: ${d.type})`);
    d.replicaNum = n;
    d.updatedAt = this.t;
    // recorded (Rookie-Package/autodl): a stopped ReplicaSet takes a new count with Success;
    // it stays stopped and starts nothing
    if (d.status !== 'running') return;
    this.wake(d);
    this.reconcile();
  }

  stopDeployment(t: Tenant, uuid: string): void {
    const d = this.dep(t, uuid);
    this.stopDep(d);
  }

  private stopDep(d: DeploymentState): void {
    if (d.status === 'stopped') return;
    d.status = 'stopped';
    d.stoppedAt = this.t;
    d.updatedAt = this.t;
    this.wanting.delete(d);
    for (const c of [...d.live]) this.beginShutdown(c, 'deployment_stopped');
    this.wanting.delete(d);
  }

  deleteDeployment(t: Tenant, uuid: string): void {
    const d = this.dep(t, uuid);
    this.stopDep(d);
    d.deleted = true;
    const i = t.visible.lastIndexOf(d);
    if (i >= 0) t.visible.splice(i, 1);
    for (const c of d.containers) {
      if (c.status === 'shutdown' && !c.noCache) this.setStatus(c, 'in_cache');
    }
  }

  addBlacklist(t: Tenant, containerUuid: string, minutes: number, comment: string): void {
    const c = this.container(t, containerUuid);
    const h = c.host.cfg;
    const prev = t.blacklist.get(h.machine_id);
    t.blacklist.set(h.machine_id, {
      machine_id: h.machine_id,
      data_center: h.data_center,
      expiresAt: this.t + minutes * 60_000,
      msg: comment,
      createdAt: prev?.createdAt ?? this.t,
    });
    // expiry frees the host for waiting deployments: wake the scheduler then
    const at = minutes * 60_000;
    this.schedule(at, () => {
      for (const d of t.deployments) if (d.status === 'running' && !d.deleted) this.wake(d);
    });
  }

  listBlacklist(t: Tenant): BlacklistEntry[] {
    const out: BlacklistEntry[] = [];
    for (const [id, b] of t.blacklist) {
      if (b.expiresAt <= this.t) {
        t.blacklist.delete(id);
        continue;
      }
      out.push({ machine_id: b.machine_id, data_center: b.data_center, expired_time: fmtTime(b.expiresAt), msg: b.msg, created_at: fmtTime(b.createdAt) });
    }
    return out;
  }

  /**
   * Duration packages (endpoint 15), a guess: one entry per GPU type of the template, a 100-hour
   * package per type, balance reduced by the GPU-seconds the deployment's containers ran on it.
   */
  ddpOverview(t: Tenant, uuid: string): DdpOverview[] {
    const d = this.dep(t, uuid);
    const total = 100 * 3600;
    return d.template.gpuNames.map((g) => {
      let used = 0;
      for (const c of d.containers) {
        if (c.host.cfg.gpu_name !== g || c.startedAt === null) continue;
        const end = c.stoppedAt ?? this.t;
        used += Math.max(0, Math.floor((end - c.startedAt) / 1000)) * d.template.gpuNum;
      }
      const dcs = [...new Set(this.hostsState.filter((h) => h.cfg.gpu_name === g).map((h) => h.cfg.data_center))];
      return { gpu_type: g, total, balance: Math.max(0, total - used), dc_list: d.template.dcList ? dcs.filter((x) => d.template.dcList!.includes(x)) : dcs };
    });
  }

  // ---------- admin views ----------

  allDeployments(includeDeleted = false): AdminDeploymentView[] {
    const out: AdminDeploymentView[] = [];
    for (const t of this.tenantList) {
      for (const d of t.deployments) {
        if (d.deleted && !includeDeleted) continue;
        out.push({ ...this.wireDeployment(d), tenant: t.name, deleted: d.deleted });
      }
    }
    return out;
  }

  /** Number of containers holding GPUs, all tenants (for assertions). */
  activeContainerCount(): number {
    let n = 0;
    for (const t of this.tenantList) for (const c of t.containerByUuid.values()) if (c.holdsGpu) n++;
    return n;
  }
}

/**
 * Region-stock filters (fxp/skillify: gpu_name_set, cuda_v_from/to, cpu/memory/price ranges).
 * Read as placement reads a template of one GPU: CUDA compares `max_cuda ≥ cuda_v_from`
 * (cuda_v_to ignored, like placement), cpu/memory/price the per-GPU unit. 0 = no bound.
 */
export interface StockFilter {
  gpuNames?: string[];
  cudaFrom?: number;
  cpuFrom?: number;
  cpuTo?: number;
  memFrom?: number;
  memTo?: number;
  priceFrom?: number;
  priceTo?: number;
}

function stockMatches(h: HostState, f: StockFilter): boolean {
  if (f.gpuNames && f.gpuNames.length > 0 && !f.gpuNames.includes(h.cfg.gpu_name)) return false;
  if (f.cudaFrom !== undefined && h.cfg.max_cuda < f.cudaFrom) return false;
  return inRange(h.cpuShare, f.cpuFrom, f.cpuTo) && inRange(h.memShareGb, f.memFrom, f.memTo) && inRange(h.cfg.price_per_gpu, f.priceFrom, f.priceTo);
}

/**
 * A copy of `s` as one flat string: a template literal is a tree of concatenations that V8
 * keeps as such (~130 bytes for a 36-character container uuid instead of ~50).
 */
function flatString(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

function containerInfo(c: ContainerState): Container['info'] {
  const { port, suffix } = c;
  const proxy = `connect.${c.host.cfg.data_center.toLowerCase()}.autodl-sim.local`;
  return {
    ssh_command: `ssh -p ${port} root@${proxy}`,
    root_password: c.rootPassword,
    proxy_host: proxy,
    custom_port: port,
    service_url: `https://u${suffix}-${port}.${proxy}:8443`,
    service_6006_port_url: `https://u${suffix}-6006.${proxy}:8443`,
    service_6008_port_url: `https://u${suffix}-6008.${proxy}:8443`,
  };
}

function inRange(v: number, from?: number, to?: number): boolean {
  if (from !== undefined && v < from) return false;
  if (to !== undefined && v > to) return false;
  return true;
}
