// GPU stock: global (endpoint 12) and by region or data centres (13), normalized from either dialect's shape.

import type { Requester } from '../requester.js';
import type { RegionStockBody, Stock } from '../types.js';

export class StockResource {
  constructor(private readonly r: Requester) {}

  /** Global stock, normalized from either dialect's shape. */
  get = (): Promise<Stock> => this.r.call('gpuStock', undefined);
  /** Region stock (public dialect): region_sign or dc_list. */
  region = (body: RegionStockBody): Promise<Stock> => this.r.call('regionGpuStock', body);
}
