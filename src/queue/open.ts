// One way to open the queue wherever it lives: a postgres:// URL is a PostgreSQL queue shared
// across machines, anything else a SQLite file. `path` is what may be shown (a URL's password
// as ***).
import { isPostgresUrl } from './pg-store.js';
import type { QueueStore } from './store.js';

export async function openQueueStore(location: string): Promise<QueueStore & { readonly path: string }> {
  if (isPostgresUrl(location)) {
    const { openPgStore } = await import('./pg-store.js');
    return openPgStore({ url: location });
  }
  const { openSqliteStore } = await import('./sqlite-store.js');
  return openSqliteStore({ path: location, busyTimeoutMs: 10_000 });
}
