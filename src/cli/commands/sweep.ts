// `autodl sweep <template> --param lr=1e-3,1e-4 --param seed=1,2,3 [--priority N] [--dry-run]`:
// the Cartesian product of the parameters (the file's `sweep:` block, overridden per name by
// --param) with {{name}} substituted in `name` and `cmd`, added to the queue as one entry per
// combination (one transaction). --dry-run prints the expanded specs (a JSON array with --json).
import { AutodlError } from '../../errors.js';
import { english, inLang, t } from '../../i18n/index.js';
import type { SweepParams } from '../../pipeline/index.js';
import type { CliContext } from '../runtime.js';
import { addItems, type AddItem } from './queue-add.js';
import { labelOf, prepareTemplate, targetDialect, type StoreOptions } from './queue-common.js';
import { Option } from 'commander';
import { action, withExamples, type CliCommand } from '../command.js';
import { integerArg, paramArg } from './queue-args.js';
import { declarePolicyOptions, type PolicyOptions } from './queue-policy.js';

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
      errors.push({ path: `--param ${p}`, message: english('cli.paramTwice', { name }) });
      continue;
    }
    out[name] = values;
  }
  if (errors.length > 0) {
    throw new AutodlError('validation_error', t('cli.badSweepParams', { messages: errors.map((e) => inLang(e.message)).join('; ') }), { errors });
  }
  return out;
}

export interface SweepOptions extends StoreOptions, PolicyOptions {
  param?: string[];
  priority: number;
  label?: string;
  dryRun?: boolean;
  allowDuplicate?: boolean;
}

export async function run(ctx: CliContext, [path]: [string], opts: SweepOptions): Promise<void> {
  const cli = parseParams(opts.param ?? []);
  const priority = opts.priority;
  const label = opts.label ?? labelOf(path);
  const dialect = await targetDialect(ctx);
  const tpl = await prepareTemplate(ctx, path, dialect);
  const params: SweepParams = { ...(tpl.sweep ?? {}), ...cli };
  if (Object.keys(params).length === 0) {
    throw new AutodlError('validation_error', t('cli.nothingToSweep', { path }), {
      errors: [{ path: 'sweep', message: english('cli.noSweepParams') }],
    });
  }
  const { expandSweep } = await import('../../pipeline/sweep.js'); // no zod (src/pipeline/quick.ts)
  const items: AddItem[] = expandSweep(tpl.body, params).map((it) => ({ ...it, label, queue: tpl.queue }));
  await addItems(ctx, opts, items, priority, opts.dryRun ?? false);
}

export const command: CliCommand = {
  names: ['sweep'],
  examples: [
    ['autodl sweep train.yaml --param lr=1e-3,1e-4 --param seed=1,2,3 --dry-run', 'ex.sweep.dry'],
    ['autodl sweep train.yaml --priority 5 --label lr-search', 'ex.sweep'],
  ],
  declare(program) {
    withExamples(
      declarePolicyOptions(program
        .command('sweep')
        .description(t('sweep.cmd'))
        .argument('<template>', t('sweep.arg.template'))
        .option('--param <name=v1,v2>', t('sweep.opt.param'), paramArg)
        .option('--priority <n>', t('queue.opt.priority'), integerArg, 0)
        .option('--label <label>', t('sweep.opt.label'))
        .option('--db <path>', t('queue.opt.db'))
        .option('--allow-duplicate', t('queue.opt.allowDuplicate'))
        .addOption(new Option('--dry-run', t('sweep.opt.dryRun')))),
      command.examples,
    ).action(action(run));
  },
};
