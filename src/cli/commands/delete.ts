import type { DeleteDeploymentBody } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, printDryRun, resolveDeployment } from '../client.js';
import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const ref = String(args[0]);
  const dry = opts.dryRun === true;
  const client = await makeClient(ctx, { requireToken: !dry });
  if (dry) {
    const body: DeleteDeploymentBody = { deployment_uuid: ref };
    return printDryRun(ctx, client.prepare('deleteDeployment', body));
  }
  const d = await resolveDeployment(ctx, client, ref);
  await client.deployments.delete(d.uuid);
  ctx.result({ status: 'success', deployment_uuid: d.uuid }, () => t('result.deleted', { uuid: d.uuid }));
}
