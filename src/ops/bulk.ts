// Acting on many (issue 15 §3): which targets a user selected — ids given, and/or selectors
// (`--label`, `--name-prefix`, `--state`/`--status`, `--all`) — and one action on each with
// bounded concurrency, summarised as done / skipped / failed with a reason per target.
//
// Generic on purpose: the CLI's stop/delete (deployments) and queue cancel/retry (entries)
// use it, and an MCP tool can (it takes and returns plain data). What a target is and how it
// is acted on belongs to the caller; the words of reasons too (they are data here).
import { AutodlError, exitCodeFor, type ErrorType } from '../errors.js';

/** What the user selected with, besides ids. Every selector given must match (AND); `all` matches everything. */
export interface Selectors {
  label?: string | undefined;
  namePrefix?: string | undefined;
  /** States (queue) or statuses (deployments); one must match. */
  states?: readonly string[] | undefined;
  all?: boolean | undefined;
}

/** How a selector reads a candidate. A field the caller cannot read (undefined getter) matches nothing when selected on. */
export interface SelectorFields<T> {
  name(t: T): string;
  state(t: T): string;
  /** The label of the candidate; undefined: labels are not known for this kind. */
  label?: ((t: T) => string | null | undefined) | undefined;
}

export type Outcome = 'done' | 'skipped' | 'failed';

/** One target's result, as JSON shows it (one per target, in the order selected). */
export interface TargetResult {
  /** The id or uuid acted on (or, when it could not be resolved, the reference as given). */
  target: string;
  name?: string | undefined;
  /** The state/status the target was in when selected (or after the action, when done). */
  state?: string | undefined;
  outcome: Outcome;
  /** Why it was skipped or failed (human words, data to escape). */
  reason?: string | undefined;
  /** The error_type of a failure. */
  error_type?: ErrorType | undefined;
}

export interface BulkSummary {
  action: string;
  dry_run: boolean;
  total: number;
  done: number;
  skipped: number;
  failed: number;
  results: TargetResult[];
}

/** The most targets acted on at once (a bulk action must not flood the platform's rate limit). */
export const MAX_CONCURRENCY = 8;
export const DEFAULT_CONCURRENCY = 4;

/** Whether any selector is given. */
export function hasSelectors(s: Selectors): boolean {
  return s.all === true || s.label !== undefined || s.namePrefix !== undefined || (s.states !== undefined && s.states.length > 0);
}

/** A bulk action: several references, or any selector (one plain reference keeps the one-target form). */
export function isBulk(refs: readonly string[], s: Selectors): boolean {
  return refs.length > 1 || hasSelectors(s);
}

/** The candidates every given selector matches, in their order (`all` alone: every candidate). */
export function selectMatching<T>(candidates: readonly T[], s: Selectors, f: SelectorFields<T>): T[] {
  if (!hasSelectors(s)) return [];
  return candidates.filter((c) => {
    if (s.namePrefix !== undefined && !f.name(c).startsWith(s.namePrefix)) return false;
    if (s.states !== undefined && s.states.length > 0 && !s.states.includes(f.state(c))) return false;
    if (s.label !== undefined && (f.label === undefined || f.label(c) !== s.label)) return false;
    return true;
  });
}

/** Targets in order, each once (by key): the explicit ones first, then those the selectors added. */
export function uniqueBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const x of items) {
    const k = key(x);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(x);
  }
  return out;
}

/** What an action on one target returns: done, or skipped with a reason. A throw is a failure. */
export type ActOutcome = { outcome: 'done'; state?: string | undefined } | { outcome: 'skipped'; reason: string; state?: string | undefined };

/**
 * `act` on every target, at most `concurrency` at once (bounded to 1…MAX_CONCURRENCY);
 * results in the targets' order. A throw is that target's failure (its error_type and
 * message), never the whole run's: every target gets its result.
 */
export async function actOnEach<T>(
  targets: readonly T[],
  describe: (t: T) => { target: string; name?: string | undefined; state?: string | undefined },
  act: (t: T) => Promise<ActOutcome>,
  options: { concurrency?: number | undefined } = {},
): Promise<TargetResult[]> {
  const n = Math.max(1, Math.min(MAX_CONCURRENCY, Math.trunc(options.concurrency ?? DEFAULT_CONCURRENCY) || 1));
  const results: TargetResult[] = new Array(targets.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= targets.length) return;
      const t = targets[i]!;
      const base = describe(t);
      try {
        const r = await act(t);
        results[i] = { ...base, ...(r.state !== undefined ? { state: r.state } : {}), outcome: r.outcome, ...(r.outcome === 'skipped' ? { reason: r.reason } : {}) };
      } catch (e) {
        results[i] = failure(base, e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, targets.length) }, worker));
  return results;
}

/** A target's failure from what was thrown (an AutodlError keeps its type; anything else is an api_error). */
export function failure(base: { target: string; name?: string | undefined; state?: string | undefined }, e: unknown): TargetResult {
  if (e instanceof AutodlError) return { ...base, outcome: 'failed', reason: e.message, error_type: e.errorType };
  return { ...base, outcome: 'failed', reason: e instanceof Error ? e.message : String(e), error_type: 'api_error' };
}

/** The counts over the results. */
export function summarize(action: string, dryRun: boolean, results: readonly TargetResult[]): BulkSummary {
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  return { action, dry_run: dryRun, total: results.length, done: count('done'), skipped: count('skipped'), failed: count('failed'), results: [...results] };
}

/** The exit code of a summary: 0 unless a target failed, then the highest code among the failures' types. */
export function bulkExitCode(s: BulkSummary): number {
  let code = 0;
  for (const r of s.results) if (r.outcome === 'failed') code = Math.max(code, exitCodeFor(r.error_type ?? 'api_error'));
  return code;
}

/** A selected target and what would happen to it, decided before anything is sent. */
export interface Planned<T> {
  /** The target (undefined when a reference could not be resolved: then `verdict` is a failure). */
  item: T | undefined;
  base: { target: string; name?: string | undefined; state?: string | undefined };
  verdict: { outcome: 'done' } | { outcome: 'skipped'; reason: string } | { outcome: 'failed'; reason: string; error_type: ErrorType };
}

/** The targets a plan would act on (for the confirmation). */
export function toAct<T>(plan: readonly Planned<T>[]): Array<Planned<T>['base']> {
  return plan.filter((p) => p.verdict.outcome === 'done').map((p) => p.base);
}

/** The plan's results: with `dryRun` as planned (nothing sent), else `act` on each planned `done` (bounded concurrency). */
export async function execute<T>(plan: readonly Planned<T>[], act: (t: T) => Promise<ActOutcome>, options: { dryRun?: boolean; concurrency?: number } = {}): Promise<TargetResult[]> {
  const asPlanned = (p: Planned<T>): TargetResult => ({ ...p.base, ...p.verdict });
  if (options.dryRun) return plan.map(asPlanned);
  const acting = plan.filter((p) => p.verdict.outcome === 'done' && p.item !== undefined);
  const done = await actOnEach(acting, (p) => p.base, (p) => act(p.item as T), options);
  const byPlan = new Map(acting.map((p, i) => [p, done[i]!]));
  return plan.map((p) => byPlan.get(p) ?? asPlanned(p));
}
