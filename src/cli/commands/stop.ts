import { t } from '../../i18n/index.js';
import { cliResolve, makeClientWithToken, printDryRun } from '../client.js';
import { applyDeploymentChange, previewDeploymentChange, type DeploymentChange } from '../../ops/change.js';
import { cliWords } from '../words.js';
import type { CliContext } from '../runtime.js';
import { action, dryRunOption, withExamples, type CliCommand } from '../command.js';
import { selectorsOf, withBulkOptions } from '../bulk.js';
import type { DeploymentBulkOptions } from '../deployment-bulk.js';
import { isBulk } from '../../ops/bulk.js';

export interface StopOptions extends DeploymentBulkOptions {
  dryRun?: boolean;
}

export async function run(ctx: CliContext, [refs]: [string[]], opts: StopOptions): Promise<void> {
  // several deployments, or selectors: the bulk form (src/cli/deployment-bulk.ts)
  if (isBulk(refs, selectorsOf(opts, opts.status)) || refs.length === 0) {
    const { runDeploymentBulk } = await import('../deployment-bulk.js');
    return runDeploymentBulk(ctx, 'stop', refs, opts);
  }
  const ref = refs[0]!;
  const dry = opts.dryRun ?? false;
  const { client, tokenAtHand } = await makeClientWithToken(ctx, { requireToken: !dry });
  const change: DeploymentChange = { kind: 'stop' };
  // the name is resolved whenever a token is at hand, for --dry-run too (src/ops/change.ts)
  if (dry) return printDryRun(ctx, await previewDeploymentChange(client, ref, change, tokenAtHand, cliWords, cliResolve(ctx)));
  const res = await applyDeploymentChange(client, ref, change, cliWords, cliResolve(ctx));
  ctx.result(res, () => t('result.stopped', { uuid: res.deployment_uuid }));
}

export const command: CliCommand = {
  names: ['stop'],
  examples: [
    ['autodl stop my-job', 'ex.stop'],
    ['autodl stop my-job --dry-run', 'ex.stop.dry'],
    ['autodl stop --label lr-sweep --yes', 'ex.stop.label'],
    ['autodl stop --name-prefix demo- --status running --dry-run', 'ex.stop.prefix'],
  ],
  declare(program) {
    const cmd = program.command('stop').description(t('cmd.stop')).argument('[deployment...]', t('arg.deployments')).addOption(dryRunOption());
    withExamples(withBulkOptions(cmd, 'deployments').option('--db <path>', t('bulk.opt.db')), command.examples).action(action(run));
  },
};
