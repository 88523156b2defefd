// Rows of `autodl watch`: the fields shown and emitted as NDJSON (never container info/secrets),
// and the changes between two snapshots. Pure.
import type { Container, ContainerEvent, Deployment } from '../api/types.js';
import { parseApiTime } from './time.js';

export interface DeploymentRow {
  uuid: string;
  name: string;
  deployment_type: string;
  status: string;
  replica_num: number;
  running_num: number;
  starting_num: number;
  finished_num: number;
  failed_num: number;
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
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function ageSeconds(from: string | null | undefined, to: string | null | undefined, now: number): number | null {
  const a = parseApiTime(from ?? undefined);
  if (a === undefined) return null;
  const b = parseApiTime(to ?? undefined) ?? now;
  return Math.max(0, Math.round((b - a) / 1000));
}

function gpuOf(d: Deployment): string {
  const tpl = (d.template ?? {}) as Record<string, unknown>;
  const set = Array.isArray(tpl.gpu_name_set) ? tpl.gpu_name_set.filter((x): x is string => typeof x === 'string') : [];
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
    replica_num: num(d.replica_num),
    running_num: num(d.running_num),
    starting_num: num(d.starting_num),
    finished_num: num(d.finished_num),
    failed_num: num(d.failed_num),
    gpu: gpuOf(d),
    price_yuan_per_hour: num(d.price_estimates) / 1000,
    created_at: d.created_at,
    age_seconds: ageSeconds(d.created_at, d.stopped_at, now),
  };
}

export function containerRow(c: Container, now: number): ContainerRow {
  return {
    uuid: c.uuid,
    status: String(c.status),
    machine_id: c.machine_id,
    data_center: c.data_center,
    gpu_name: c.gpu_name,
    gpu_num: num(c.gpu_num),
    price_yuan_per_hour: num(c.price) / 1000,
    created_at: c.created_at,
    started_at: c.started_at ?? null,
    stopped_at: c.stopped_at ?? null,
    age_seconds: ageSeconds(c.started_at ?? c.created_at, c.stopped_at, now),
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
  if ('running_num' in r) return `${r.status} ${r.running_num}/${r.replica_num} (starting ${r.starting_num}, finished ${r.finished_num}, failed ${r.failed_num})`;
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
