import type { OperateDeploymentBody } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, printDryRun, resolveDeployment } from '../client.js';
import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const ref = String(args[0]);
  const dry = opts.dryRun === true;
  const client = await makeClient(ctx, { requireToken: !dry });
  if (dry) {
    const body: OperateDeploymentBody = { deployment_uuid: ref, operate: 'stop' };
    return printDryRun(ctx, client.prepare('operateDeployment', body));
  }
  const d = await resolveDeployment(ctx, client, ref);
  await client.deployments.stop(d.uuid);
  ctx.result({ status: 'success', deployment_uuid: d.uuid }, () => t('result.stopped', { uuid: d.uuid }));
}
