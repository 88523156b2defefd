import type { Container, ListContainersBody } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { CONTAINER_STATUSES } from '../../api/types.js';
import { filterError } from '../filters.js';
import { makeClient, resolveDeployment, toArray } from '../client.js';
import { nonNegativeNumber } from '../args.js';
import { action, withExamples, type CliCommand } from '../command.js';
import { renderTable } from '../output.js';
import { CONTAINER_RIGHT, containerHeaders, containerRows } from '../render.js';
import type { CliContext } from '../runtime.js';

type Filter = Omit<ListContainersBody, 'page_index' | 'page_size' | 'offset'>;

export interface ContainersOptions {
  status?: string[];
  gpu?: string;
  released?: boolean;
  container?: string;
  dateFrom?: string;
  dateTo?: string;
  cpuFrom?: number;
  cpuTo?: number;
  memFrom?: number;
  memTo?: number;
  priceFrom?: number;
  priceTo?: number;
}

export function containerFilter(deploymentUuid: string, opts: ContainersOptions): Filter {
  const f: Filter = { deployment_uuid: deploymentUuid };
  if (opts.status !== undefined && opts.status.length > 0) f.status = opts.status.flatMap((s) => s.split(',')).filter((s) => s !== '');
  if (opts.gpu !== undefined) f.gpu_name = opts.gpu;
  if (opts.released !== undefined) f.released = opts.released;
  if (opts.container !== undefined) f.container_uuid = opts.container;
  if (opts.dateFrom !== undefined) f.date_from = opts.dateFrom;
  if (opts.dateTo !== undefined) f.date_to = opts.dateTo;
  if (opts.cpuFrom !== undefined) f.cpu_num_from = opts.cpuFrom;
  if (opts.cpuTo !== undefined) f.cpu_num_to = opts.cpuTo;
  if (opts.memFrom !== undefined) f.memory_size_from = opts.memFrom;
  if (opts.memTo !== undefined) f.memory_size_to = opts.memTo;
  if (opts.priceFrom !== undefined) f.price_from = opts.priceFrom;
  if (opts.priceTo !== undefined) f.price_to = opts.priceTo;
  return f;
}

export async function run(ctx: CliContext, [ref]: [string], opts: ContainersOptions): Promise<void> {
  const filter = containerFilter('', opts);
  const unknown = (filter.status ?? []).filter((s) => !(CONTAINER_STATUSES as readonly string[]).includes(s));
  // container statuses are a known set: a value outside it can match nothing
  if (unknown.length > 0) throw filterError('--status', unknown[0]!, CONTAINER_STATUSES);
  const client = await makeClient(ctx);
  const deployment = await resolveDeployment(ctx, client, ref);
  const list: Container[] = await toArray(client.containers.listAll(containerFilter(deployment.uuid, opts)));
  if (list.length === 0 && opts.gpu !== undefined && opts.gpu !== '') {
    // an empty list for a GPU name: is it a name the platform has at all?
    const names = Object.keys(await client.stock.get()).sort();
    if (!names.includes(opts.gpu)) throw filterError('--gpu', opts.gpu, names);
  }
  ctx.result(list, () =>
    list.length === 0 ? t('result.empty') : renderTable(containerHeaders(), containerRows(list, ctx.out), ctx.out, { right: CONTAINER_RIGHT }),
  );
}

export const command: CliCommand = {
  names: ['containers'],
  examples: [
    ['autodl containers my-job', 'ex.containers'],
    ['autodl containers my-job --status running --no-released --json', 'ex.containers.running'],
  ],
  declare(program) {
    withExamples(
      program
        .command('containers')
        .description(t('cmd.containers'))
        .argument('<deployment>', t('arg.deployment'))
        .option('--status <status...>', t('cmd.containers.status'))
        .option('--gpu <name>', t('cmd.containers.gpu'))
        .option('--released', t('cmd.containers.released'))
        .option('--no-released', t('cmd.containers.released'))
        .option('--container <uuid>', t('cmd.containers.container'))
        .option('--date-from <date>', t('cmd.containers.dateFrom'))
        .option('--date-to <date>', t('cmd.containers.dateTo'))
        .option('--cpu-from <n>', t('cmd.containers.cpuFrom'), nonNegativeNumber)
        .option('--cpu-to <n>', t('cmd.containers.cpuTo'), nonNegativeNumber)
        .option('--mem-from <gb>', t('cmd.containers.memFrom'), nonNegativeNumber)
        .option('--mem-to <gb>', t('cmd.containers.memTo'), nonNegativeNumber)
        .option('--price-from <milli-yuan>', t('cmd.containers.priceFrom'), nonNegativeNumber)
        .option('--price-to <milli-yuan>', t('cmd.containers.priceTo'), nonNegativeNumber),
      command.examples,
    ).action(action(run));
  },
};
