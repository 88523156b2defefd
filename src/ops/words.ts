// The words of the operations' errors. The operations word them in English (as the library
// layers do); a face that speaks another language passes its own (the CLI: from its catalog).
// What an error is — error_type and details — is the operation's, whatever the words.

export interface OpsWords {
  deploymentNotFound(ref: string): string;
  ambiguousName(ref: string): string;
  regionBoth(): string;
  regionDialect(): string;
  /** A config that describes a sweep, given to an operation that takes one deployment. */
  sweepRefused(source: string): string;
  /** Preview of a change to a deployment named by the caller, made without a token. */
  notResolved(ref: string): string;
  waitUnreachable(uuid: string, condition: string, reason: string): string;
  waitTimeout(uuid: string, condition: string, seconds: number): string;
  waitInterrupted(): string;
  waitBadCondition(value: string): string;
  /** A name the queue cannot send: `length` characters, `marked` once marked, over `limit`. */
  nameTooLongMarked(name: string, length: number, marked: number, limit: number): string;
  /** Several deployments answer to `ref` (a bare name, a uuid prefix). */
  ambiguousRef(ref: string, candidates: string): string;
  /** A queue entry that has no deployment (yet). */
  entryNoDeployment(id: string, state: string): string;
  /** A config with a `queue:` block given to an operation that does not queue (create): the block is ignored. */
  queueIgnored(): string;
}

export const ENGLISH: OpsWords = {
  deploymentNotFound: (ref) => `no deployment with uuid or name "${ref}"`,
  ambiguousName: (ref) => `several deployments are named "${ref}": use the uuid`,
  regionBoth: () => 'give region or dc_list, not both',
  regionDialect: () => 'region stock exists only in the public dialect',
  sweepRefused: (source) => `${source} describes a sweep: run it with \`autodl sweep ${source}\``,
  waitUnreachable: (uuid, condition, reason) => `deployment ${uuid} can no longer become ${condition}: ${reason}`,
  waitTimeout: (uuid, condition, seconds) => `deployment ${uuid} did not become ${condition} within ${seconds}s`,
  waitInterrupted: () => 'interrupted while waiting',
  waitBadCondition: (value) => `unknown condition "${value}": use running, finished, replicas=N or deleted`,
  nameTooLongMarked: (name, length, marked, limit) =>
    `name "${name}" is ${length} characters; submit and the queue send it as ${marked} (they add the 10-character mark -q<tag>) and the platform allows ${limit}: shorten it to ${limit - 10} or fewer`,
  ambiguousRef: (ref, candidates) => `"${ref}" matches several deployments: ${candidates}; use a uuid or a full name`,
  entryNoDeployment: (id, state) => `queue entry ${id} has no deployment (it is ${state})`,
  queueIgnored: () => 'the queue: block (time limit, cost cap, dependencies, retries) is for the queue (autodl queue add / sweep / submit): this operation ignores it and never sends it',
  notResolved: (ref) => `no token: "${ref}" was not resolved to a deployment; the request shows it as given (a uuid is sent as it is, a name would not match)`,
};
