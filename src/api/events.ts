// Following a deployment's container events whatever order the server lists them in.
//
// The platform lists events NEWEST first (recorded, public host); our simulator and some
// documentation samples list them oldest first. Polling "with a growing offset" is only right
// for an oldest-first list: newest first, every new event is inserted at the top and shifts
// every page down, so a growing offset skips the new events and re-reads old ones. So:
//
//   - every event is identified by a stable key (container uuid, status, created_at) and
//     yielded once (dedupe);
//   - the order is learnt from the data (created_at of the first and last item of a page);
//   - oldest first: read from the count already consumed (the growing offset), page by page;
//   - newest first or not known yet: read from offset 0, page by page, until a page holds an
//     event already seen in an earlier poll (everything after it is older) or the list ends;
//   - the new events of one poll are returned oldest first (by created_at; ties keep the
//     server's chronological order).
//
// Bounded: at most MAX_PAGES_PER_POLL pages per poll; a server that ignores the offset (answers
// the same page again) ends the poll instead of looping.

import type { ContainerEvent, Page } from './types.js';

export type EventOrder = 'newest_first' | 'oldest_first';

export interface EventPageRequest {
  page_index: number;
  page_size: number;
  offset: number;
}

export type FetchEventPage = (page: EventPageRequest) => Promise<Page<ContainerEvent>>;

export const EVENT_PAGE_SIZE = 100;
export const MAX_PAGES_PER_POLL = 1000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
}

/** The stable identity of an event: the same event on two pages (or two polls) has the same key. */
export function eventKey(e: ContainerEvent): string {
  return JSON.stringify([str(e.deployment_container_uuid), str(e.status), str(e.created_at)]);
}

const NO_ZONE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/** created_at → ms (a time without a zone is the platform's +08:00); NaN when unreadable. */
export function eventTime(e: ContainerEvent): number {
  const s = str(e.created_at).trim();
  if (s === '') return NaN;
  const m = NO_ZONE.exec(s);
  return Date.parse(m ? `${m[1]}T${m[2]}+08:00` : s);
}

/**
 * The order of a list, from the times of its first and last items (as times when both parse,
 * else as strings: ISO-like times sort as text): undefined when they do not tell.
 */
export function detectOrder(list: readonly ContainerEvent[]): EventOrder | undefined {
  const stamped = list.filter((e) => str(e.created_at).trim() !== '');
  if (stamped.length < 2) return undefined;
  const a = stamped[0]!;
  const b = stamped[stamped.length - 1]!;
  const ta = eventTime(a);
  const tb = eventTime(b);
  let cmp: number;
  if (!Number.isNaN(ta) && !Number.isNaN(tb)) cmp = ta - tb;
  else {
    const sa = str(a.created_at);
    const sb = str(b.created_at);
    cmp = sa < sb ? -1 : sa > sb ? 1 : 0;
  }
  if (cmp === 0) return undefined;
  return cmp > 0 ? 'newest_first' : 'oldest_first';
}

/**
 * Sort events oldest first by created_at. Stable: events with the same (or an unreadable)
 * time keep their relative order, so pass them in chronological order (a newest-first list
 * reversed).
 */
export function sortEventsOldestFirst<T extends ContainerEvent>(events: readonly T[]): T[] {
  return events
    .map((e, i) => ({ e, i, t: eventTime(e) }))
    .sort((a, b) => {
      const ta = Number.isNaN(a.t) ? Infinity : a.t;
      const tb = Number.isNaN(b.t) ? Infinity : b.t;
      return ta !== tb ? ta - tb : a.i - b.i;
    })
    .map((x) => x.e);
}

export interface EventStreamOptions {
  pageSize?: number;
  /** The order when the server's is known already; learnt from the data otherwise. */
  order?: EventOrder;
}

/** Polls one deployment's events; each `poll()` returns the events not returned before, oldest first. */
export class EventStream {
  private readonly seen = new Set<string>();
  private readonly pageSize: number;
  /** Events consumed from the start of an oldest-first list (the growing offset). */
  private consumed = 0;
  private _order: EventOrder | undefined;

  constructor(
    private readonly fetchPage: FetchEventPage,
    o: EventStreamOptions = {},
  ) {
    this.pageSize = Math.max(1, Math.floor(o.pageSize ?? EVENT_PAGE_SIZE));
    this._order = o.order;
  }

  get order(): EventOrder | undefined {
    return this._order;
  }

  /** How many distinct events have been seen. */
  get size(): number {
    return this.seen.size;
  }

  /**
   * Read everything there is now and mark it seen without returning it, except the newest
   * `keep` (returned oldest first). For "skip the history" and for a start offset.
   */
  async skipHistory(keep = 0): Promise<ContainerEvent[]> {
    const all = await this.poll();
    return keep > 0 ? all.slice(-keep) : [];
  }

  /** Mark the oldest `n` events as seen (a start offset), returning the rest of what is there now. */
  async skipOldest(n: number): Promise<ContainerEvent[]> {
    const all = await this.poll();
    return n > 0 ? all.slice(Math.min(n, all.length)) : all;
  }

  async poll(signal?: AbortSignal): Promise<ContainerEvent[]> {
    // keys added during this poll; seen minus these = seen in an earlier poll (no copy of the set)
    const added = new Set<string>();
    const chronological: ContainerEvent[] = [];
    let fromConsumed = this._order === 'oldest_first';
    let offset = fromConsumed ? this.consumed : 0;
    let prevKeys: string | undefined;
    for (let n = 0; n < MAX_PAGES_PER_POLL; n++) {
      if (signal?.aborted) break;
      const p = await this.fetchPage({ page_index: 1, page_size: this.pageSize, offset });
      const list = Array.isArray(p.list) ? p.list.filter((e): e is ContainerEvent => isRecord(e)) : [];
      const total = typeof p.result_total === 'number' && Number.isFinite(p.result_total) ? p.result_total : undefined;
      if (fromConsumed && offset > 0 && list.length === 0 && total !== undefined && total < offset) {
        // the list shrank under our offset (pruned): read it again from the start; dedupe keeps it exact
        fromConsumed = false;
        offset = 0;
        continue;
      }
      const keys = list.map(eventKey);
      const sameAsPrevious = prevKeys !== undefined && keys.length > 0 && JSON.stringify(keys) === prevKeys;
      prevKeys = JSON.stringify(keys);
      if (sameAsPrevious) break; // a server that ignores the offset: the same page again
      this._order ??= detectOrder(list);
      // the page in chronological order
      const page = this._order === 'newest_first' ? [...list].reverse() : list;
      let old = false;
      const pageNew: ContainerEvent[] = [];
      for (const e of page) {
        const k = eventKey(e);
        if (this.seen.has(k)) {
          if (!added.has(k)) old = true;
          continue;
        }
        this.seen.add(k);
        added.add(k);
        pageNew.push(e);
      }
      // newest first: each page is older than the one before it
      if (this._order === 'newest_first') chronological.unshift(...pageNew);
      else chronological.push(...pageNew);
      offset += list.length;
      if (list.length < this.pageSize) break;
      if (this._order === 'newest_first' && old) break; // the rest is older: seen already
      if (total !== undefined && total > 0 && offset >= total) break;
    }
    if (this._order === 'oldest_first') this.consumed = offset;
    return sortEventsOldestFirst(chronological);
  }
}

/**
 * A whole event list (any server order) → oldest first, each event once. Ties on created_at
 * keep the server's chronological order (a newest-first list is reversed first).
 */
export function chronologicalEvents<T extends ContainerEvent>(list: readonly T[]): T[] {
  const ordered = detectOrder(list) === 'newest_first' ? [...list].reverse() : [...list];
  const seen = new Set<string>();
  const unique = ordered.filter((e) => {
    const k = eventKey(e);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return sortEventsOldestFirst(unique);
}
