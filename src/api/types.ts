// Wire types of AutoDL's elastic-deployment API (../shared/autodl-api.md).
// Shared by the SDK (src/api) and the simulator (src/sim): the simulator imports
// only these types from api/, nothing else.

export type Dialect = 'private' | 'public';

export const PRIVATE_HOST = 'https://private.autodl.com';
export const PUBLIC_HOST = 'https://api.autodl.com';

/** Known CUDA codes (118 = CUDA 11.8). Newer public hosts list higher ones too. */
export const CUDA_CODES = [111, 113, 116, 117, 118, 120, 122, 124, 126, 128] as const;

export type DeploymentType = 'ReplicaSet' | 'Job' | 'Container';

export type ContainerStatus =
  | 'creating'
  | 'created'
  | 'starting'
  | 'oss_merged'
  | 'running'
  | 'shutting_down'
  | 'shutdown'
  | 'in_cache';

export const CONTAINER_STATUSES: readonly ContainerStatus[] = [
  'creating',
  'created',
  'starting',
  'oss_merged',
  'running',
  'shutting_down',
  'shutdown',
  'in_cache',
];

/** Every reply: HTTP 200 with this envelope on success; another `code` on a logical failure. */
export interface Envelope<T = unknown> {
  code: string;
  msg: string;
  data: T;
  /** public dialect only */
  request_id?: string;
}

export interface PageRequest {
  page_index: number;
  page_size: number;
  offset?: number;
}

export interface Page<T> {
  list: T[];
  page_index: number;
  page_size: number;
  offset: number;
  max_page: number;
  result_total: number;
}

// ---------- create ----------

export interface ContainerTemplateBase {
  gpu_name_set: string[];
  gpu_num: number;
  cpu_num_from?: number;
  cpu_num_to?: number;
  /** GB */
  memory_size_from?: number;
  /** GB */
  memory_size_to?: number;
  /** milli-yuan per hour (100 = 0.1 yuan) */
  price_from?: number;
  /** milli-yuan per hour */
  price_to?: number;
  image_uuid: string;
  cmd: string;
  cmd_before_shutdown?: string;
  service_6006_port_protocol?: 'http' | 'tcp';
  service_6008_port_protocol?: 'http' | 'tcp';
}

/** Private dialect: one minimum CUDA code. */
export interface PrivateContainerTemplate extends ContainerTemplateBase {
  cuda_v: number;
}

/** Public dialect: a CUDA range and the data centres to run in. */
export interface PublicContainerTemplate extends ContainerTemplateBase {
  cuda_v_from: number;
  cuda_v_to: number;
  dc_list: string[];
}

export type ContainerTemplate = PrivateContainerTemplate | PublicContainerTemplate;

/** A container template in either CUDA form (what users write; what toDialectBody accepts). */
export type AnyContainerTemplate = ContainerTemplateBase & {
  cuda_v?: number;
  cuda_v_from?: number;
  cuda_v_to?: number;
  dc_list?: string[];
};

/**
 * The one create body. Unparameterised it is what users write and the SDK accepts (either CUDA
 * form, converted to the client's dialect); `CreateDeploymentBody<PrivateContainerTemplate>` and
 * `<PublicContainerTemplate>` are the two wire forms.
 */
export interface CreateDeploymentBody<T extends ContainerTemplateBase = AnyContainerTemplate> {
  name: string;
  deployment_type: DeploymentType;
  replica_num?: number;
  parallelism_num?: number;
  reuse_container?: boolean;
  reuse_container_scope?: 'all' | 'deployment';
  container_template: T;
}

export interface CreateDeploymentResult {
  deployment_uuid: string;
}

// ---------- objects ----------

/**
 * A deployment as the list endpoints report it. Only `uuid` is sure: the public host's
 * `GET …/deployment/list` items carry exactly id, uid, uuid, name, deployment_type, status,
 * region_sign, dc_list, gpu_name_set, created_at — no counts, no template (recorded). Every
 * other field may be absent: readers must treat an absent count as "not reported", never as 0.
 */
export interface Deployment {
  uuid: string;
  name: string;
  deployment_type: DeploymentType;
  /** 'running' | 'stopped' | … — a finished Job can still say 'running': read completion from the counts. */
  status: string;
  replica_num?: number;
  parallelism_num?: number;
  reuse_container?: boolean;
  starting_num?: number;
  running_num?: number;
  finished_num?: number;
  failed_num?: number;
  /** milli-yuan per hour, as the platform estimates it */
  price_estimates?: number;
  image_uuid?: string;
  /**
   * The container template as the platform reports it: memory_size_from/to in BYTES here
   * (1073741824 = 1 GB; GB in a create), image_name beside image_uuid (private, recorded).
   */
  template?: Record<string, unknown>;
  created_at: string;
  stopped_at?: string | null;
  updated_at?: string;
  /** integer ids (recorded on both hosts) */
  id?: number;
  uid?: number;
  /** public GET list items carry these at the top level instead of in a template */
  region_sign?: string;
  dc_list?: string[];
  gpu_name_set?: string[];
}

export interface ContainerInfo {
  ssh_command: string;
  root_password: string;
  proxy_host: string;
  custom_port: number;
  service_url: string;
  service_6006_port_url: string;
  service_6008_port_url: string;
}

export interface Container {
  /** `<deployment_uuid>-<machine_id>-<suffix>` */
  uuid: string;
  deployment_uuid: string;
  machine_id: string;
  data_center: string;
  status: ContainerStatus | string;
  gpu_name: string;
  gpu_num: number;
  cpu_num: number;
  /** bytes */
  memory_size: number;
  image_uuid: string;
  /** milli-yuan per hour */
  price: number;
  /** holds secrets (root_password): never log or persist unasked */
  info: ContainerInfo;
  started_at: string | null;
  stopped_at: string | null;
  created_at: string;
}

export interface ContainerEvent {
  deployment_container_uuid: string;
  status: ContainerStatus | string;
  created_at: string;
}

export interface PrivateImage {
  id: number;
  image_uuid: string;
  /** the SDK fills both name and image_name: the public host sends image_name only (recorded), the private cloud name */
  name: string;
  image_name?: string;
  /** absent on the public host (recorded) */
  status?: string;
}

/** A system (base) image of `/api/v2/image/list`: usable in a create like a private one (recorded, both hosts). */
export interface SystemImage {
  /** absent on the private cloud (recorded) */
  id?: number;
  image_uuid: string;
  name: string;
  /** "12.4"; "" for an image without CUDA */
  cuda_version: string;
  url?: string;
  chip_corp?: string;
  cpu_arch?: string;
  framework?: string;
  status?: string;
}

export interface BlacklistEntry {
  machine_id: string;
  data_center: string;
  expired_time: string;
  msg: string;
  created_at: string;
}

export interface DdpOverview {
  gpu_type: string;
  /** seconds */
  total: number;
  /** seconds */
  balance: number;
  dc_list: string[];
}

// ---------- stock ----------

export interface StockItemWire {
  idle_gpu_num: number;
  total_gpu_num: number;
}

/** Private dialect: `data` is an object keyed by GPU name. */
export type PrivateStockWire = Record<string, StockItemWire>;
/** Public dialect: `data` is an array of one-key objects. */
export type PublicStockWire = Array<Record<string, StockItemWire>>;

/** Normalized stock, both dialects: `{ [gpuName]: { idle, total } }`. */
export type Stock = Record<string, { idle: number; total: number }>;

// ---------- request bodies ----------

export interface ListDeploymentsBody extends PageRequest {
  name?: string;
  status?: string;
  deployment_uuid?: string;
}

export interface ListEventsBody extends PageRequest {
  deployment_uuid: string;
  deployment_container_uuid?: string;
}

/**
 * Container list filters. On the platform `0` and `""` mean "no filter" (recorded: a body with
 * every *_from/*_to at 0, empty strings and status ["running"] returned the running
 * container): the SDK sends what it is given, 0 included, and omits what is not given.
 */
export interface ListContainersBody extends PageRequest {
  deployment_uuid: string;
  container_uuid?: string;
  date_from?: string;
  date_to?: string;
  gpu_name?: string;
  cpu_num_from?: number;
  cpu_num_to?: number;
  memory_size_from?: number;
  memory_size_to?: number;
  price_from?: number;
  price_to?: number;
  released?: boolean;
  status?: string[];
}

export interface StopContainerBody {
  deployment_container_uuid: string;
  decrease_one_replica_num?: boolean;
  no_cache?: boolean;
  cmd_before_shutdown?: string;
}

export interface SetReplicasBody {
  deployment_uuid: string;
  replica_num: number;
}

export interface OperateDeploymentBody {
  deployment_uuid: string;
  operate: 'stop';
}

export interface DeleteDeploymentBody {
  deployment_uuid: string;
}

export interface BlacklistBody {
  deployment_container_uuid: string;
  comment?: string;
  /** default 1440 (24 h), at most 43200 */
  expire_in_minutes?: number;
}

export interface RegionStockBody {
  region_sign?: string;
  dc_list?: string[];
}

/**
 * Method, path, number and retry safety of every endpoint: the one table in ./operations.ts
 * (OPERATIONS), under the name the simulator and the reliability tables know it by.
 */
export { OPERATIONS as ENDPOINTS, type OperationName as EndpointName } from './operations.js';

/** Data-centre ids seen on the public side. */
export const KNOWN_DATA_CENTERS = [
  'westDC2',
  'westDC3',
  'beijingDC1',
  'beijingDC2',
  'beijingDC3',
  'beijingDC4',
  'neimengDC1',
  'neimengDC3',
  'foshanDC1',
  'chongqingDC1',
  'yangzhouDC1',
] as const;
