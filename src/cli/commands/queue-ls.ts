// `autodl queue ls [--state s...] [--label L] [--all] [--watch [--interval S] [--count N]]`:
// the entries as the store has them. The state of a submitted entry is what the worker last
// saw (submitted → running → finished | failed); `queue ls` itself sends no API call.
// --watch keeps reading the store (another process's worker writes it):
//   terminal: the table redrawn in place, the counts in its header line;
//   --json: NDJSON — {type:'change', id, name, from, to} for each entry that appeared or
//     moved, then {type:'snapshot', seq, time, db, count, counts, entries}, once per change;
//   neither: the table once, then one line per change.
import { AutodlError } from '../../errors.js';
import { formatClock } from '../../util/time.js';
import { english, t } from '../../i18n/index.js';
import type { QueueStore } from '../../queue/store.js';
import { ENTRY_STATES, LISTED_BY_DEFAULT, type EntryState } from '../../queue/states.js';
import type { QueueEntry } from '../../queue/types.js';
import { sleep } from '../../util/sleep.js';
import { LiveFrame, untilInterrupted } from '../live.js';
import { renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { entryHeaders, entryRow, entryView, policySummary, stateColor, withStore, type StoreOptions } from './queue-common.js';
import type { Command } from 'commander';
import { action } from '../command.js';
import { intervalSeconds, nonNegativeInt } from '../args.js';

const DEFAULT_STATES: readonly EntryState[] = LISTED_BY_DEFAULT;

export function parseStates(raw: unknown): EntryState[] | undefined {
  if (raw === undefined) return undefined;
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !(ENTRY_STATES as readonly string[]).includes(s));
  if (bad.length > 0) {
    throw new AutodlError('config_error', t('arg.invalid', { message: t('queue.badState', { states: bad.join(', '), valid: ENTRY_STATES.join(', ') }) }), {
      reason: english('queue.why.unknownState'),
      states: bad,
    });
  }
  return list as EntryState[];
}

/** The entries as a table, or a dim "empty" line. */
function entryTable(ctx: CliContext, list: readonly QueueEntry[], now: number): string {
  if (list.length === 0) return ctx.out.dim(t('queue.empty'));
  // the policies' column (issue 16) only when some entry has one or an owner
  if (list.some((e) => e.policy !== null || e.enforced !== null || e.owner !== null)) {
    return renderTable([...entryHeaders(), t('qcol.owner'), t('qcol.policy')], list.map((e) => [...entryRow(e, ctx.out, now), e.owner ?? '-', policySummary(e, now)]), ctx.out, { right: [3, 4] });
  }
  return renderTable(entryHeaders(), list.map((e) => entryRow(e, ctx.out, now)), ctx.out, { right: [3, 4] });
}

function countStates(list: readonly QueueEntry[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of list) counts[e.state] = (counts[e.state] ?? 0) + 1;
  return counts;
}

/** What a change line reports; everything else (ages) moves on its own. */
function fingerprint(e: QueueEntry): string {
  return JSON.stringify([e.state, e.attempts, e.priority, e.deployment_uuid, e.last_error]);
}

export interface QueueChange {
  id: string;
  name: string;
  /** null: the entry was not listed before (new, or newly matching the filter) */
  from: EntryState | null;
  to: EntryState;
}

/**
 * Entries that appeared or changed state between two listings of every entry (pure). Only
 * those shown before or after count (`shown`): an entry that leaves the view, e.g. finished
 * under the default filter, is a change worth a line.
 */
export function queueChanges(prev: ReadonlyMap<string, QueueEntry>, next: readonly QueueEntry[], shown: (state: EntryState) => boolean = () => true): QueueChange[] {
  const out: QueueChange[] = [];
  for (const e of next) {
    const before = prev.get(e.id);
    if (before?.state === e.state) continue;
    if (!shown(e.state) && !(before && shown(before.state))) continue;
    out.push({ id: e.id, name: e.body.name, from: before?.state ?? null, to: e.state });
  }
  return out;
}

export interface QueueLsOptions extends StoreOptions {
  state?: string[];
  label?: string;
  owner?: string;
  all?: boolean;
  watch?: boolean;
  interval: number;
  count?: number;
}

export async function run(ctx: CliContext, _args: [], opts: QueueLsOptions): Promise<void> {
  const states = parseStates(opts.state) ?? (opts.all ? undefined : DEFAULT_STATES);
  const label = opts.label;
  const filter = { ...(states ? { states } : {}), ...(label !== undefined ? { label } : {}), ...(opts.owner !== undefined ? { owner: opts.owner } : {}) };
  await withStore(ctx, opts, async (store, path) => {
    if (opts.watch) return watch(ctx, store, path, states, label, opts);
    const list = await store.list(filter);
    const now = Date.now();
    if (ctx.json) {
      ctx.printJson({ db: path, count: list.length, counts: countStates(list), entries: list.map((e) => entryView(e, now)) });
      return;
    }
    ctx.print(entryTable(ctx, list, now));
  });
}

async function watch(ctx: CliContext, store: QueueStore, path: string, states: readonly EntryState[] | undefined, label: string | undefined, opts: QueueLsOptions): Promise<void> {
  // every state is read, so that an entry leaving the view (finished, cancelled) is reported
  const shown = (s: EntryState) => states === undefined || states.includes(s);
  const intervalMs = Math.max(10, Math.round(opts.interval * 1000));
  const count = opts.count !== undefined && opts.count > 0 ? opts.count : undefined;
  const stdout = ctx.io.stdout as NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  const mode: 'json' | 'tty' | 'plain' = ctx.json ? 'json' : stdout.isTTY ? 'tty' : 'plain';
  const stop = untilInterrupted();
  const frame = mode === 'tty' ? new LiveFrame(stdout) : undefined;
  const emit = (v: Record<string, unknown>) => stdout.write(`${ctx.jsonText(v)}\n`);
  let prev: Map<string, QueueEntry> | undefined;
  let prevPrint = '';
  try {
    for (let seq = 1; !stop.signal.aborted; seq++) {
      const all = await store.list(label !== undefined ? { label } : {});
      const list = all.filter((e) => shown(e.state));
      const now = Date.now();
      const counts = countStates(list);
      const changes = prev ? queueChanges(prev, all, shown) : [];
      const print = list.map((e) => `${e.id}:${fingerprint(e)}`).join('\n');
      if (mode === 'json') {
        if (seq === 1 || print !== prevPrint) {
          for (const c of changes) emit({ type: 'change', ...c });
          emit({ type: 'snapshot', seq, time: new Date(now).toISOString(), db: path, count: list.length, counts, entries: list.map((e) => entryView(e, now)) });
        }
      } else if (mode === 'plain') {
        if (seq === 1) ctx.print(entryTable(ctx, list, now));
        for (const c of changes) ctx.print(`${formatClock(now)}  ${c.id}  ${c.name}  ${c.from ? stateColor(c.from, ctx.out) : '-'} → ${stateColor(c.to, ctx.out)}`);
      } else {
        const summary = Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ') || '0';
        const lines = [ctx.out.dim(t('queue.watch.header', { time: formatClock(now), interval: intervalMs / 1000, counts: summary }))];
        lines.push(entryTable(ctx, list, now));
        frame!.draw(lines);
      }
      prev = new Map(all.map((e) => [e.id, e]));
      prevPrint = print;
      if (count !== undefined && seq >= count) break;
      await sleep(intervalMs, stop.signal);
    }
  } finally {
    frame?.close();
    stop.dispose();
  }
  // Ctrl-C is the normal way to end a watch: exit 0, as `autodl watch`
}

/** `queue ls` (the group is ./queue.ts) */
export function declareLs(group: Command): void {
  group
    .command('ls')
    .alias('list')
    .description(t('queue.cmd.ls'))
    .option('--state <state...>', t('queue.opt.state'))
    .option('--label <label>', t('queue.opt.labelFilter'))
    .option('--owner <name>', t('policy.opt.ownerFilter'))
    .option('--all', t('queue.opt.all'))
    .option('--watch', t('queue.opt.watch'))
    .option('--interval <duration>', t('watch.opt.interval'), intervalSeconds, 2)
    .option('--count <n>', t('queue.opt.count'), nonNegativeInt)
    .action(action(run));
}
