// Table rows for the API's objects (shared by list and describe commands).
import type { Container, ContainerEvent, Deployment } from '../api/types.js';
import { containerEnded, deploymentPhase } from '../watch/rows.js';
import { displayApiTime } from '../util/time.js';
import { t } from '../i18n/index.js';
import { bytesToGb, dash, milliYuan, statusColor, type Colors } from './output.js';

export function deploymentHeaders(): string[] {
  return [t('col.uuid'), t('col.name'), t('col.type'), t('col.status'), t('col.replicas'), t('col.running'), t('col.created')];
}

/** running/starting/finished/failed; "-" when the server reports no counts (the public GET list), "?" for one absent count. */
export function countsCell(d: Deployment): string {
  const counts = [d.running_num, d.starting_num, d.finished_num, d.failed_num];
  if (counts.every((v) => typeof v !== 'number')) return '-';
  return counts.map((v) => (typeof v === 'number' ? String(v) : '?')).join('/');
}

export function deploymentRows(list: Deployment[], c: Colors): string[][] {
  return list.map((d) => [
    d.uuid,
    d.name,
    d.deployment_type,
    statusColor(deploymentPhase(d), c),
    String(d.replica_num ?? '-'),
    countsCell(d),
    displayApiTime(d.created_at),
  ]);
}

export function containerHeaders(): string[] {
  return [
    t('col.uuid'),
    t('col.status'),
    t('col.gpu'),
    t('col.gpuNum'),
    t('col.cpu'),
    t('col.mem'),
    t('col.price'),
    t('col.dc'),
    t('col.startedAt'),
  ];
}

export const CONTAINER_RIGHT = [3, 4, 5, 6];

export function containerRows(list: Container[], c: Colors): string[][] {
  return list.map((x) => [
    x.uuid,
    statusColor(String(x.status), c),
    dash(x.gpu_name),
    String(x.gpu_num ?? '-'),
    String(x.cpu_num ?? '-'),
    typeof x.memory_size === 'number' ? bytesToGb(x.memory_size) : '-',
    // an ended container bills nothing: no price beside it
    typeof x.price === 'number' && !containerEnded(x) ? milliYuan(x.price) : '-',
    dash(x.data_center),
    displayApiTime(x.started_at),
  ]);
}

export function eventHeaders(): string[] {
  return [t('col.time'), t('col.container'), t('col.status')];
}

export function eventRow(e: ContainerEvent, c: Colors): string[] {
  return [displayApiTime(e.created_at), e.deployment_container_uuid, statusColor(String(e.status), c)];
}
