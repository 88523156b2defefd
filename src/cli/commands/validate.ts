import { t } from '../../i18n/index.js';
import { resolveTarget } from '../client.js';
import { prepareConfig } from '../config-file.js';
import type { CliContext } from '../runtime.js';
import { dialectForHost } from '../../api/dialect.js';
import { checkQueuedNames } from '../../ops/queue.js';
import { cliWords } from '../words.js';
import { action, withExamples, type CliCommand } from '../command.js';

export interface ValidateOptions {
  strict?: boolean;
}

export async function run(ctx: CliContext, [path]: [string], opts: ValidateOptions): Promise<void> {
  // Offline: the dialect comes from --dialect, the environment/config or the host; no token needed.
  const target = await resolveTarget(ctx, false);
  const dialect = target.dialect ?? dialectForHost(target.host);
  const { body, warnings, sweep, queue } = await prepareConfig(ctx, path, { dialect, strict: opts.strict ?? false, allowSweep: true });
  // submit and the queue send the name marked (`<name>-q<tag>`): it must fit the platform's limit then
  const names = sweep ? (await import('../../pipeline/index.js')).expandSweep(body, sweep).map((i) => i.body.name) : [body.name];
  checkQueuedNames(names, cliWords);
  // the queue: block (issue 16), checked with the rest; shown beside the body, never in it
  ctx.result({ status: 'success', valid: true, path, dialect, warnings, body, ...(queue ? { queue } : {}) }, () =>
    [ctx.out.green(`✓ ${t('result.valid', { path })}`), JSON.stringify(ctx.sanitize(body), null, 2)].join('\n'),
  );
}

export const command: CliCommand = {
  names: ['validate'],
  examples: [
    ['autodl validate job.yaml', 'ex.validate'],
    ['autodl validate job.yaml --strict --json', 'ex.validate.strict'],
  ],
  declare(program) {
    withExamples(program.command('validate').description(t('cmd.validate')).argument('<config>', t('arg.config')).option('--strict', t('cmd.validate.strict')), command.examples).action(action(run));
  },
};
