// `autodl cost [deployment] [--since <ISO|duration>] [--at <ISO>]`: spend so far and the
// current burn rate, estimated from each container's price and running time (no billing
// endpoint exists on the private cloud: always marked as an estimate). Rules: src/watch/cost.ts.
import { AutodlError } from '../../errors.js';
import type { Deployment } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, resolveDeployment, toArray } from '../client.js';
import { renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { estimateCost } from '../../watch/inspect.js';
import { parseApiTime, parseSince } from '../../watch/time.js';

function yuan(v: number): string {
  return `¥${v.toFixed(v !== 0 && Math.abs(v) < 0.01 ? 4 : 2)}`;
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  let at: number | undefined;
  if (typeof opts.at === 'string') {
    at = parseApiTime(opts.at);
    if (at === undefined) throw new AutodlError('config_error', t('cost.badTime', { option: '--at', value: opts.at }), { field: '--at', value: opts.at });
  }
  if (typeof opts.since === 'string' && parseSince(opts.since, at ?? Date.now()) === undefined) {
    throw new AutodlError('config_error', t('cost.badTime', { option: '--since', value: opts.since }), { field: '--since', value: opts.since });
  }
  const client = await makeClient(ctx);
  const deployments: Deployment[] = typeof args[0] === 'string' && args[0] !== '' ? [await resolveDeployment(ctx, client, args[0])] : await toArray(client.deployments.listAll());
  const report = await estimateCost(client, deployments, { ...(at !== undefined ? { at } : {}), ...(typeof opts.since === 'string' ? { since: opts.since } : {}) });
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
    lines.push(c.yellow(t('cost.estimateNote')) + (report.since ? c.dim(` (${t('cost.sinceNote', { since: report.since })})`) : ''));
    return lines.join('\n');
  });
}
