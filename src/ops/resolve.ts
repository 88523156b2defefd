// A deployment by what the user calls it: its uuid, else its exact name (one match).
import type { AutodlClient } from '../api/client.js';
import type { Deployment } from '../api/types.js';
import { AutodlError } from '../errors.js';
import { ENGLISH, type OpsWords } from './words.js';

/** A deployment by uuid, else by exact name (one match); not_found otherwise (details.candidates when the name is ambiguous). */
export async function resolveDeployment(client: AutodlClient, ref: string, words: OpsWords = ENGLISH): Promise<Deployment> {
  const byUuid = await client.deployments.get(ref);
  if (byUuid) return byUuid;
  const matches: Deployment[] = [];
  for await (const d of client.deployments.listAll({ name: ref })) {
    // a hostile list may hold null or non-objects: never a match, never a crash
    if (d !== null && typeof d === 'object' && typeof d.uuid === 'string' && d.name === ref) matches.push(d);
  }
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new AutodlError('not_found', words.ambiguousName(ref), {
      deployment: ref,
      candidates: matches.map((d) => d.uuid),
    });
  }
  throw new AutodlError('not_found', words.deploymentNotFound(ref), { deployment: ref });
}
