import type { CliContext } from '../runtime.js';
import { action, withExamples, type CliCommand } from '../command.js';
import { t } from '../../i18n/index.js';

export async function run(ctx: CliContext): Promise<void> {
  const { deploymentJsonSchema } = await import('../../pipeline/schema.js');
  // Always JSON (it is for editors), indented.
  ctx.print(JSON.stringify(deploymentJsonSchema(), null, 2));
}

export const command: CliCommand = {
  names: ['schema'],
  examples: [['autodl schema > deployment.schema.json', 'ex.schema']],
  declare(program) {
    withExamples(program.command('schema').description(t('cmd.schema')), command.examples).action(action(run));
  },
};
