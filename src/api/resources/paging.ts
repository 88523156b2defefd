// Paging shared by the list resources: page options → a request's page fields, and
// `paginate`, which walks every page of a list.

import { DEFAULT_PAGE_SIZE, MAX_PAGES } from '../requester.js';
import type { Page } from '../types.js';

export interface PageOptions {
  page_index?: number;
  page_size?: number;
  offset?: number;
}

/** A list body without its page fields: what list(filter, page) takes. */
export type Filter<T> = Omit<T, 'page_index' | 'page_size' | 'offset'>;

export { DEFAULT_PAGE_SIZE };
export const DEFAULT_LIST_ALL_PAGE_SIZE = 100;

/** Page options → the page fields of a list body (page 1 and the default size unless given). */
export function pageBody(page: PageOptions | undefined, defSize = DEFAULT_PAGE_SIZE): { page_index: number; page_size: number; offset?: number } {
  const b: { page_index: number; page_size: number; offset?: number } = { page_index: page?.page_index ?? 1, page_size: page?.page_size ?? defSize };
  if (page?.offset !== undefined) b.offset = page.offset;
  return b;
}

/** Iterate every item of a paged list: pages 1, 2, … until max_page or an empty page. */
export async function* paginate<T>(fetchPage: (page: PageOptions) => Promise<Page<T>>, pageSize: number = DEFAULT_LIST_ALL_PAGE_SIZE): AsyncGenerator<T> {
  const size = Math.max(1, Math.floor(pageSize));
  for (let index = 1; index <= MAX_PAGES; index++) {
    const p = await fetchPage({ page_index: index, page_size: size });
    // a server that ignores paging answers page 1 again: stop rather than walk a lying max_page
    if (index > 1 && p.page_index !== index) return;
    for (const item of p.list) yield item;
    if (p.list.length === 0) return;
    if (p.max_page > 0) {
      if (index >= p.max_page) return;
    } else if (p.list.length < size) {
      return;
    }
  }
}
