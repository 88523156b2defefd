// A deployment by what the user has at hand (issue 15 §1), in this order:
//   1. its uuid;
//   2. a queue entry id `q-xxxxxxxx` (when the face gives a way to read the queue): its deployment;
//   3. its exact name (the marked name `demo-train-q1a2b3c4d` a queue entry created, or any name);
//   4. the name the user wrote, `demo-train`, when it maps to one deployment the queue created
//      (`demo-train-q<tag>`);
//   5. a unique uuid prefix (4 characters at least).
// More than one match at a step is an error listing the candidates (not_found, details
// `candidates` (uuids) and `matches` ({uuid, name, status})); nothing is ever picked at random.
// The caller is told which deployment was taken and how (onResolved).
import type { AutodlClient } from '../api/client.js';
import type { Deployment } from '../api/types.js';
import { AutodlError } from '../errors.js';
import { unmarkedName } from '../queue/ids.js';
import { ENGLISH, type OpsWords } from './words.js';

export type ResolvedBy = 'uuid' | 'queue_entry' | 'name' | 'marked_name' | 'uuid_prefix';

/** Which deployment a reference was taken for, and how. */
export interface Resolution {
  ref: string;
  uuid: string;
  name: string;
  by: ResolvedBy;
  entry_id?: string;
}

/** What a queue entry tells the resolver. */
export interface EntryRef {
  id: string;
  state: string;
  deployment_uuid: string | null;
  deployment_name: string;
}

export interface ResolveOptions {
  /** A queue entry by id (the user's queue store), for references like `q-1a2b3c4d`; absent: entry ids are not looked up. */
  entry?: (id: string) => Promise<EntryRef | undefined>;
  /** Told which deployment was taken (also for a plain uuid: by 'uuid'). */
  onResolved?: (r: Resolution) => void;
}

/** An entry id as the queue makes them: `q-` and 8 Crockford base32 characters. */
export const ENTRY_ID = /^q-[0-9a-hjkmnp-tv-z]{8}$/;
/** A uuid prefix worth a full listing: 4 characters at least, of the kinds uuids are made of. */
const UUID_PREFIX = /^[0-9A-Za-z][0-9A-Za-z-]{3,}$/;
/** At most this many candidates are listed in an ambiguity error. */
const MAX_CANDIDATES = 20;

function ambiguous(ref: string, found: Deployment[], words: OpsWords, exactName: boolean): AutodlError {
  const shown = found.slice(0, MAX_CANDIDATES);
  const list = shown.map((d) => `${d.uuid} (${d.name})`).join(', ') + (found.length > shown.length ? ` … (${found.length} in all)` : '');
  return new AutodlError('not_found', exactName ? words.ambiguousName(ref) : words.ambiguousRef(ref, list), {
    deployment: ref,
    candidates: shown.map((d) => d.uuid),
    matches: shown.map((d) => ({ uuid: d.uuid, name: d.name, status: d.status })),
    ...(found.length > shown.length ? { total: found.length } : {}),
  });
}

/** The deployment `ref` names (see the top of this file); not_found otherwise. */
export async function resolveDeployment(client: AutodlClient, ref: string, words: OpsWords = ENGLISH, options: ResolveOptions = {}): Promise<Deployment> {
  const took = (d: Deployment, by: ResolvedBy, entryId?: string): Deployment => {
    try {
      options.onResolved?.({ ref, uuid: d.uuid, name: d.name, by, ...(entryId ? { entry_id: entryId } : {}) });
    } catch {
      /* an observer never breaks the lookup */
    }
    return d;
  };
  const wanted = ref.trim();
  if (wanted === '') throw new AutodlError('not_found', words.deploymentNotFound(ref), { deployment: ref });

  const byUuid = await client.deployments.get(wanted);
  if (byUuid) return took(byUuid, 'uuid');

  if (options.entry && ENTRY_ID.test(wanted.toLowerCase())) {
    const e = await options.entry(wanted.toLowerCase());
    if (e) {
      if (!e.deployment_uuid) {
        throw new AutodlError('not_found', words.entryNoDeployment(e.id, e.state), { deployment: ref, entry_id: e.id, state: e.state, deployment_name: e.deployment_name });
      }
      const d = await client.deployments.get(e.deployment_uuid);
      if (d) return took(d, 'queue_entry', e.id);
      throw new AutodlError('not_found', words.deploymentNotFound(e.deployment_uuid), { deployment: ref, entry_id: e.id, deployment_uuid: e.deployment_uuid, state: e.state });
    }
  }

  // the platform's name filter may be a substring match, exact, or ignored: compare here
  const exact: Deployment[] = [];
  const marked: Deployment[] = [];
  const seen = new Set<string>();
  const note = (d: Deployment) => {
    if (seen.has(d.uuid)) return;
    seen.add(d.uuid);
    if (d.name === wanted) exact.push(d);
    else if (unmarkedName(d.name) === wanted) marked.push(d);
  };
  for await (const d of client.deployments.listAll({ name: wanted })) note(d);
  if (exact.length === 1) return took(exact[0]!, 'name');
  if (exact.length > 1) throw ambiguous(wanted, exact, words, true);
  if (marked.length === 1) return took(marked[0]!, 'marked_name');
  if (marked.length > 1) throw ambiguous(wanted, marked, words, false);

  // nothing by that name through the filter: one full listing for a uuid prefix (and for the
  // marked names a filter that matches exactly would not return)
  const prefixed: Deployment[] = [];
  const prefixOk = UUID_PREFIX.test(wanted);
  for await (const d of client.deployments.listAll()) {
    note(d);
    if (prefixOk && typeof d.uuid === 'string' && d.uuid.startsWith(wanted)) prefixed.push(d);
  }
  if (exact.length === 1) return took(exact[0]!, 'name');
  if (exact.length > 1) throw ambiguous(wanted, exact, words, true);
  if (marked.length === 1) return took(marked[0]!, 'marked_name');
  if (marked.length > 1) throw ambiguous(wanted, marked, words, false);
  if (prefixed.length === 1) return took(prefixed[0]!, 'uuid_prefix');
  if (prefixed.length > 1) throw ambiguous(wanted, prefixed, words, false);
  throw new AutodlError('not_found', words.deploymentNotFound(ref), { deployment: ref });
}
