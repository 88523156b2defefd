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
import { roundYuan, type CostReport } from '../../watch/cost.js';
import type { QueueEntry } from '../../queue/types.js';
import { existsSync } from 'node:fs';
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
  const live = await estimateCost(client, deployments, { ...(at !== undefined ? { at } : {}), ...(opts.since !== undefined ? { since: opts.since } : {}) });
  // deployments deleted since: no longer listed, but the local queue knows what they were
  const report = ref !== undefined && ref !== '' ? live : await withDeleted(ctx, live, new Set(deployments.map((d) => d.uuid)), opts.since);
  ctx.result(report, () => {
    const c = ctx.out;
    const lines: string[] = [];
    if (report.deployments.length > 0) {
      lines.push(
        renderTable(
          [t('col.uuid'), t('col.name'), t('cost.colContainers'), t('cost.colSpent'), t('cost.colBurn')],
          report.deployments.map((d) =>
            'deleted' in d
              ? [d.uuid, `${d.name} ${c.dim(t('cost.deleted'))}`, '-', `≤ ${yuan(d.spent_yuan)}`, '-']
              : [d.uuid, d.name, String(d.containers), yuan(d.spent_yuan), `${yuan(d.burn_rate_yuan_per_hour)}/h`],
          ),
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

interface DeletedCost {
  uuid: string;
  name: string;
  spent_yuan: number;
  burn_rate_yuan_per_hour: 0;
  containers: 0;
  deleted: true;
  /** the queue's estimate: its price ceiling (price_to × GPUs) over the time it ran — at most */
  estimate: 'at_most';
  entry_id: string;
}

/**
 * The report with the deployments the platform no longer lists but the local queue database
 * holds (created through `submit` or the queue, deleted since): what they spent, at most (the
 * queue's ceiling over their lifetime, src/queue/spent.ts), without a burn rate. Read only when
 * the database exists already (never created for this); a database that cannot be read is skipped.
 */
async function withDeleted(ctx: CliContext, report: CostReport, listed: ReadonlySet<string>, since: string | undefined): Promise<CostReport> {
  const { queuePath, currentAccount } = await import('./queue-common.js');
  const path = await queuePath(ctx, {});
  if (!/^postgres(ql)?:\/\//i.test(path) && !existsSync(path)) return report;
  let entries: QueueEntry[];
  try {
    const { openQueueStore } = await import('../../queue/open.js');
    const store = await openQueueStore(path);
    try {
      const account = await currentAccount(ctx);
      entries = await store.list(account !== undefined ? { account } : {});
    } finally {
      await store.close();
    }
  } catch {
    return report;
  }
  // the queue's times are its own clock (this machine's), not the server's of the report
  const now = Date.now();
  const from = since !== undefined ? parseSince(since, now) : undefined;
  const { ceilingPerHour } = await import('../../queue/spent.js');
  const extra: DeletedCost[] = [];
  for (const e of entries) {
    if (e.deployment_uuid === null || e.submitted_at === null || listed.has(e.deployment_uuid)) continue;
    const rate = ceilingPerHour(e) ?? 0;
    const end = Math.min(e.finished_at ?? now, now);
    const start = Math.max(e.submitted_at, from ?? -Infinity);
    const spent = roundYuan((rate * Math.max(0, end - start)) / 3_600_000);
    extra.push({ uuid: e.deployment_uuid, name: e.body.name, spent_yuan: spent, burn_rate_yuan_per_hour: 0, containers: 0, deleted: true, estimate: 'at_most', entry_id: e.id });
  }
  if (extra.length === 0) return report;
  const total = roundYuan(report.total_yuan + extra.reduce((sum, x) => sum + x.spent_yuan, 0));
  return { ...report, total_yuan: total, deployments: [...report.deployments, ...extra] };
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
