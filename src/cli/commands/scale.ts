import { t } from '../../i18n/index.js';
import { cliResolve, makeClientWithToken, printDryRun } from '../client.js';
import { applyDeploymentChange, previewDeploymentChange, type DeploymentChange } from '../../ops/change.js';
import { cliWords } from '../words.js';
import type { CliContext } from '../runtime.js';
import { action, dryRunOption, withExamples, type CliCommand } from '../command.js';
import { nonNegativeInt } from '../args.js';

export interface ScaleOptions {
  dryRun?: boolean;
}

export async function run(ctx: CliContext, [ref, n]: [string, number], opts: ScaleOptions): Promise<void> {
  const dry = opts.dryRun ?? false;
  const { client, tokenAtHand } = await makeClientWithToken(ctx, { requireToken: !dry });
  const change: DeploymentChange = { kind: 'scale', replicaNum: n };
  // the name is resolved whenever a token is at hand, for --dry-run too (src/ops/change.ts)
  if (dry) return printDryRun(ctx, await previewDeploymentChange(client, ref, change, tokenAtHand, cliWords, cliResolve(ctx)));
  const res = await applyDeploymentChange(client, ref, change, cliWords, cliResolve(ctx));
  ctx.result(res, () => t('result.scaled', { uuid: res.deployment_uuid, n }));
}

export const command: CliCommand = {
  names: ['scale'],
  examples: [
    ['autodl scale my-service 3', 'ex.scale'],
    ['autodl scale my-service 0 --dry-run', 'ex.scale.dry'],
  ],
  declare(program) {
    withExamples(
      program
        .command('scale')
        .description(t('cmd.scale'))
        .argument('<deployment>', t('arg.deployment'))
        .argument('<n>', t('arg.replicas'), nonNegativeInt)
        .addOption(dryRunOption()),
      command.examples,
    ).action(action(run));
  },
};
