// `autodl queue ls [--state s...] [--label L] [--all]`: the entries as the store has them.
// The state of a submitted entry is what the worker last saw (submitted → running →
// finished | failed); `queue ls` itself sends no API call.
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { ENTRY_STATES, type EntryState } from '../../queue/types.js';
import { renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { ENTRY_HEADERS, entryRow, entryView, withStore } from './queue-common.js';

const DEFAULT_STATES: readonly EntryState[] = ['pending', 'submitting', 'submitted', 'running', 'failed'];

export function parseStates(raw: unknown): EntryState[] | undefined {
  if (raw === undefined) return undefined;
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !(ENTRY_STATES as readonly string[]).includes(s));
  if (bad.length > 0) {
    throw new AutodlError('config_error', t('arg.invalid', { message: `unknown state ${bad.join(', ')} (one of ${ENTRY_STATES.join(', ')})` }), {
      reason: 'unknown state',
      states: bad,
    });
  }
  return list as EntryState[];
}

export async function run(ctx: CliContext, _args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const states = parseStates(opts.state) ?? (opts.all === true ? undefined : DEFAULT_STATES);
  const label = typeof opts.label === 'string' ? opts.label : undefined;
  await withStore(ctx, opts, async (store, path) => {
    const list = await store.list({ ...(states ? { states } : {}), ...(label !== undefined ? { label } : {}) });
    const now = Date.now();
    const counts: Record<string, number> = {};
    for (const e of list) counts[e.state] = (counts[e.state] ?? 0) + 1;
    if (ctx.json) {
      ctx.printJson({ db: path, count: list.length, counts, entries: list.map((e) => entryView(e, now)) });
      return;
    }
    if (list.length === 0) {
      ctx.print(ctx.out.dim(t('queue.empty')));
      return;
    }
    ctx.print(renderTable(ENTRY_HEADERS, list.map((e) => entryRow(e, ctx.out, now)), ctx.out, { right: [3, 4] }));
  });
}
