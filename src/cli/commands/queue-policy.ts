// The queue's policies on the command line (issue 16): the options `queue add` and `sweep`
// share (time limit, cost cap, label budget, dependencies, owner), turned into the entry's
// policy; `--after` resolved against the queue (entry ids, names, `label:<label>`).
import { InvalidArgumentError, type Command } from 'commander';
import { userInfo } from 'node:os';
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { parseDuration } from '../../watch/time.js';
import { dependencyCycle, POLICY_BOUNDS, RETRY_CAUSES, type EntryPolicy, type RetryCause, type RetryPolicy } from '../../queue/policies.js';
import type { QueueDecl } from '../../pipeline/types.js';
import type { QueueStore } from '../../queue/store.js';
import { collect, nonNegativeNumber } from '../args.js';

export interface PolicyOptions {
  maxRuntime?: number;
  grace?: number;
  maxCost?: number;
  labelBudget?: number;
  onCap?: 'stop' | 'warn';
  after?: string[];
  afterAny?: boolean;
  owner?: string;
  /** --retry <max> (the config's retry.max). */
  retry?: number;
  /** --retry-on failed,unscheduled,host_error (the config's retry.on). */
  retryOn?: RetryCause[];
  /** The config's whole retry block (unscheduled_after, blacklist_hosts), under the flags. */
  retryPolicy?: RetryPolicy;
}

/**
 * The options of one config: its `queue:` block under the command line's flags (a flag given
 * replaces the file's field; `--after` replaces the file's whole list).
 */
export function withConfig(opts: PolicyOptions, decl: QueueDecl | undefined): PolicyOptions {
  if (!decl) return opts;
  const pick = <T>(flag: T | undefined, file: T | undefined): T | undefined => (flag !== undefined ? flag : file);
  const out: PolicyOptions = { ...opts };
  const set = <K extends keyof PolicyOptions>(k: K, v: PolicyOptions[K] | undefined) => {
    if (v === undefined) delete out[k];
    else out[k] = v;
  };
  set('maxRuntime', pick(opts.maxRuntime, decl.max_runtime_ms));
  set('grace', pick(opts.grace, decl.grace_ms));
  set('maxCost', pick(opts.maxCost, decl.max_cost));
  set('labelBudget', pick(opts.labelBudget, decl.label_budget));
  set('onCap', pick(opts.onCap, decl.on_cap));
  if (!opts.after?.length && decl.after?.length) {
    set('after', [...decl.after]);
    if (opts.afterAny === undefined && decl.after_any) set('afterAny', true);
  }
  set('owner', pick(opts.owner, decl.owner));
  if (decl.retry) {
    const r = decl.retry;
    set('retryPolicy', {
      max: r.max,
      on: r.on,
      ...(r.unscheduled_after_ms !== undefined ? { unscheduledAfterMs: r.unscheduled_after_ms } : {}),
      ...(r.blacklist_hosts ? { blacklistHosts: true } : {}),
    });
  }
  return out;
}

function retryOnArg(value: string, previous: RetryCause[] | undefined): RetryCause[] {
  const out = [...(previous ?? [])];
  for (const v of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(RETRY_CAUSES as readonly string[]).includes(v)) throw new InvalidArgumentError(t('policy.badRetryOn', { value: v }));
    if (!out.includes(v as RetryCause)) out.push(v as RetryCause);
  }
  return out;
}

function retryArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > POLICY_BOUNDS.retryMax) throw new InvalidArgumentError(t('policy.badRetry', { value, max: POLICY_BOUNDS.retryMax }));
  return n;
}

/** A duration as people write it (`90s`, `10m`, `4h`, `2d`; a bare number is seconds) → ms. */
export function durationArg(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || !Number.isFinite(ms)) throw new InvalidArgumentError(t('policy.badDuration', { value }));
  return ms;
}

function onCapArg(value: string): 'stop' | 'warn' {
  if (value !== 'stop' && value !== 'warn') throw new InvalidArgumentError(t('policy.badOnCap', { value }));
  return value;
}

const OWNER = /^[A-Za-z0-9._@-]{1,64}$/;

function ownerArg(value: string): string {
  if (!OWNER.test(value)) throw new InvalidArgumentError(t('policy.badOwner', { value }));
  return value;
}

export function declarePolicyOptions(c: Command): Command {
  return c
    .option('--max-runtime <duration>', t('policy.opt.maxRuntime'), durationArg)
    .option('--grace <duration>', t('policy.opt.grace'), durationArg)
    .option('--max-cost <yuan>', t('policy.opt.maxCost'), nonNegativeNumber)
    .option('--label-budget <yuan>', t('policy.opt.labelBudget'), nonNegativeNumber)
    .option('--on-cap <stop|warn>', t('policy.opt.onCap'), onCapArg)
    .option('--after <ref>', t('policy.opt.after'), collect)
    .option('--after-any', t('policy.opt.afterAny'))
    .option('--owner <name>', t('policy.opt.owner'), ownerArg)
    .option('--retry <max>', t('policy.opt.retry'), retryArg)
    .option('--retry-on <causes>', t('policy.opt.retryOn'), retryOnArg);
}

/** The owner entries are added under: --owner, else AUTODL_OWNER, else the OS user (null when none can be read). */
export function ownerFor(opts: PolicyOptions, env: NodeJS.ProcessEnv): string | null {
  if (opts.owner) return opts.owner;
  const fromEnv = env.AUTODL_OWNER;
  if (fromEnv !== undefined && OWNER.test(fromEnv)) return fromEnv;
  try {
    const u = userInfo().username;
    return OWNER.test(u) ? u : null;
  } catch {
    return null;
  }
}

const ENTRY_ID = /^q-[0-9a-hjkmnp-tv-z]{8}$/;

/**
 * `--after` references → entry ids: an entry id as is; `label:<l>` → every entry of that label;
 * anything else → the entries whose config name is exactly it. A reference that matches
 * nothing is an error (nothing is added).
 */
export async function resolveAfter(store: QueueStore, refs: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  let all: Awaited<ReturnType<QueueStore['list']>> | undefined;
  for (const ref of refs) {
    if (ENTRY_ID.test(ref)) {
      if (!(await store.get(ref))) throw afterError(ref);
      out.add(ref);
      continue;
    }
    const found = ref.startsWith('label:')
      ? await store.list({ label: ref.slice('label:'.length) })
      : (all ??= await store.list()).filter((e) => e.body.name === ref);
    if (found.length === 0) throw afterError(ref);
    for (const e of found) out.add(e.id);
  }
  if (out.size > POLICY_BOUNDS.after) {
    throw new AutodlError('validation_error', t('policy.afterTooMany', { count: out.size, max: POLICY_BOUNDS.after }), { field: 'after', count: out.size });
  }
  return [...out];
}

function afterError(ref: string): AutodlError {
  return new AutodlError('validation_error', t('policy.afterUnknown', { ref }), { field: 'after', ref });
}

/** The entry policy the options declare (with `after` already resolved), or null. */
export function policyFrom(opts: PolicyOptions, after: readonly string[]): EntryPolicy | null {
  const p: EntryPolicy = {};
  if (opts.maxRuntime !== undefined) p.maxRuntimeMs = opts.maxRuntime;
  if (opts.grace !== undefined) {
    if (opts.maxRuntime === undefined) throw new AutodlError('config_error', t('policy.graceNeedsLimit'), { option: '--grace' });
    p.graceMs = opts.grace;
  }
  if (opts.maxCost !== undefined) p.maxCost = opts.maxCost;
  if (opts.labelBudget !== undefined) p.labelBudget = opts.labelBudget;
  if (opts.onCap !== undefined) p.onCap = opts.onCap;
  if (after.length) p.after = after;
  if (opts.afterAny) {
    if (!after.length) throw new AutodlError('config_error', t('policy.afterAnyNeedsAfter'), { option: '--after-any' });
    p.afterAny = true;
  }
  const retry = retryFrom(opts);
  if (retry) p.retry = retry;
  return Object.keys(p).length ? p : null;
}

/** --retry / --retry-on over the config's retry block; --retry-on alone needs a max from somewhere. */
function retryFrom(opts: PolicyOptions): RetryPolicy | undefined {
  const base = opts.retryPolicy;
  if (opts.retry === undefined && opts.retryOn === undefined) return base;
  const max = opts.retry ?? base?.max;
  if (max === undefined) throw new AutodlError('config_error', t('policy.retryOnNeedsRetry'), { option: '--retry-on' });
  return { ...(base ?? {}), max, on: opts.retryOn ?? base?.on ?? ['failed'] };
}

/**
 * Refuse dependencies that would close a cycle with what the queue already holds (new entries
 * only point at existing ones, so only a queue whose stored policies already loop can).
 */
export async function refuseCycles(store: QueueStore, after: readonly string[]): Promise<void> {
  if (!after.length) return;
  const edges = new Map<string, string[]>();
  for (const e of await store.list()) if (e.policy?.after?.length) edges.set(e.id, [...e.policy.after]);
  edges.set('(new)', [...after]);
  const cycle = dependencyCycle(edges);
  if (cycle) throw new AutodlError('validation_error', t('policy.cycle', { cycle: cycle.join(' → ') }), { field: 'after', cycle });
}
