// Container events of a deployment (endpoint 4): list, and follow (poll for new events).

import { sleep } from '../../util/sleep.js';
import { EventStream } from '../events.js';
import type { Requester } from '../requester.js';
import type { ContainerEvent, ListEventsBody, Page } from '../types.js';
import { DEFAULT_LIST_ALL_PAGE_SIZE, pageBody, paginate, type Filter, type PageOptions } from './paging.js';

export interface FollowOptions {
  /** Poll interval, default 2000 ms. */
  intervalMs?: number;
  /** Events already seen: the oldest `offset` events are skipped (whatever the server's order), default 0. */
  offset?: number;
  deployment_container_uuid?: string;
  signal?: AbortSignal;
  /** Injected sleep (tests with a manual clock). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class Events {
  constructor(private readonly r: Requester) {}

  private page(filter: Filter<ListEventsBody>, page?: PageOptions, signal?: AbortSignal): Promise<Page<ContainerEvent>> {
    return this.r.call('listEvents', { ...filter, ...pageBody(page) }, { signal });
  }

  list = (filter: Filter<ListEventsBody>, page?: PageOptions): Promise<Page<ContainerEvent>> => this.page(filter, page);
  listAll = (filter: Filter<ListEventsBody>, pageSize?: number): AsyncIterable<ContainerEvent> => paginate((p) => this.page(filter, p), pageSize);

  /** Polls the event list in whatever order the server keeps it (../events.ts): yields each new event once, oldest first; ends when signal aborts. */
  follow = (deploymentUuid: string, options: FollowOptions = {}): AsyncIterable<ContainerEvent> => this.followGen(deploymentUuid, options);

  private async *followGen(deploymentUuid: string, o: FollowOptions): AsyncGenerator<ContainerEvent> {
    const interval = o.intervalMs ?? 2000;
    const pause = o.sleep ?? sleep;
    const filter: Filter<ListEventsBody> = { deployment_uuid: deploymentUuid };
    if (o.deployment_container_uuid !== undefined) filter.deployment_container_uuid = o.deployment_container_uuid;
    // any order, each event once, oldest first within a poll (../events.ts)
    const stream = new EventStream((page) => this.page(filter, page, o.signal), { pageSize: DEFAULT_LIST_ALL_PAGE_SIZE });
    let skip = Math.max(0, Math.floor(o.offset ?? 0));
    while (!o.signal?.aborted) {
      let fresh: ContainerEvent[];
      try {
        fresh = skip > 0 ? await stream.skipOldest(skip) : await stream.poll(o.signal);
        skip = 0;
      } catch (e) {
        if (o.signal?.aborted) return;
        throw e;
      }
      for (const ev of fresh) {
        yield ev;
        if (o.signal?.aborted) return;
      }
      try {
        await pause(interval, o.signal);
      } catch (e) {
        if (o.signal?.aborted) return;
        throw e;
      }
    }
  }
}
