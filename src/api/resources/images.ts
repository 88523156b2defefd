// Images: the account's private images (endpoint 1) and the system (base) images (14).

import type { Requester } from '../requester.js';
import type { Page, PrivateImage, SystemImage } from '../types.js';
import { pageBody, paginate, type PageOptions } from './paging.js';

export class Images {
  constructor(private readonly r: Requester) {}

  list = (page?: PageOptions): Promise<Page<PrivateImage>> => this.r.call('listPrivateImages', pageBody(page));
  listAll = (pageSize?: number): AsyncIterable<PrivateImage> => paginate(this.list, pageSize);
  listSystem = (page?: PageOptions): Promise<Page<SystemImage>> => this.r.call('listSystemImages', pageBody(page));
  listAllSystem = (pageSize?: number): AsyncIterable<SystemImage> => paginate(this.listSystem, pageSize);
}
