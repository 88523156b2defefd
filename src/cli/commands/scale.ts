import type { SetReplicasBody } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, printDryRun, resolveDeployment } from '../client.js';
import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const ref = String(args[0]);
  const n = Number(args[1]);
  const dry = opts.dryRun === true;
  const client = await makeClient(ctx, { requireToken: !dry });
  if (dry) {
    const body: SetReplicasBody = { deployment_uuid: ref, replica_num: n };
    return printDryRun(ctx, client.prepare('setReplicas', body));
  }
  const d = await resolveDeployment(ctx, client, ref);
  await client.deployments.setReplicas(d.uuid, n);
  ctx.result({ status: 'success', deployment_uuid: d.uuid, replica_num: n }, () => t('result.scaled', { uuid: d.uuid, n }));
}
