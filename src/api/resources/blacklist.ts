// The host blacklist: add a container's host (endpoint 10, a change: it can be prepared) and list it (11).

import { int, isRecord, MAX_PAGES, type PreparedRequest, type Requester } from '../requester.js';
import type { BlacklistBody, BlacklistEntry } from '../types.js';

export class Blacklist {
  constructor(private readonly r: Requester) {}

  add = async (body: BlacklistBody): Promise<void> => this.r.call('addBlacklist', body);

  list = async (): Promise<BlacklistEntry[]> => {
    // documented as a plain list; if a server pages it, fetch the remaining pages too
    const { envelope } = await this.r.send('listBlacklist');
    const out = this.r.decode('listBlacklist', envelope, undefined);
    const d = envelope.data;
    if (isRecord(d) && Array.isArray(d.list) && d.list.length > 0) {
      const maxPage = int(d.max_page, 1);
      const size = int(d.page_size, d.list.length);
      for (let i = int(d.page_index, 1) + 1; i <= Math.min(maxPage, MAX_PAGES); i++) {
        const next = await this.r.send('listBlacklist', undefined, { query: { page_index: i, page_size: size } });
        const nd = next.envelope.data;
        // a server that ignores paging answers page 1 again: stop rather than walk a lying max_page
        if (isRecord(nd) && int(nd.page_index, i) !== i) break;
        const items = this.r.decode('listBlacklist', next.envelope, undefined);
        if (items.length === 0) break;
        out.push(...items);
      }
    }
    return out;
  };

  /** The request each change would send, not sent (token shown as ***). */
  readonly prepare = {
    add: (body: BlacklistBody): PreparedRequest => this.r.prepare('addBlacklist', body),
  };
}
