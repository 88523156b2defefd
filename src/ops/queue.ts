// The queue's operations shared by both faces (the CLI's `autodl queue …`, MCP's queue_* tools):
// the name rule of what the queue sends, adding, listing, showing, cancelling, and what a
// worker would do now (`queue run --dry-run`). The store and the API are given; nothing here
// prints.
import type { CreateDeploymentBody } from '../api/types.js';
import { AutodlError } from '../errors.js';
import { DEPLOYMENT_NAME_LIMIT, MARK_LENGTH, MARK_RULE, markedNameProblem } from '../queue/ids.js';
import type { Plan, PlanLimits, WaitReason } from '../queue/planner.js';
import type { EntryPolicy, Shares } from '../queue/policies.js';
import { cancelEntry, previewPlan } from '../queue/ops.js';
import { spentCeiling } from '../queue/spent.js';
import { ENTRY_STATES, LISTED_BY_DEFAULT, type EntryState } from '../queue/states.js';
import type { QueueStore } from '../queue/store.js';
import type { QueueApi, QueueEntry } from '../queue/types.js';
import { ENGLISH, type OpsWords } from './words.js';

/**
 * Every name must fit the platform's limit once marked (`<name>-q<tag>`): a config_error naming
 * the limit and the marked length otherwise (details: name, limit, marked_length, mark_length,
 * and `names` when several are too long), before anything is stored or sent.
 */
export function checkQueuedNames(names: readonly string[], words: OpsWords = ENGLISH): void {
  const long = names.map((n) => markedNameProblem(n)).filter((p) => p !== undefined);
  const first = long[0];
  if (!first) return;
  throw new AutodlError('config_error', words.nameTooLongMarked(first.name, first.name.length, first.marked_length, first.limit), {
    path: 'name',
    ...first,
    ...(long.length > 1 ? { names: long.map((p) => ({ name: p.name, marked_length: p.marked_length })) } : {}),
  });
}

/** How a queued name is sent, as a preview shows it: the marked name (its tag is the entry's, unknown before it is added), the rule, the lengths. */
export interface MarkedName {
  /** `<name>-q` and 8 `#`: exactly as long as the name sent; the 8 characters are the entry id's tag. */
  name: string;
  rule: string;
  length: number;
  limit: number;
}

export const TAG_PLACEHOLDER = '########';

export function markedPreview(name: string): MarkedName {
  const marked = `${name}-q${TAG_PLACEHOLDER}`;
  return { name: marked, rule: MARK_RULE, length: name.length + MARK_LENGTH, limit: DEPLOYMENT_NAME_LIMIT };
}

// ---------- the JSON shapes of an entry (the CLI's --json and MCP alike) ----------

/** What `add` / `sweep` print per added (or, with --dry-run, would-be) entry. */
export interface AddedItem {
  id?: string;
  name: string;
  deployment_name?: string;
  priority: number;
  label: string | null;
  /** the account fingerprint the entry was added for (null: none yet) */
  account?: string | null;
  params?: Record<string, string>;
  body?: CreateDeploymentBody;
}

export function addedView(e: QueueEntry, params?: Record<string, string>): AddedItem {
  return {
    id: e.id,
    name: e.body.name,
    deployment_name: e.deployment_name,
    priority: e.priority,
    label: e.label,
    account: e.account,
    ...(params && Object.keys(params).length > 0 ? { params } : {}),
  };
}

/** The JSON of an entry in lists: no body (see `queue show`), times as ISO strings. */
export function entryView(e: QueueEntry, now = Date.now()): Record<string, unknown> {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: e.id,
    name: e.body.name,
    deployment_name: e.deployment_name,
    label: e.label,
    state: e.state,
    priority: e.priority,
    attempts: e.attempts,
    consecutive_failures: e.consecutive_failures,
    deployment_uuid: e.deployment_uuid,
    gpu_name_set: e.body.container_template.gpu_name_set,
    gpu_num: e.body.container_template.gpu_num,
    age_seconds: Math.max(0, Math.round((now - e.created_at) / 1000)),
    created_at: iso(e.created_at),
    updated_at: iso(e.updated_at),
    submitted_at: iso(e.submitted_at),
    finished_at: iso(e.finished_at),
    last_error: e.last_error,
    lease_owner: e.lease_owner,
    lease_until: iso(e.lease_until),
    // whose entry (issue 11): the account fingerprint, null = no account yet (the first worker to claim it adopts it)
    account: e.account,
    // issue 16: the owner, the declared policy, the money spent so far (at most: price_to ceiling) and what a policy did
    owner: e.owner,
    policy: e.policy,
    // (only under a cost cap or budget: it grows with time, and a view of anything else stays as it is)
    spent_yuan_at_most: e.policy?.maxCost !== undefined || e.policy?.labelBudget !== undefined ? Math.round(spentCeiling(e, now) * 100) / 100 : null,
    enforced: e.enforced === null ? null : { ...e.enforced, at: iso(e.enforced.at) },
    // retries that know why: how many resubmissions so far, and why each (the deployments given up)
    retries: e.retries,
    retry_log: e.retry_log === null ? null : e.retry_log.map((r) => ({ ...r, at: iso(r.at) })),
  };
}


// ---------- add ----------

/** One entry to add: a body (a sweep already expanded), its label and sweep parameters. */
export interface QueueItem {
  body: CreateDeploymentBody;
  label: string | null;
  params: Record<string, string>;
  /** This item's owner and policy (its config's `queue:` block under the flags), over the call's. */
  owner?: string | null;
  policy?: EntryPolicy | null;
}

/** What an add would store and send, nothing added (the CLI's `queue add --dry-run`, MCP's queue_add without confirm). */
export function previewAdd(items: readonly QueueItem[], priority: number, words: OpsWords = ENGLISH) {
  checkQueuedNames(items.map((i) => i.body.name), words);
  // the body as it will be sent: the name marked with the entry's tag (######## until the entry exists)
  return items.map((i) => {
    const mark = markedPreview(i.body.name);
    return {
      name: i.body.name,
      deployment_name: mark.name,
      priority,
      label: i.label,
      ...(Object.keys(i.params).length > 0 ? { params: i.params } : {}),
      body: { ...i.body, name: mark.name },
      mark,
    };
  });
}

/** Add every item in one transaction (names checked first: one too long adds nothing). */
export async function addToQueue(
  store: QueueStore,
  items: readonly QueueItem[],
  o: { priority: number; account: string | null; owner?: string | null; policy?: EntryPolicy | null; now?: number; words?: OpsWords },
): Promise<AddedItem[]> {
  checkQueuedNames(items.map((i) => i.body.name), o.words);
  const added = await store.add(
    items.map((i) => ({ body: i.body, priority: o.priority, label: i.label, account: o.account, owner: i.owner !== undefined ? i.owner : (o.owner ?? null), policy: i.policy !== undefined ? i.policy : (o.policy ?? null) })),
    o.now ?? Date.now(),
  );
  return added.map((e, k) => addedView(e, items[k]!.params));
}

// ---------- list / show / cancel ----------

export interface ListQuery {
  /** Default: the states `queue ls` shows (LISTED_BY_DEFAULT); `all`: every state. */
  states?: readonly string[];
  all?: boolean;
  label?: string;
  owner?: string;
}

/** States by name; a config_error listing the valid ones for any other. */
export function checkStates(states: readonly string[]): EntryState[] {
  const bad = states.filter((s) => !(ENTRY_STATES as readonly string[]).includes(s));
  if (bad.length > 0) {
    throw new AutodlError('config_error', `unknown state ${bad.join(', ')} (one of ${ENTRY_STATES.join(', ')})`, { reason: 'unknown state', states: bad, valid: [...ENTRY_STATES] });
  }
  return states as EntryState[];
}

export async function listQueue(store: QueueStore, q: ListQuery = {}, now = Date.now()) {
  const states = q.states?.length ? checkStates(q.states) : q.all ? undefined : LISTED_BY_DEFAULT;
  const list = await store.list({ ...(states ? { states } : {}), ...(q.label !== undefined ? { label: q.label } : {}), ...(q.owner !== undefined ? { owner: q.owner } : {}) });
  const counts: Record<string, number> = {};
  for (const e of list) counts[e.state] = (counts[e.state] ?? 0) + 1;
  return { count: list.length, counts, entries: list.map((e) => entryView(e, now)) };
}

/** `q-abc12345` or `abc12345` → `q-abc12345`. */
export function entryIdOf(ref: unknown): string {
  const s = String(ref ?? '').trim().toLowerCase();
  return s.startsWith('q-') ? s : `q-${s}`;
}

/** One entry with its stored body and its history (what `queue show --json` prints); not_found for an unknown id. */
export async function showEntry(store: QueueStore, ref: string, notFound: (id: string) => AutodlError = (id) => new AutodlError('not_found', `no queue entry ${id}`, { id })) {
  const id = entryIdOf(ref);
  const e = await store.get(id);
  if (!e) throw notFound(id);
  const history = (await store.history(id)).map((h) => ({ ...h, at: new Date(h.ts).toISOString() }));
  return { entry: { ...entryView(e), error_details: e.error_details, body: e.body }, history, raw: e };
}

/** Cancel pending entries: every id is checked first (an unknown one cancels nothing). */
export async function cancelEntries(store: QueueStore, refs: readonly string[], notFound: (id: string) => AutodlError = (id) => new AutodlError('not_found', `no queue entry ${id}`, { id }), now = Date.now()): Promise<QueueEntry[]> {
  const ids = refs.map(entryIdOf);
  for (const id of ids) if (!(await store.get(id))) throw notFound(id);
  const done: QueueEntry[] = [];
  for (const id of ids) done.push(await cancelEntry(store, id, now));
  return done;
}

// ---------- what a worker would do now (queue run --dry-run) ----------

/** Why an entry waits, in words (the planner's reasons). */
export const WAIT_REASON_TEXT: Record<WaitReason, string> = {
  no_stock: 'no requested GPU type has enough idle cards',
  gpu_type_missing: 'none of its GPU types is in the stock',
  reserved: 'an entry that has waited longer holds the idle cards of these types',
  blocked_by_head: 'an entry ahead of it in the same types waits first',
  limit_running: 'the queue is at --max-running',
  limit_gpus: 'the queue is at --max-gpus',
  limit_price: 'the queue is at --max-price',
  price_unbounded: 'it has no price_to while --max-price is set',
  tick_cap: 'the most creates of one tick are planned',
  after: 'it waits for the entries it runs after',
  budget: 'it would exceed what is left of the budget',
  share: "its owner's share is used up",
};

export interface PlanNowItem {
  id: string;
  name: string;
  deployment_name: string;
  action: 'create' | 'wait' | 'fail';
  gpu_name?: string;
  gpus: number;
  reason?: string;
  explanation?: string;
}

/** What the worker would create now and why the others wait; one stock call, nothing written or created. */
export async function planNow(o: { store: QueueStore; api: Pick<QueueApi, 'stock'>; limits?: PlanLimits; account?: string; budget?: number; shares?: Shares; now?: number }) {
  const p: Plan & { pending: QueueEntry[] } = await previewPlan(o);
  const byId = new Map(p.pending.map((e) => [e.id, e]));
  const items: PlanNowItem[] = p.decisions.map((d) => {
    const e = byId.get(d.id);
    const base = { id: d.id, name: e?.body.name ?? '', deployment_name: e?.deployment_name ?? '', action: d.action, gpus: d.demand.gpus };
    if (d.action === 'create') return { ...base, gpu_name: d.gpu_name };
    if (d.action === 'wait') return { ...base, reason: d.reason, explanation: WAIT_REASON_TEXT[d.reason] ?? d.reason };
    return { ...base, reason: d.reason, explanation: d.detail };
  });
  return {
    status: 'success' as const,
    dry_run: true as const,
    created: 0,
    would_create: items.filter((i) => i.action === 'create'),
    would_wait: items.filter((i) => i.action === 'wait'),
    would_fail: items.filter((i) => i.action === 'fail'),
    idle_after: p.idleAfter,
    usage: p.usage,
  };
}
