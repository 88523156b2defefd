import { t } from '../../i18n/index.js';
import { makeClientWithToken, printDryRun } from '../client.js';
import { applyDeploymentChange, previewDeploymentChange, type DeploymentChange } from '../../ops/change.js';
import { cliWords } from '../words.js';
import { recordDeploymentEnded } from '../queue-record.js';
import type { CliContext } from '../runtime.js';
import { action, dryRunOption, withExamples, type CliCommand } from '../command.js';

export interface DeleteOptions {
  dryRun?: boolean;
}

export async function run(ctx: CliContext, [ref]: [string], opts: DeleteOptions): Promise<void> {
  const dry = opts.dryRun ?? false;
  const { client, tokenAtHand } = await makeClientWithToken(ctx, { requireToken: !dry });
  const change: DeploymentChange = { kind: 'delete' };
  // the name is resolved whenever a token is at hand, for --dry-run too (src/ops/change.ts)
  if (dry) return printDryRun(ctx, await previewDeploymentChange(client, ref, change, tokenAtHand, cliWords));
  const res = await applyDeploymentChange(client, ref, change, cliWords);
  await recordDeploymentEnded(ctx, res.deployment_uuid, 'deployment deleted (autodl delete)');
  ctx.result(res, () => t('result.deleted', { uuid: res.deployment_uuid }));
}

export const command: CliCommand = {
  names: ['delete', 'rm'],
  examples: [
    ['autodl delete my-job', 'ex.delete'],
    ['autodl rm my-job --dry-run', 'ex.delete.dry'],
  ],
  declare(program) {
    withExamples(
      program.command('delete').alias('rm').description(t('cmd.delete')).argument('<deployment>', t('arg.deployment')).addOption(dryRunOption()),
      command.examples,
    ).action(action(run));
  },
};
