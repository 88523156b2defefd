// Containers of a deployment: list (endpoint 5) and stop one (6, a change: it can be prepared).

import type { PreparedRequest, Requester } from '../requester.js';
import type { Container, ListContainersBody, Page, StopContainerBody } from '../types.js';
import { pageBody, paginate, type Filter, type PageOptions } from './paging.js';

export class Containers {
  constructor(private readonly r: Requester) {}

  list = (filter: Filter<ListContainersBody>, page?: PageOptions): Promise<Page<Container>> =>
    this.r.call('listContainers', { ...filter, ...pageBody(page) });
  listAll = (filter: Filter<ListContainersBody>, pageSize?: number): AsyncIterable<Container> => paginate((p) => this.list(filter, p), pageSize);
  stop = async (body: StopContainerBody): Promise<void> => this.r.call('stopContainer', body);

  /** The request each change would send, not sent (token shown as ***). */
  readonly prepare = {
    stop: (body: StopContainerBody): PreparedRequest => this.r.prepare('stopContainer', body),
  };
}
