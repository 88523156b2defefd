// `autodl sweep <template> --param lr=1e-3,1e-4 --param seed=1,2,3 [--priority N] [--dry-run]`:
// the Cartesian product of the parameters (the file's `sweep:` block, overridden per name by
// --param) with {{name}} substituted in `name` and `cmd`, added to the queue as one entry per
// combination (one transaction). --dry-run prints the expanded specs (a JSON array with --json).
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import type { SweepParams } from '../../pipeline/index.js';
import type { CliContext } from '../runtime.js';
import { addItems, type AddItem } from './queue-add.js';
import { labelOf, prepareTemplate, targetDialect } from './queue-common.js';

/** `--param name=v1,v2` options → parameters; a malformed one is a validation_error (exit 1). */
export function parseParams(raw: readonly string[]): SweepParams {
  const out: SweepParams = {};
  const errors: Array<{ path: string; message: string }> = [];
  for (const p of raw) {
    const eq = p.indexOf('=');
    const name = eq > 0 ? p.slice(0, eq).trim() : '';
    const values = eq > 0 ? p.slice(eq + 1).split(',').map((v) => v.trim()) : [];
    if (!name || values.length === 0 || values.some((v) => v === '')) {
      errors.push({ path: `--param ${p}`, message: t('sweep.badParam', { value: p }) });
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(out, name)) {
      errors.push({ path: `--param ${p}`, message: `parameter "${name}" given twice` });
      continue;
    }
    out[name] = values;
  }
  if (errors.length > 0) {
    throw new AutodlError('validation_error', `Invalid sweep parameters: ${errors.map((e) => e.message).join('; ')}`, { errors });
  }
  return out;
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const path = String(args[0]);
  const cli = parseParams(Array.isArray(opts.param) ? (opts.param as string[]) : []);
  const priority = typeof opts.priority === 'number' ? opts.priority : 0;
  const label = typeof opts.label === 'string' ? opts.label : labelOf(path);
  const dialect = await targetDialect(ctx);
  const tpl = await prepareTemplate(ctx, path, dialect);
  const params: SweepParams = { ...(tpl.sweep ?? {}), ...cli };
  if (Object.keys(params).length === 0) {
    throw new AutodlError('validation_error', `${path}: nothing to sweep: give --param name=v1,v2 or a sweep: block`, {
      errors: [{ path: 'sweep', message: 'no sweep parameters' }],
    });
  }
  const { expandSweep } = await import('../../pipeline/index.js');
  const items: AddItem[] = expandSweep(tpl.body, params).map((it) => ({ ...it, label }));
  await addItems(ctx, opts, items, priority, opts.dryRun === true);
}
