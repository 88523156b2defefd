import type { Container, ListContainersBody } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, resolveDeployment, toArray } from '../client.js';
import { renderTable } from '../output.js';
import { CONTAINER_RIGHT, containerHeaders, containerRows } from '../render.js';
import type { CliContext } from '../runtime.js';

type Filter = Omit<ListContainersBody, 'page_index' | 'page_size' | 'offset'>;

function optNum(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

export function containerFilter(deploymentUuid: string, opts: Record<string, unknown>): Filter {
  const f: Filter = { deployment_uuid: deploymentUuid };
  if (Array.isArray(opts.status) && opts.status.length > 0) f.status = (opts.status as string[]).flatMap((s) => s.split(',')).filter((s) => s !== '');
  if (typeof opts.gpu === 'string') f.gpu_name = opts.gpu;
  if (typeof opts.released === 'boolean') f.released = opts.released;
  if (typeof opts.container === 'string') f.container_uuid = opts.container;
  if (typeof opts.dateFrom === 'string') f.date_from = opts.dateFrom;
  if (typeof opts.dateTo === 'string') f.date_to = opts.dateTo;
  const nums: Array<[keyof Filter, unknown]> = [
    ['cpu_num_from', opts.cpuFrom],
    ['cpu_num_to', opts.cpuTo],
    ['memory_size_from', opts.memFrom],
    ['memory_size_to', opts.memTo],
    ['price_from', opts.priceFrom],
    ['price_to', opts.priceTo],
  ];
  for (const [k, v] of nums) {
    const n = optNum(v);
    if (n !== undefined) (f as Record<string, unknown>)[k] = n;
  }
  return f;
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const client = await makeClient(ctx);
  const deployment = await resolveDeployment(ctx, client, String(args[0]));
  const list: Container[] = await toArray(client.containers.listAll(containerFilter(deployment.uuid, opts)));
  ctx.result(list, () =>
    list.length === 0 ? t('result.empty') : renderTable(containerHeaders(), containerRows(list, ctx.out), ctx.out, { right: CONTAINER_RIGHT }),
  );
}
