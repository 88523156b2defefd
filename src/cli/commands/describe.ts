import { t } from '../../i18n/index.js';
import { makeClient, resolveDeployment } from '../client.js';
import { deploymentEnded, deploymentPhase } from '../../watch/rows.js';
import { displayApiTime } from '../../util/time.js';
import { describeDeployment } from '../../watch/inspect.js';
import { dash, milliYuan, renderFields, renderTable, statusColor } from '../output.js';
import { CONTAINER_RIGHT, containerHeaders, containerRows, countsCell, eventHeaders, eventRow } from '../render.js';
import type { CliContext } from '../runtime.js';
import { action, withExamples, type CliCommand } from '../command.js';
import { nonNegativeInt } from '../args.js';

export interface DescribeOptions {
  events: number;
}

export async function run(ctx: CliContext, [ref]: [string], opts: DescribeOptions): Promise<void> {
  const nEvents = opts.events;
  const client = await makeClient(ctx);
  const deployment = await resolveDeployment(ctx, client, ref);
  // resources: the template with explicit units (the platform reports template memory in bytes)
  const { resources, containers, events } = await describeDeployment(client, deployment, nEvents);
  const phase = deploymentPhase(deployment);
  ctx.result({ deployment, phase, resources, containers, events }, () => {
    const c = ctx.out;
    const d = deployment;
    const r = resources;
    const range = (a: number | null, b: number | null, unit = '') => (a === null && b === null ? '-' : `${dash(a)}–${dash(b)}${unit}`);
    const cuda = r.cuda_v !== null ? String(r.cuda_v === 0 ? t('field.cudaAny') : r.cuda_v) : range(r.cuda_v_from, r.cuda_v_to);
    const fields: Array<[string, string]> = [
      [t('field.uuid'), d.uuid],
      [t('field.name'), d.name],
      [t('field.type'), d.deployment_type],
      [t('field.status'), phase === d.status ? statusColor(d.status, c) : `${statusColor(phase, c)} ${c.dim(t('describe.platformSays', { status: dash(d.status) }))}`],
      [t('field.replicas'), dash(d.replica_num)],
      ...(d.deployment_type === 'Job' ? ([[t('field.parallelism'), dash(d.parallelism_num)]] as Array<[string, string]>) : []),
      [t('field.counts'), countsCell(d)],
      [t('field.image'), r.image_name !== null ? `${dash(r.image_uuid)} (${r.image_name})` : dash(r.image_uuid)],
      [t('field.gpu'), r.gpu_name_set.length > 0 ? `${r.gpu_name_set.join(' | ')}${r.gpu_num !== null ? ` ×${r.gpu_num}` : ''}` : '-'],
      [t('field.cpu'), range(r.cpu_num_from, r.cpu_num_to)],
      [t('field.memoryGb'), range(r.memory_gb_from, r.memory_gb_to)],
      [t('field.priceYuan'), range(r.price_from === null ? null : Number(milliYuan(r.price_from)), r.price_to === null ? null : Number(milliYuan(r.price_to)))],
      [t('field.cuda'), cuda],
      ...(r.dc_list.length > 0 ? ([[t('field.dcList'), r.dc_list.join(', ')]] as Array<[string, string]>) : []),
      [t('field.priceEstimate'), typeof d.price_estimates === 'number' && !deploymentEnded(phase) ? milliYuan(d.price_estimates) : '-'],
      [t('field.reuseContainer'), dash(d.reuse_container)],
      [t('field.createdAt'), displayApiTime(d.created_at)],
      [t('field.stoppedAt'), displayApiTime(d.stopped_at)],
    ];
    const parts = [c.bold(t('describe.deployment')), renderFields(fields, c), ''];
    parts.push(c.bold(`${t('describe.containers')} (${containers.length})`));
    parts.push(containers.length === 0 ? t('result.empty') : renderTable(containerHeaders(), containerRows(containers, c), c, { right: CONTAINER_RIGHT }));
    if (nEvents > 0) {
      parts.push('', c.bold(t('describe.events')));
      parts.push(events.length === 0 ? t('result.empty') : renderTable(eventHeaders(), events.map((e) => eventRow(e, c)), c));
    }
    return parts.join('\n');
  });
}

export const command: CliCommand = {
  names: ['describe'],
  examples: [
    ['autodl describe my-job', 'ex.describe'],
    ['autodl describe my-job --events 0 --json', 'ex.describe.json'],
  ],
  declare(program) {
    withExamples(
      program
        .command('describe')
        .description(t('cmd.describe'))
        .argument('<deployment>', t('arg.deployment'))
        .option('--events <n>', t('cmd.describe.events'), nonNegativeInt, 10),
      command.examples,
    ).action(action(run));
  },
};
