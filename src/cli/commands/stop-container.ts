import type { StopContainerBody } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, printDryRun } from '../client.js';
import type { CliContext } from '../runtime.js';
import { action, dryRunOption, withExamples, type CliCommand } from '../command.js';

export interface StopContainerOptions {
  decreaseReplica?: boolean;
  /** false with --no-cache */
  cache: boolean;
  cmdBeforeShutdown?: string;
  dryRun?: boolean;
}

export async function run(ctx: CliContext, [container]: [string], opts: StopContainerOptions): Promise<void> {
  const body: StopContainerBody = { deployment_container_uuid: container };
  if (opts.decreaseReplica) body.decrease_one_replica_num = true;
  if (!opts.cache) body.no_cache = true;
  if (opts.cmdBeforeShutdown !== undefined && opts.cmdBeforeShutdown.trim() !== '') body.cmd_before_shutdown = opts.cmdBeforeShutdown;
  const dry = opts.dryRun ?? false;
  const client = await makeClient(ctx, { requireToken: !dry });
  if (dry) return printDryRun(ctx, client.prepare('stopContainer', body));
  await client.containers.stop(body);
  ctx.result({ status: 'success', ...body }, () => t('result.containerStopped', { uuid: body.deployment_container_uuid }));
}

export const command: CliCommand = {
  names: ['stop-container'],
  examples: [
    ['autodl stop-container <container> --decrease-replica', 'ex.stopContainer'],
    ['autodl stop-container <container> --cmd-before-shutdown "python save.py" --dry-run', 'ex.stopContainer.before'],
  ],
  declare(program) {
    withExamples(
      program
        .command('stop-container')
        .description(t('cmd.stopContainer'))
        .argument('<container>', t('arg.container'))
        .option('--decrease-replica', t('cmd.stopContainer.decrease'))
        .option('--no-cache', t('cmd.stopContainer.noCache'))
        .option('--cmd-before-shutdown <cmd>', t('cmd.stopContainer.before'))
        .addOption(dryRunOption()),
      command.examples,
    ).action(action(run));
  },
};
