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
import { resolveDeployment, type Resolution, type ResolveOptions } from './resolve.js';
import { ENGLISH, type OpsWords } from './words.js';

export type DeploymentChange = { kind: 'scale'; replicaNum: number } | { kind: 'stop' } | { kind: 'delete' };

export interface ChangeResult {
  status: 'success';
  deployment_uuid: string;
  replica_num?: number;
  /** Which deployment the reference was taken for, when it was not its uuid (issue 15). */
  resolved?: Resolution;
}

/** The resolve options with `resolved` caught for the result. */
function catching(options: ResolveOptions): { options: ResolveOptions; resolved: () => Resolution | undefined } {
  let r: Resolution | undefined;
  return {
    options: {
      ...options,
      onResolved: (x) => {
        r = x;
        options.onResolved?.(x);
      },
    },
    resolved: () => (r && r.by !== 'uuid' ? r : undefined),
  };
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
  resolved?: Resolution;
}

/**
 * The request `change` would send for `ref`. `tokenAtHand`: the client holds a real token (else
 * it holds a placeholder, and nothing may be read with it).
 */
export async function previewDeploymentChange(
  client: AutodlClient,
  ref: string,
  change: DeploymentChange,
  tokenAtHand: boolean,
  words: OpsWords = ENGLISH,
  resolve: ResolveOptions = {},
): Promise<ChangePreview> {
  if (!tokenAtHand) {
    const { endpoint, body } = request(change, ref);
    return { ...previewOf(client.prepare(endpoint, body)), deployment: { ref, resolved: false, reason: words.notResolved(ref) } };
  }
  const c = catching(resolve);
  const d = await resolveDeployment(client, ref, words, c.options);
  const { endpoint, body } = request(change, d.uuid);
  const r = c.resolved();
  return { ...previewOf(client.prepare(endpoint, body)), deployment: { uuid: d.uuid, name: d.name, status: d.status }, ...(r ? { resolved: r } : {}) };
}

/** Resolve `ref` and send the change. */
export async function applyDeploymentChange(client: AutodlClient, ref: string, change: DeploymentChange, words: OpsWords = ENGLISH, resolve: ResolveOptions = {}): Promise<ChangeResult> {
  const c = catching(resolve);
  const d = await resolveDeployment(client, ref, words, c.options);
  const r = c.resolved();
  const how = r ? { resolved: r } : {};
  switch (change.kind) {
    case 'scale':
      await client.deployments.setReplicas(d.uuid, change.replicaNum);
      return { status: 'success', deployment_uuid: d.uuid, replica_num: change.replicaNum, ...how };
    case 'stop':
      await client.deployments.stop(d.uuid);
      return { status: 'success', deployment_uuid: d.uuid, ...how };
    case 'delete':
      await client.deployments.delete(d.uuid);
      return { status: 'success', deployment_uuid: d.uuid, ...how };
  }
}
