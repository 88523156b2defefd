import { t } from '../../i18n/index.js';
import { makeClient, resolveDeployment } from '../client.js';
import { describeDeployment } from '../../watch/inspect.js';
import { dash, milliYuan, renderFields, renderTable, statusColor } from '../output.js';
import { CONTAINER_RIGHT, containerHeaders, containerRows, eventHeaders, eventRow } from '../render.js';
import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const ref = String(args[0]);
  const nEvents = typeof opts.events === 'number' ? opts.events : 10;
  const client = await makeClient(ctx);
  const deployment = await resolveDeployment(ctx, client, ref);
  const { containers, events } = await describeDeployment(client, deployment, nEvents);
  ctx.result({ deployment, containers, events }, () => {
    const c = ctx.out;
    const d = deployment;
    const fields: Array<[string, string]> = [
      ['uuid', d.uuid],
      ['name', d.name],
      ['type', d.deployment_type],
      ['status', statusColor(d.status, c)],
      ['replicas', String(d.replica_num)],
      ...(d.deployment_type === 'Job' ? ([['parallelism', String(d.parallelism_num)]] as Array<[string, string]>) : []),
      ['running/starting/finished/failed', `${d.running_num}/${d.starting_num}/${d.finished_num}/${d.failed_num}`],
      ['image', dash(d.image_uuid)],
      ['price estimate (¥/h)', typeof d.price_estimates === 'number' ? milliYuan(d.price_estimates) : '-'],
      ['reuse_container', String(d.reuse_container)],
      ['created_at', dash(d.created_at)],
      ['stopped_at', dash(d.stopped_at)],
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
