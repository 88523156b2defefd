// Spend so far and burn rate, estimated from the containers' prices and running times.
// Pure. The private cloud has no billing endpoint: this is an estimate (docs/watch.md).
//
//   a container is billed from started_at to stopped_at (or `now` while it has no
//   stopped_at), at `price` milli-yuan per hour; the interval is clipped to [since, now].
//   A container that never started (started_at null) costs nothing. One in a terminal
//   status (shutdown, in_cache, removed — the platform's events also say removed) without a
//   stopped_at is not billed past its start (unknown end).
//   Burn rate = the sum of the prices of containers billing at `now` (started, not stopped).
import type { Container, Deployment } from '../api/types.js';
import { parseApiTime } from './time.js';

const TERMINAL = new Set(['shutdown', 'in_cache', 'removed']);
const HOUR_MS = 3_600_000;

export interface CostOptions {
  /** ms since epoch: the end of the estimate. */
  now: number;
  /** ms since epoch: count only time after this. */
  since?: number;
}

export interface ContainerCost {
  uuid: string;
  /** milli-yuan per hour */
  price: number;
  /** hours billed within the window */
  hours: number;
  spent_yuan: number;
  /** billing at `now` */
  running: boolean;
}

/** One container's billed hours and spend. */
export function containerCost(c: Pick<Container, 'uuid' | 'price' | 'status' | 'started_at' | 'stopped_at'>, o: CostOptions): ContainerCost {
  const price = typeof c.price === 'number' && Number.isFinite(c.price) && c.price > 0 ? c.price : 0;
  const start = parseApiTime(c.started_at);
  const stop = parseApiTime(c.stopped_at);
  let hours = 0;
  let running = false;
  if (start !== undefined) {
    let end: number;
    if (stop !== undefined) end = stop;
    else if (TERMINAL.has(String(c.status))) end = start;
    else {
      end = o.now;
      running = start <= o.now;
    }
    const from = Math.max(start, o.since ?? -Infinity);
    const to = Math.min(end, o.now);
    hours = Math.max(0, to - from) / HOUR_MS;
  }
  return { uuid: c.uuid, price, hours, spent_yuan: (price / 1000) * hours, running };
}

export interface DeploymentCost {
  uuid: string;
  name: string;
  spent_yuan: number;
  burn_rate_yuan_per_hour: number;
  containers: number;
}

export interface CostReport {
  estimate: true;
  total_yuan: number;
  burn_rate_yuan_per_hour: number;
  /** ISO times of the window */
  since: string | null;
  at: string;
  deployments: DeploymentCost[];
}

/** Yuan rounded to 4 decimals (0.1 fen): enough for an estimate, free of float noise. */
export function roundYuan(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}

function rawCost(containers: readonly Container[], o: CostOptions): { spent: number; burn: number } {
  let spent = 0;
  let burn = 0;
  for (const c of containers) {
    const x = containerCost(c, o);
    spent += x.spent_yuan;
    if (x.running) burn += x.price / 1000;
  }
  return { spent, burn };
}

export function deploymentCost(d: Pick<Deployment, 'uuid' | 'name'>, containers: readonly Container[], o: CostOptions): DeploymentCost {
  const { spent, burn } = rawCost(containers, o);
  return { uuid: d.uuid, name: d.name, spent_yuan: roundYuan(spent), burn_rate_yuan_per_hour: roundYuan(burn), containers: containers.length };
}

/** The whole report over several deployments and their containers. */
export function costReport(items: ReadonlyArray<{ deployment: Pick<Deployment, 'uuid' | 'name'>; containers: readonly Container[] }>, o: CostOptions): CostReport {
  const deployments = items.map((i) => deploymentCost(i.deployment, i.containers, o));
  let spent = 0;
  let burn = 0;
  for (const i of items) {
    const r = rawCost(i.containers, o);
    spent += r.spent;
    burn += r.burn;
  }
  return {
    estimate: true,
    total_yuan: roundYuan(spent),
    burn_rate_yuan_per_hour: roundYuan(burn),
    since: o.since !== undefined ? new Date(o.since).toISOString() : null,
    at: new Date(o.now).toISOString(),
    deployments,
  };
}
