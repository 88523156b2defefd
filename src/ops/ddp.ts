// A deployment's duration packages (endpoint 15, ddp/overview): per GPU type the package's
// total and balance in seconds and the data centres it covers.
import type { AutodlClient } from '../api/client.js';
import type { DdpOverview } from '../api/types.js';
import { resolveDeployment, type ResolveOptions } from './resolve.js';
import { ENGLISH, type OpsWords } from './words.js';

export async function ddpOverview(client: AutodlClient, ref: string, words: OpsWords = ENGLISH, resolve: ResolveOptions = {}): Promise<DdpOverview[]> {
  const d = await resolveDeployment(client, ref, words, resolve);
  return client.deployments.ddpOverview(d.uuid);
}
