// GPU stock: of the whole account's view, or (public dialect) of one region or some data
// centres; optionally only some GPU types; sorted by GPU name.
import type { AutodlClient } from '../api/client.js';
import type { Stock } from '../api/types.js';
import { AutodlError } from '../errors.js';
import { ENGLISH, type OpsWords } from './words.js';

export interface StockQuery {
  /** Public dialect only: a region sign, e.g. westDC2. */
  region?: string | undefined;
  /** Public dialect only: data-centre ids. */
  dcList?: readonly string[] | undefined;
  /** Only these GPU types (exact names). */
  gpus?: readonly string[] | undefined;
}

/** A config_error for a query that cannot be asked (region and data centres both): checked before any client is made. */
export function checkStockQuery(q: StockQuery, words: OpsWords = ENGLISH): void {
  if (q.region !== undefined && q.region !== '' && q.dcList !== undefined) throw new AutodlError('config_error', words.regionBoth(), { region: q.region, dc: [...q.dcList] });
}

export async function queryStock(client: AutodlClient, q: StockQuery, words: OpsWords = ENGLISH): Promise<Stock> {
  checkStockQuery(q, words);
  const region = q.region !== undefined && q.region !== '' ? q.region : undefined;
  const dcs = q.dcList;
  let stock: Stock;
  if (region !== undefined || dcs !== undefined) {
    if (client.dialect !== 'public') throw new AutodlError('config_error', words.regionDialect(), { dialect: client.dialect });
    stock = await client.stock.region(region !== undefined ? { region_sign: region } : { dc_list: [...(dcs ?? [])] });
  } else {
    stock = await client.stock.get();
  }
  const out: Stock = {};
  for (const name of Object.keys(stock).sort()) {
    if (q.gpus !== undefined && !q.gpus.includes(name)) continue;
    out[name] = stock[name]!;
  }
  return out;
}
