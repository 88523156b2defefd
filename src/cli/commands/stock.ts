import type { Stock } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { filterError } from '../filters.js';
import { makeClient } from '../client.js';
import { renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { cliWords } from '../words.js';
import { checkStockQuery, queryStock } from '../../ops/stock.js';
import { action, withExamples, type CliCommand } from '../command.js';

export interface StockOptions {
  region?: string;
  dc?: string[];
  gpu?: string[];
}

export async function run(ctx: CliContext, _args: [], opts: StockOptions): Promise<void> {
  const query = { region: opts.region, dcList: opts.dc, gpus: opts.gpu };
  checkStockQuery(query, cliWords); // before the client: a usage error needs no token
  const client = await makeClient(ctx);
  const all: Stock = await queryStock(client, { region: opts.region, dcList: opts.dc }, cliWords);
  // GPU names are exact (`RTX 4090` on one cloud, `NVIDIA GeForce RTX 4090` on another): a name
  // the stock does not list can match nothing — say so, with the names near it
  const names = Object.keys(all);
  const missing = (opts.gpu ?? []).find((g) => !names.includes(g));
  if (missing !== undefined) throw filterError('--gpu', missing, names);
  const filtered: Stock = {};
  for (const n of names) if (opts.gpu === undefined || opts.gpu.includes(n)) filtered[n] = all[n]!;
  ctx.result(filtered, () => {
    const names = Object.keys(filtered);
    if (names.length === 0) return t('result.empty');
    const c = ctx.out;
    return renderTable(
      [t('col.gpu'), t('col.idle'), t('col.total')],
      names.map((n) => {
        const s = filtered[n]!;
        return [n, s.idle > 0 ? c.green(String(s.idle)) : c.dim(String(s.idle)), String(s.total)];
      }),
      c,
      { right: [1, 2] },
    );
  });
}

export const command: CliCommand = {
  names: ['stock'],
  examples: [
    ['autodl stock', 'ex.stock'],
    ['autodl stock --gpu "RTX 4090" --json', 'ex.stock.gpu'],
    ['autodl --dialect public stock --region westDC2', 'ex.stock.region'],
  ],
  declare(program) {
    withExamples(
      program
        .command('stock')
        .description(t('cmd.stock'))
        .option('--region <sign>', t('cmd.stock.region'))
        .option('--dc <id...>', t('cmd.stock.dc'))
        .option('--gpu <name...>', t('cmd.stock.gpu')),
      command.examples,
    ).action(action(run));
  },
};
