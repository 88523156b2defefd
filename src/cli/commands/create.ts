import { t } from '../../i18n/index.js';
import { makeClient, printDryRun } from '../client.js';
import { prepareConfig } from '../config-file.js';
import type { CliContext } from '../runtime.js';
import { action, dryRunOption, withExamples, type CliCommand } from '../command.js';

export interface CreateOptions {
  dryRun?: boolean;
}

export async function run(ctx: CliContext, [path]: [string], opts: CreateOptions): Promise<void> {
  const dry = opts.dryRun ?? false;
  const client = await makeClient(ctx, { requireToken: !dry });
  const { body } = await prepareConfig(ctx, path, { dialect: client.dialect, ignoreQueue: true });
  if (dry) return printDryRun(ctx, client.prepare('createDeployment', body));
  const res = await client.deployments.create(body);
  ctx.result({ status: 'success', deployment_uuid: res.deployment_uuid }, () => t('result.created', { uuid: res.deployment_uuid }));
}

export const command: CliCommand = {
  names: ['create'],
  examples: [
    ['autodl create job.yaml --dry-run', 'ex.create.dry'],
    ['autodl create job.yaml --json', 'ex.create'],
  ],
  declare(program) {
    withExamples(program.command('create').description(t('cmd.create')).argument('<config>', t('arg.config')).addOption(dryRunOption()), command.examples).action(action(run));
  },
};
