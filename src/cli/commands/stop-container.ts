import type { StopContainerBody } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, printDryRun } from '../client.js';
import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const body: StopContainerBody = { deployment_container_uuid: String(args[0]) };
  if (opts.decreaseReplica === true) body.decrease_one_replica_num = true;
  if (opts.cache === false) body.no_cache = true;
  if (typeof opts.cmdBeforeShutdown === 'string' && opts.cmdBeforeShutdown.trim() !== '') body.cmd_before_shutdown = opts.cmdBeforeShutdown;
  const dry = opts.dryRun === true;
  const client = await makeClient(ctx, { requireToken: !dry });
  if (dry) return printDryRun(ctx, client.prepare('stopContainer', body));
  await client.containers.stop(body);
  ctx.result({ status: 'success', ...body }, () => t('result.containerStopped', { uuid: body.deployment_container_uuid }));
}
