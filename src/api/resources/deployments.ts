// Deployments: create (endpoint 2), list (3), scale (7), stop (8), delete (9) and the DDP
// overview (15). Every change can be prepared: `deployments.prepare.<change>(…)` returns
// the exact request the change sends (dialect-converted body, token shown as ***).

import type { PreparedRequest, Requester } from '../requester.js';
import type {
  CreateDeploymentBody,
  CreateDeploymentResult,
  DdpOverview,
  DeleteDeploymentBody,
  Deployment,
  ListDeploymentsBody,
  OperateDeploymentBody,
  Page,
  SetReplicasBody,
} from '../types.js';
import { pageBody, paginate, type Filter, type PageOptions } from './paging.js';

/** The body of each change, built once for both sending and preparing. */
const bodies = {
  setReplicas: (uuid: string, replicaNum: number): SetReplicasBody => ({ deployment_uuid: uuid, replica_num: replicaNum }),
  stop: (uuid: string): OperateDeploymentBody => ({ deployment_uuid: uuid, operate: 'stop' }),
  delete: (uuid: string): DeleteDeploymentBody => ({ deployment_uuid: uuid }),
};

export class Deployments {
  constructor(private readonly r: Requester) {}

  /** Never retried. On a network error/timeout the ApiError has info.mayHaveApplied = true. */
  create = (body: CreateDeploymentBody): Promise<CreateDeploymentResult> => this.r.call('createDeployment', body);

  list = (filter: Filter<ListDeploymentsBody> = {}, page?: PageOptions): Promise<Page<Deployment>> =>
    this.r.call('listDeployments', { ...filter, ...pageBody(page) });

  listAll = (filter: Filter<ListDeploymentsBody> = {}, pageSize?: number): AsyncIterable<Deployment> => paginate((p) => this.list(filter, p), pageSize);

  /** One deployment by uuid (list filtered by deployment_uuid), or undefined. */
  get = async (uuid: string): Promise<Deployment | undefined> => {
    const p = await this.list({ deployment_uuid: uuid }, { page_index: 1, page_size: 10 });
    const hit = p.list.find((d) => isItem(d) && d.uuid === uuid);
    if (hit || p.list.length === 0 || p.max_page <= 1) return hit;
    // the server ignored the filter: scan
    for await (const d of paginate((pg) => this.list({ deployment_uuid: uuid }, pg))) {
      if (isItem(d) && d.uuid === uuid) return d;
    }
    return undefined;
  };

  setReplicas = async (uuid: string, replicaNum: number): Promise<void> => this.r.call('setReplicas', bodies.setReplicas(uuid, replicaNum));
  stop = async (uuid: string): Promise<void> => this.r.call('operateDeployment', bodies.stop(uuid));
  delete = async (uuid: string): Promise<void> => this.r.call('deleteDeployment', bodies.delete(uuid));
  ddpOverview = (uuid: string): Promise<DdpOverview[]> => this.r.call('ddpOverview', { deployment_uuid: uuid });

  /** The request each change would send, not sent (token shown as ***). */
  readonly prepare = {
    create: (body: CreateDeploymentBody): PreparedRequest => this.r.prepare('createDeployment', body),
    setReplicas: (uuid: string, replicaNum: number): PreparedRequest => this.r.prepare('setReplicas', bodies.setReplicas(uuid, replicaNum)),
    stop: (uuid: string): PreparedRequest => this.r.prepare('operateDeployment', bodies.stop(uuid)),
    delete: (uuid: string): PreparedRequest => this.r.prepare('deleteDeployment', bodies.delete(uuid)),
  };
}

function isItem(v: unknown): v is Deployment {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
