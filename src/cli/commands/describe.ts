import type { Container, ContainerEvent } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, resolveDeployment, toArray } from '../client.js';
import { dash, milliYuan, renderFields, renderTable, statusColor } from '../output.js';
import { CONTAINER_RIGHT, containerHeaders, containerRows, eventHeaders, eventRow } from '../render.js';
import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const ref = String(args[0]);
  const nEvents = typeof opts.events === 'number' ? opts.events : 10;
  const client = await makeClient(ctx);
  const deployment = await resolveDeployment(ctx, client, ref);
  const containers: Container[] = await toArray(client.containers.listAll({ deployment_uuid: deployment.uuid }));
  const all: ContainerEvent[] = nEvents > 0 ? await toArray(client.events.listAll({ deployment_uuid: deployment.uuid })) : [];
  const events = [...all].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at))).slice(-nEvents || all.length);
  ctx.result({ deployment, containers, events: nEvents > 0 ? events : [] }, () => {
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
