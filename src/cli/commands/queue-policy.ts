// The queue's policies on the command line (issue 16): the options `queue add` and `sweep`
// share (time limit, cost cap, label budget, dependencies, owner), turned into the entry's
// policy; `--after` resolved against the queue (entry ids, names, `label:<label>`).
import { InvalidArgumentError, type Command } from 'commander';
import { userInfo } from 'node:os';
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { parseDuration } from '../../watch/time.js';
import { dependencyCycle, POLICY_BOUNDS, type EntryPolicy } from '../../queue/policies.js';
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
    .option('--owner <name>', t('policy.opt.owner'), ownerArg);
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

export function afterError(ref: string): AutodlError {
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
  return Object.keys(p).length ? p : null;
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
