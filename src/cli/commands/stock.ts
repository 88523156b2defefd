import { AutodlError } from '../../errors.js';
import type { Stock } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient } from '../client.js';
import { renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext, _args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const region = typeof opts.region === 'string' ? opts.region : undefined;
  const dcs = Array.isArray(opts.dc) ? (opts.dc as string[]) : undefined;
  const gpus = Array.isArray(opts.gpu) ? (opts.gpu as string[]) : undefined;
  if (region && dcs) throw new AutodlError('config_error', t('error.regionBoth'), { region, dc: dcs });
  const client = await makeClient(ctx);
  let stock: Stock;
  if (region || dcs) {
    if (client.dialect !== 'public') {
      throw new AutodlError('config_error', t('error.regionDialect'), { dialect: client.dialect });
    }
    stock = await client.stock.region(region ? { region_sign: region } : { dc_list: dcs ?? [] });
  } else {
    stock = await client.stock.get();
  }
  const filtered: Stock = {};
  for (const name of Object.keys(stock).sort()) {
    if (gpus && !gpus.includes(name)) continue;
    filtered[name] = stock[name]!;
  }
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
