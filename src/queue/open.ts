// One way to open the queue wherever it lives: a postgres:// URL is a PostgreSQL queue shared
// across machines, anything else a SQLite file. `path` is what may be shown (a URL's password
// as ***).
//
// A queue that keeps nothing is refused (issue 11): `:memory:`, an empty value, and SQLite URI
// names (`file:…`, e.g. `file:x?mode=memory`, which the SQLite driver would not even read as a
// URI but as a file literally named so). A damaged SQLite file (garbage, truncated) is refused
// when it is opened (PRAGMA quick_check), and any database failure later on comes out as a clean
// AutodlError (config_error for a damaged or unwritable file, api_error for the rest), never
// as a raw driver error.
import { statSync } from 'node:fs';
import { AutodlError } from '../errors.js';
import { redactText } from './ids.js';
import { isPostgresUrl } from './pg-store.js';
import type { QueueStore } from './store.js';

export interface OpenQueueOptions {
  /**
   * Every commit reaches the disk before it returns (SQLite `synchronous = FULL`): for the
   * short-lived commands whose success says "written" (`queue add`, `sweep`, `submit`). The
   * worker keeps NORMAL (safe against a crash of the process, not against a power cut).
   */
  durable?: boolean;
}

/** Why a location cannot hold a queue that persists (undefined = it can). */
export function nonPersistentReason(location: string): string | undefined {
  const l = location.trim();
  if (l === '') return 'an empty location';
  if (l.toLowerCase() === ':memory:') return 'an in-memory database';
  if (/^file:/i.test(l)) {
    return /[?&](mode=memory|vfs=memdb)\b/i.test(l)
      ? 'an in-memory database'
      : 'a SQLite URI name (give a plain file path)';
  }
  return undefined;
}

/** The config_error for a queue location that would keep nothing. */
export function nonPersistentError(location: string, reason: string): AutodlError {
  return new AutodlError(
    'config_error',
    `the queue database ${JSON.stringify(location)} is ${reason}: a queue must persist; give a file path or a postgres:// URL (--db or AUTODL_QUEUE_DB)`,
    { path: location, reason: 'not_persistent' },
  );
}

const DAMAGED = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB']);
const UNWRITABLE = /^(SQLITE_(READONLY|CANTOPEN|PERM|AUTH)|EACCES$|EPERM$|EROFS$|ENOTDIR$|EISDIR$|ENOENT$|EEXIST$|ENAMETOOLONG$)/;

/** A database failure as the contract's error: damaged / unwritable → config_error (exit 1), else api_error (exit 3). */
export function storeError(e: unknown, path: string): AutodlError {
  if (e instanceof AutodlError) return e;
  const code = typeof (e as { code?: unknown })?.code === 'string' ? ((e as { code: string }).code) : undefined;
  const message = redactText(e instanceof Error ? e.message : String(e));
  if (code && (DAMAGED.has(code) || code.startsWith('SQLITE_CORRUPT'))) {
    return new AutodlError('config_error', `the queue database ${path} is damaged (${message}); nothing was read or written — restore it from a backup or move it away`, { path, reason: 'damaged', code });
  }
  if (code && UNWRITABLE.test(code)) {
    return new AutodlError('config_error', `cannot use the queue database ${path}: ${message}`, { path, reason: 'unwritable', code });
  }
  return new AutodlError('api_error', `queue database error (${path}): ${message}`, { path, kind: 'database', ...(code ? { code } : {}) });
}

/** The store with every operation's failure turned into storeError (the store itself is unchanged). */
function guarded<S extends QueueStore & { readonly path: string }>(store: S): S {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'constructor') return v;
      return (...args: unknown[]) => {
        try {
          const r = (v as (...a: unknown[]) => unknown).apply(target, args);
          return r instanceof Promise ? r.catch((e: unknown) => Promise.reject(storeError(e, target.path))) : r;
        } catch (e) {
          throw storeError(e, target.path);
        }
      };
    },
  });
}

export async function openQueueStore(location: string, options: OpenQueueOptions = {}): Promise<QueueStore & { readonly path: string }> {
  if (isPostgresUrl(location)) {
    const { openPgStore } = await import('./pg-store.js');
    const store = await openPgStore({ url: location });
    return guarded(store);
  }
  const why = nonPersistentReason(location);
  if (why) throw nonPersistentError(location, why);
  // a damaged file fails here, before any command (or a schema migration) reads half of it or writes into it
  await checkSqliteFile(location);
  const { openSqliteStore } = await import('./sqlite-store.js');
  let store;
  try {
    store = await openSqliteStore({ path: location, busyTimeoutMs: 10_000 });
  } catch (e) {
    throw storeError(e, location);
  }
  try {
    if (options.durable) store.db.pragma('synchronous = FULL');
  } catch (e) {
    await store.close().catch(() => {});
    throw storeError(e, store.path);
  }
  return guarded(store);
}

/** PRAGMA quick_check of an existing SQLite file (a few ms for thousands of entries); a damaged file is a config_error. */
export async function checkSqliteFile(path: string): Promise<void> {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new AutodlError('config_error', `cannot use the queue database ${path}: not a file`, { path, reason: 'unwritable' });
    size = st.size;
  } catch (e) {
    if (e instanceof AutodlError) throw e;
    return; // not there yet: created on open
  }
  if (size === 0) return; // an empty file is a new database
  const Database = (await import('better-sqlite3')).default;
  let db;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 10_000 });
    const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
    const problems = rows
      .map((r) => r.quick_check)
      .filter((x) => x !== 'ok')
      .join('; ')
      .replace(/\*\*\* in database \w+ \*\*\*/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    if (rows.length === 0 || problems.length > 0) {
      throw new AutodlError('config_error', `the queue database ${path} is damaged (${problems.slice(0, 300) || 'no answer from quick_check'}); nothing was read or written — restore it from a backup or move it away`, {
        path,
        reason: 'damaged',
      });
    }
  } catch (e) {
    throw storeError(e, path);
  } finally {
    db?.close();
  }
}
