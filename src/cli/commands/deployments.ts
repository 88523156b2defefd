import type { Deployment } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, toArray } from '../client.js';
import { deploymentRows, deploymentHeaders } from '../render.js';
import { renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext, _args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const client = await makeClient(ctx);
  const filter: { name?: string; status?: string } = {};
  if (typeof opts.name === 'string') filter.name = opts.name;
  if (typeof opts.status === 'string') filter.status = opts.status;
  const list: Deployment[] = await toArray(client.deployments.listAll(filter));
  ctx.result(list, () =>
    list.length === 0 ? t('result.empty') : renderTable(deploymentHeaders(), deploymentRows(list, ctx.out), ctx.out, { right: [4] }),
  );
}
