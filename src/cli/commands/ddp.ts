// `autodl ddp <deployment>` (alias ddp-overview): the deployment's duration packages
// (endpoint 15): per GPU type the package's total and balance, and the data centres it covers.
// JSON as the API has it (seconds); the table in hours.
import type { DdpOverview } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { ddpOverview } from '../../ops/ddp.js';
import { cliResolve, makeClient } from '../client.js';
import { action, withExamples, type CliCommand } from '../command.js';
import { renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { cliWords } from '../words.js';

function hours(seconds: number): string {
  return (Math.round((seconds / 3600) * 100) / 100).toFixed(2);
}

export async function run(ctx: CliContext, [ref]: [string]): Promise<void> {
  const client = await makeClient(ctx);
  const list: DdpOverview[] = await ddpOverview(client, ref, cliWords, cliResolve(ctx));
  ctx.result(list, () =>
    list.length === 0
      ? t('result.empty')
      : renderTable(
          [t('col.gpu'), t('col.totalHours'), t('col.balance'), t('col.dcList')],
          list.map((p) => [p.gpu_type, hours(p.total), hours(p.balance), p.dc_list.length > 0 ? p.dc_list.join(', ') : '-']),
          ctx.out,
          { right: [1, 2] },
        ),
  );
}

export const command: CliCommand = {
  names: ['ddp', 'ddp-overview'],
  examples: [
    ['autodl ddp my-job', 'ex.ddp'],
    ['autodl ddp-overview my-job --json', 'ex.ddp.json'],
  ],
  declare(program) {
    withExamples(program.command('ddp').alias('ddp-overview').description(t('cmd.ddp')).argument('<deployment>', t('arg.deployment')), command.examples).action(action(run));
  },
};
