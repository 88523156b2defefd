// Rows of `autodl watch`: the fields shown and emitted as NDJSON (never container info/secrets),
// and the changes between two snapshots. Pure.
import type { Container, ContainerEvent, Deployment } from '../api/types.js';
import { parseApiTime } from './time.js';

export interface DeploymentRow {
  uuid: string;
  name: string;
  deployment_type: string;
  status: string;
  /** what it is, read from the counts (deploymentPhase): "finished" for a Job done although its status says running */
  phase: string;
  /** null: the server did not report it (the public GET list has no counts), never read as 0 */
  replica_num: number | null;
  running_num: number | null;
  starting_num: number | null;
  finished_num: number | null;
  failed_num: number | null;
  gpu: string;
  /** the platform's estimate, yuan per hour */
  price_yuan_per_hour: number;
  created_at: string;
  age_seconds: number | null;
}

export interface ContainerRow {
  uuid: string;
  status: string;
  machine_id: string;
  data_center: string;
  gpu_name: string;
  gpu_num: number;
  price_yuan_per_hour: number;
  created_at: string;
  started_at: string | null;
  stopped_at: string | null;
  /** since started_at (or created_at before it started), up to stopped_at or now */
  age_seconds: number | null;
  /** shut down, cached or stopped: it bills nothing any more (no burn rate) */
  ended: boolean;
}

/** Container statuses after which a container runs (and bills) no more. */
export const ENDED_CONTAINER_STATUSES: readonly string[] = ['shutdown', 'in_cache', 'removed'];

/** A container that runs (and bills) no more: an ended status, or a stop time. */
export function containerEnded(c: Pick<Container, 'status' | 'stopped_at'>): boolean {
  return ENDED_CONTAINER_STATUSES.includes(String(c.status)) || (typeof c.stopped_at === 'string' && c.stopped_at !== '');
}

/**
 * What a deployment is, read from its counts: a Job (or Container) whose finished containers
 * reached its replicas is "finished" although the platform still says `running` (recorded);
 * "failed" when the failed ones make up the rest. Otherwise its status as the platform says it.
 */
export function deploymentPhase(d: Pick<Deployment, 'deployment_type' | 'status' | 'replica_num' | 'finished_num' | 'failed_num'>): string {
  if (d.deployment_type !== 'Job' && d.deployment_type !== 'Container') return d.status;
  if (d.status !== 'running') return d.status;
  const finished = reported(d.finished_num);
  if (finished === null) return d.status; // no counts (the public GET list): nothing to read
  const replicas = Math.max(1, reported(d.replica_num) ?? 1);
  const failed = reported(d.failed_num) ?? 0;
  if (finished >= replicas) return 'finished';
  if (failed > 0 && finished + failed >= replicas) return 'failed';
  return d.status;
}

/** True when the deployment bills nothing any more by its phase (finished, failed, stopped). */
export function deploymentEnded(phase: string): boolean {
  return phase === 'finished' || phase === 'failed' || phase === 'stopped';
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** A count as reported, or null when absent. */
function reported(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** 1 MiB: template memory values at or above it are bytes, below it GB (the platform reports bytes, a create takes GB). */
const BYTES_THRESHOLD = 1024 * 1024;
const GIB = 1024 ** 3;

/**
 * A deployment template's memory_size_from/to → GB. The platform reports bytes in a listed
 * template (1073741824 = 1 GB, recorded on the private cloud) although a create takes GB; a
 * value below 1 MiB is taken as GB already (what a simulator or an older host may echo).
 * undefined when absent or not a number.
 */
export function templateMemoryGb(v: unknown): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return undefined;
  const gb = v >= BYTES_THRESHOLD ? v / GIB : v;
  return Math.round(gb * 100) / 100;
}

/** What a deployment asked for, with explicit units (its template, memory converted to GB). */
export interface DeploymentResources {
  gpu_name_set: string[];
  gpu_num: number | null;
  cpu_num_from: number | null;
  cpu_num_to: number | null;
  memory_gb_from: number | null;
  memory_gb_to: number | null;
  /** milli-yuan per hour */
  price_from: number | null;
  price_to: number | null;
  cuda_v: number | null;
  cuda_v_from: number | null;
  cuda_v_to: number | null;
  dc_list: string[];
  image_uuid: string | null;
  image_name: string | null;
}

function strList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function deploymentResources(d: Deployment): DeploymentResources {
  const tpl = (d.template && typeof d.template === 'object' ? d.template : {}) as Record<string, unknown>;
  const set = strList(tpl.gpu_name_set);
  const dcs = strList(tpl.dc_list);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return {
    gpu_name_set: set.length > 0 ? set : strList(d.gpu_name_set),
    gpu_num: reported(tpl.gpu_num),
    cpu_num_from: reported(tpl.cpu_num_from),
    cpu_num_to: reported(tpl.cpu_num_to),
    memory_gb_from: templateMemoryGb(tpl.memory_size_from) ?? null,
    memory_gb_to: templateMemoryGb(tpl.memory_size_to) ?? null,
    price_from: reported(tpl.price_from),
    price_to: reported(tpl.price_to),
    cuda_v: reported(tpl.cuda_v),
    cuda_v_from: reported(tpl.cuda_v_from),
    cuda_v_to: reported(tpl.cuda_v_to),
    dc_list: dcs.length > 0 ? dcs : strList(d.dc_list),
    image_uuid: str(tpl.image_uuid) ?? str(d.image_uuid),
    image_name: str(tpl.image_name),
  };
}

function ageSeconds(from: string | null | undefined, to: string | null | undefined, now: number): number | null {
  const a = parseApiTime(from ?? undefined);
  if (a === undefined) return null;
  const b = parseApiTime(to ?? undefined) ?? now;
  return Math.max(0, Math.round((b - a) / 1000));
}

function gpuOf(d: Deployment): string {
  const tpl = (d.template ?? {}) as Record<string, unknown>;
  // the template's set, else the list item's own (public GET list items carry it at the top level)
  const own = strList(tpl.gpu_name_set);
  const set = own.length > 0 ? own : strList(d.gpu_name_set);
  const n = typeof tpl.gpu_num === 'number' ? tpl.gpu_num : undefined;
  if (set.length === 0) return '';
  return `${set.join('|')}${n !== undefined && n > 1 ? ` ×${n}` : ''}`;
}

export function deploymentRow(d: Deployment, now: number): DeploymentRow {
  return {
    uuid: d.uuid,
    name: d.name,
    deployment_type: d.deployment_type,
    status: d.status,
    phase: deploymentPhase(d),
    replica_num: reported(d.replica_num),
    running_num: reported(d.running_num),
    starting_num: reported(d.starting_num),
    finished_num: reported(d.finished_num),
    failed_num: reported(d.failed_num),
    gpu: gpuOf(d),
    price_yuan_per_hour: num(d.price_estimates) / 1000,
    created_at: d.created_at,
    age_seconds: ageSeconds(d.created_at, d.stopped_at ?? null, now),
  };
}

export function containerRow(c: Container, now: number): ContainerRow {
  return {
    uuid: c.uuid,
    status: String(c.status),
    machine_id: typeof c.machine_id === 'string' ? c.machine_id : '',
    // the private cloud's container items have no data_center (recorded)
    data_center: typeof c.data_center === 'string' ? c.data_center : '',
    gpu_name: typeof c.gpu_name === 'string' ? c.gpu_name : '',
    gpu_num: num(c.gpu_num),
    price_yuan_per_hour: num(c.price) / 1000,
    created_at: c.created_at,
    started_at: c.started_at ?? null,
    stopped_at: c.stopped_at ?? null,
    age_seconds: ageSeconds(c.started_at ?? c.created_at, c.stopped_at, now),
    ended: containerEnded(c),
  };
}

export interface RowChange {
  uuid: string;
  change: 'added' | 'removed' | 'changed';
  from?: string;
  to?: string;
}

/** What a row's "state" is for change detection. */
function stateOf(r: DeploymentRow | ContainerRow): string {
  if ('running_num' in r) {
    const q = (v: number | null) => (v === null ? '?' : String(v));
    return `${r.phase} ${q(r.running_num)}/${q(r.replica_num)} (starting ${q(r.starting_num)}, finished ${q(r.finished_num)}, failed ${q(r.failed_num)})`;
  }
  return r.status;
}

/** Rows added, removed or changed between two snapshots (in the order of `next`, removals last). */
export function diffRows<T extends DeploymentRow | ContainerRow>(prev: readonly T[], next: readonly T[]): RowChange[] {
  const before = new Map(prev.map((r) => [r.uuid, r]));
  const out: RowChange[] = [];
  for (const r of next) {
    const p = before.get(r.uuid);
    if (!p) out.push({ uuid: r.uuid, change: 'added', to: stateOf(r) });
    else if (stateOf(p) !== stateOf(r)) out.push({ uuid: r.uuid, change: 'changed', from: stateOf(p), to: stateOf(r) });
    before.delete(r.uuid);
  }
  for (const r of before.values()) out.push({ uuid: r.uuid, change: 'removed', from: stateOf(r) });
  return out;
}

/** An event with the deployment it belongs to (the events endpoint does not say). */
export interface WatchEvent extends ContainerEvent {
  deployment_uuid: string;
}
