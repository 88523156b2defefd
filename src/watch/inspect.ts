// What `autodl describe` and `autodl cost` read, shared with the MCP tools: a deployment with
// its containers and latest events, and the cost estimate of deployments at the server's clock.
import type { AutodlClient } from '../api/client.js';
import type { Container, ContainerEvent, Deployment } from '../api/types.js';
import { costReport, type CostReport } from './cost.js';
import { parseApiTime, parseSince } from './time.js';
import { deploymentResources, type DeploymentResources } from './rows.js';
import { toArray } from '../util/async.js';
import { chronologicalEvents } from '../api/events.js';

export interface DeploymentDetail {
  deployment: Deployment;
  /** what it asked for, with explicit units (template memory in GB, not the bytes the platform reports) */
  resources: DeploymentResources;
  containers: Container[];
  /** the latest `lastEvents`, oldest first */
  events: ContainerEvent[];
}

/** A deployment, all its containers and its latest events (none read when lastEvents is 0). */
export async function describeDeployment(client: AutodlClient, deployment: Deployment, lastEvents = 10): Promise<DeploymentDetail> {
  const containers = await toArray(client.containers.listAll({ deployment_uuid: deployment.uuid }));
  const resources = deploymentResources(deployment);
  if (lastEvents <= 0) return { deployment, resources, containers, events: [] };
  const all = await toArray(client.events.listAll({ deployment_uuid: deployment.uuid }));
  const events = chronologicalEvents(all).slice(-lastEvents);
  return { deployment, resources, containers, events };
}

export interface CostEstimateOptions {
  /** ms since epoch: estimate as of this instant instead of the server's now */
  at?: number;
  /** count only time after this: an ISO time or a duration back from now ("2h") */
  since?: string;
}

/**
 * The cost estimate of these deployments (rules: ./cost.ts). "Now" is the server's clock (the
 * Date header of its last reply), so a skewed local clock or a simulator running faster than
 * real time does not distort it; never earlier than the newest timestamp the server reported.
 * `since` must already be valid (parseSince): an invalid one is ignored.
 */
export async function estimateCost(client: AutodlClient, deployments: readonly Deployment[], o: CostEstimateOptions = {}): Promise<CostReport> {
  const items: Array<{ deployment: Deployment; containers: Container[] }> = [];
  for (const d of deployments) items.push({ deployment: d, containers: await toArray(client.containers.listAll({ deployment_uuid: d.uuid })) });
  let now = o.at ?? client.serverNow();
  if (o.at === undefined) {
    for (const { containers } of items) {
      for (const c of containers) {
        for (const ts of [c.created_at, c.started_at, c.stopped_at]) {
          const v = parseApiTime(ts);
          if (v !== undefined && v > now) now = v;
        }
      }
    }
  }
  const since = o.since !== undefined ? parseSince(o.since, now) : undefined;
  return costReport(items, { now, ...(since !== undefined ? { since } : {}) });
}
