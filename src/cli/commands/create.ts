import { t } from '../../i18n/index.js';
import { makeClient, printDryRun } from '../client.js';
import { prepareConfig } from '../config-file.js';
import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const path = String(args[0]);
  const dry = opts.dryRun === true;
  const client = await makeClient(ctx, { requireToken: !dry });
  const { body } = await prepareConfig(ctx, path, { dialect: client.dialect });
  if (dry) return printDryRun(ctx, client.prepare('createDeployment', body));
  const res = await client.deployments.create(body);
  ctx.result({ status: 'success', deployment_uuid: res.deployment_uuid }, () => t('result.created', { uuid: res.deployment_uuid }));
}
