import type { Deployment } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { filterError, isTypo, KNOWN_DEPLOYMENT_STATUSES } from '../filters.js';
import { makeClient, toArray } from '../client.js';
import { deploymentRows, deploymentHeaders } from '../render.js';
import { renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { action, withExamples, type CliCommand } from '../command.js';

export interface DeploymentsOptions {
  name?: string;
  status?: string;
}

export async function run(ctx: CliContext, _args: [], opts: DeploymentsOptions): Promise<void> {
  const status = opts.status;
  const unknownStatus = status !== undefined && !KNOWN_DEPLOYMENT_STATUSES.includes(status);
  // a typo of a known status can match nothing: said before any request (and before the token)
  if (unknownStatus && isTypo(status, KNOWN_DEPLOYMENT_STATUSES)) throw filterError('--status', status, KNOWN_DEPLOYMENT_STATUSES);
  const client = await makeClient(ctx);
  const filter: { name?: string; status?: string } = {};
  if (opts.name !== undefined) filter.name = opts.name;
  if (opts.status !== undefined) filter.status = opts.status;
  const list: Deployment[] = await toArray(client.deployments.listAll(filter));
  if (list.length === 0 && unknownStatus) throw filterError('--status', status, KNOWN_DEPLOYMENT_STATUSES);
  ctx.result(list, () =>
    list.length === 0 ? t('result.empty') : renderTable(deploymentHeaders(), deploymentRows(list, ctx.out), ctx.out, { right: [4] }),
  );
}

export const command: CliCommand = {
  names: ['deployments', 'ls'],
  examples: [
    ['autodl deployments', 'ex.deployments'],
    ['autodl ls --status running --json', 'ex.deployments.status'],
  ],
  declare(program) {
    withExamples(
      program
        .command('deployments')
        .alias('ls')
        .description(t('cmd.deployments'))
        .option('--name <name>', t('cmd.deployments.name'))
        .option('--status <status>', t('cmd.deployments.status')),
      command.examples,
    ).action(action(run));
  },
};
