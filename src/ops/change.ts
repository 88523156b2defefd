// The changes to one deployment a user names (uuid or exact name): scale, stop, delete. Each
// is previewed (the exact request, nothing sent) or applied, the same way by both faces.
//
// The name is resolved with reads whenever a token is at hand, for a preview too: the
// preview shows the uuid the request would carry. Without a token (a dry run needs none) the
// reference cannot be looked up: the preview carries it as given and says so plainly
// (`deployment: {ref, resolved: false, reason}`).
import type { AutodlClient } from '../api/client.js';
import type { EndpointName } from '../api/types.js';
import { previewOf, type PreviewTarget, type RequestPreview } from './preview.js';
import { resolveDeployment } from './resolve.js';
import { ENGLISH, type OpsWords } from './words.js';

export type DeploymentChange = { kind: 'scale'; replicaNum: number } | { kind: 'stop' } | { kind: 'delete' };

export interface ChangeResult {
  status: 'success';
  deployment_uuid: string;
  replica_num?: number;
}

function request(change: DeploymentChange, uuid: string): { endpoint: EndpointName; body: Record<string, unknown> } {
  switch (change.kind) {
    case 'scale':
      return { endpoint: 'setReplicas', body: { deployment_uuid: uuid, replica_num: change.replicaNum } };
    case 'stop':
      return { endpoint: 'operateDeployment', body: { deployment_uuid: uuid, operate: 'stop' } };
    case 'delete':
      return { endpoint: 'deleteDeployment', body: { deployment_uuid: uuid } };
  }
}

export interface ChangePreview extends RequestPreview {
  deployment: PreviewTarget;
}

/**
 * The request `change` would send for `ref`. `tokenAtHand`: the client holds a real token (else
 * it holds a placeholder, and nothing may be read with it).
 */
export async function previewDeploymentChange(client: AutodlClient, ref: string, change: DeploymentChange, tokenAtHand: boolean, words: OpsWords = ENGLISH): Promise<ChangePreview> {
  if (!tokenAtHand) {
    const { endpoint, body } = request(change, ref);
    return { ...previewOf(client.prepare(endpoint, body)), deployment: { ref, resolved: false, reason: words.notResolved(ref) } };
  }
  const d = await resolveDeployment(client, ref, words);
  const { endpoint, body } = request(change, d.uuid);
  return { ...previewOf(client.prepare(endpoint, body)), deployment: { uuid: d.uuid, name: d.name, status: d.status } };
}

/** Resolve `ref` and send the change. */
export async function applyDeploymentChange(client: AutodlClient, ref: string, change: DeploymentChange, words: OpsWords = ENGLISH): Promise<ChangeResult> {
  const d = await resolveDeployment(client, ref, words);
  switch (change.kind) {
    case 'scale':
      await client.deployments.setReplicas(d.uuid, change.replicaNum);
      return { status: 'success', deployment_uuid: d.uuid, replica_num: change.replicaNum };
    case 'stop':
      await client.deployments.stop(d.uuid);
      return { status: 'success', deployment_uuid: d.uuid };
    case 'delete':
      await client.deployments.delete(d.uuid);
      return { status: 'success', deployment_uuid: d.uuid };
  }
}
