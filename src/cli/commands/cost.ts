// `autodl cost [deployment] [--since <ISO|duration>] [--at <ISO>]`: spend so far and the
// current burn rate, estimated from each container's price and running time (no billing
// endpoint exists on the private cloud: always marked as an estimate). Rules: src/watch/cost.ts.
import { AutodlError } from '../../errors.js';
import { formatDateTime, outputZone } from '../../util/time.js';
import type { Deployment } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, resolveDeployment, toArray } from '../client.js';
import { renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { estimateCost } from '../../watch/inspect.js';
import { parseApiTime, parseSince } from '../../watch/time.js';
import { action, withExamples, type CliCommand } from '../command.js';

function yuan(v: number): string {
  return `¥${v.toFixed(v !== 0 && Math.abs(v) < 0.01 ? 4 : 2)}`;
}

export interface CostOptions {
  since?: string;
  at?: string;
}

export async function run(ctx: CliContext, [ref]: [string | undefined], opts: CostOptions): Promise<void> {
  let at: number | undefined;
  if (opts.at !== undefined) {
    at = parseApiTime(opts.at);
    if (at === undefined) throw new AutodlError('config_error', t('cost.badTime', { option: '--at', value: opts.at }), { field: '--at', value: opts.at });
  }
  if (opts.since !== undefined && parseSince(opts.since, at ?? Date.now()) === undefined) {
    throw new AutodlError('config_error', t('cost.badTime', { option: '--since', value: opts.since }), { field: '--since', value: opts.since });
  }
  const client = await makeClient(ctx);
  const deployments: Deployment[] = ref !== undefined && ref !== '' ? [await resolveDeployment(ctx, client, ref)] : await toArray(client.deployments.listAll());
  const report = await estimateCost(client, deployments, { ...(at !== undefined ? { at } : {}), ...(opts.since !== undefined ? { since: opts.since } : {}) });
  ctx.result(report, () => {
    const c = ctx.out;
    const lines: string[] = [];
    if (report.deployments.length > 0) {
      lines.push(
        renderTable(
          [t('col.uuid'), t('col.name'), t('cost.colContainers'), t('cost.colSpent'), t('cost.colBurn')],
          report.deployments.map((d) => [d.uuid, d.name, String(d.containers), yuan(d.spent_yuan), `${yuan(d.burn_rate_yuan_per_hour)}/h`]),
          c,
          { right: [2, 3, 4] },
        ),
      );
      lines.push('');
    }
    lines.push(`${c.bold(t('cost.total'))}: ${yuan(report.total_yuan)}   ${c.bold(t('cost.burn'))}: ${yuan(report.burn_rate_yuan_per_hour)}/h`);
    lines.push(c.yellow(t('cost.estimateNote')) + (report.since ? c.dim(` (${t('cost.sinceNote', { since: `${formatDateTime(Date.parse(report.since))} ${outputZone()}` })})`) : ''));
    return lines.join('\n');
  });
}

export const command: CliCommand = {
  names: ['cost'],
  examples: [
    ['autodl cost', 'ex.cost'],
    ['autodl cost my-job --since 2h --json', 'ex.cost.since'],
  ],
  declare(program) {
    withExamples(
      program
        .command('cost')
        .description(t('cost.cmd'))
        .argument('[deployment]', t('arg.deployment'))
        .option('--since <time>', t('cost.opt.since'))
        .option('--at <time>', t('cost.opt.at')),
      command.examples,
    ).action(action(run));
  },
};
