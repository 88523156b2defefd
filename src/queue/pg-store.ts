// PostgreSQL backend of the queue store (node-postgres 8): one queue shared by a team's
// workers and people across machines. Same rules as every backend (./store.ts):
// - each operation is one transaction; single-entry moves read their row FOR UPDATE, so a
//   compare-and-set waits for a concurrent one and then sees its result;
// - `claim` locks the rows still `pending` in one statement, in id order (claimers never
//   deadlock; one waiting for a row re-checks it after the other commits: exactly one
//   wins); `claimStale` takes expired leases FOR UPDATE SKIP LOCKED;
// - schema versions in autodl_queue_schema, applied under an advisory lock, append only.
// The URL's password never leaves this module: `path` is the URL with it replaced by ***.

import type { Pool, PoolClient } from 'pg';
import { AutodlError } from '../errors.js';
import { redactText } from './ids.js';
import { DEFAULT_OWNER, normalizePolicy } from './policies.js';
import { adoptPatch, asArray, assertTransition, makeAdopted, makeEntry, type AdoptInput, movePatch, newerSchemaError, ownedBy, PATCH_COLUMNS, JSON_COLUMNS, onRun, prunePlan, STATES_SQL, type PruneOptions, type PruneResult } from './store.js';
import { CANCELLABLE_STATES, CLAIMABLE_STATES, RECLAIMABLE_STATES, TERMINAL_STATES } from './states.js';
import type { EntryPatch, ListFilter, QueueStore, TransitionOptions } from './store.js';
import type { EntryState, HistoryEvent, NewEntry, QueueEntry } from './types.js';

/** postgres:// or postgresql:// — what `--db` / AUTODL_QUEUE_DB take for this backend. */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//i.test(s);
}

/** The URL's password (decoded), if it has one: a secret to keep out of output. */
export function postgresPassword(url: string): string | undefined {
  try {
    const p = decodeURIComponent(new URL(url).password);
    return p.length > 0 ? p : undefined;
  } catch {
    return undefined;
  }
}

/** The URL with its password replaced by *** (for output, logs and errors). */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

/** Schema migrations: index i brings the version from i to i + 1. Append only; never edit a shipped one. */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE autodl_queue_entries (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    tag TEXT NOT NULL UNIQUE,
    label TEXT,
    body JSONB NOT NULL,
    deployment_name TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ${STATES_SQL}),
    attempts INTEGER NOT NULL DEFAULT 0,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    error_details JSONB,
    deployment_uuid TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT,
    finished_at BIGINT,
    lease_owner TEXT,
    lease_until BIGINT
  );
  CREATE INDEX autodl_queue_entries_state ON autodl_queue_entries(state, created_at, seq);
  CREATE INDEX autodl_queue_entries_label ON autodl_queue_entries(label);
  CREATE TABLE autodl_queue_history (
    seq BIGSERIAL PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES autodl_queue_entries(id) ON DELETE CASCADE,
    ts BIGINT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT
  );
  CREATE INDEX autodl_queue_history_entry ON autodl_queue_history(entry_id, seq);
  `,
  // issue 11: account fingerprint — whose entry it is (a truncated SHA-256 of host + token,
  // never the token; NULL = added with no token at hand, adopted by the first worker that
  // claims it), and the one-shot submit's intent key (found again by a rerun of an
  // interrupted `autodl submit`; NULL once that submit has reported)
  `
  ALTER TABLE autodl_queue_entries ADD COLUMN account TEXT;
  ALTER TABLE autodl_queue_entries ADD COLUMN submit_key TEXT;
  CREATE INDEX autodl_queue_entries_account ON autodl_queue_entries(account, state);
  CREATE INDEX autodl_queue_entries_submit_key ON autodl_queue_entries(submit_key) WHERE submit_key IS NOT NULL;
  `,
  // issue 11: send time / db clock — sent_at is written before a create goes out (a worker
  // that finds the entry in `submitting` holds it for the settle window since then);
  // missing_since is when a followed deployment was first missing from the list.
  `
  ALTER TABLE autodl_queue_entries ADD COLUMN sent_at BIGINT;
  ALTER TABLE autodl_queue_entries ADD COLUMN missing_since BIGINT;
  `,
  // issue 13: no frozen state CHECK — the state machine (states.ts) is enforced by the
  // stores, so adding a state is not a schema change. Drops the CHECK on state that version
  // 1 declared (whatever name the server gave it), in the migration's transaction.
  `
  DO $$
  DECLARE c record;
  BEGIN
    FOR c IN
      SELECT con.conname FROM pg_constraint con
      WHERE con.conrelid = 'autodl_queue_entries'::regclass AND con.contype = 'c'
        AND pg_get_constraintdef(con.oid) LIKE '%state%'
    LOOP
      EXECUTE format('ALTER TABLE autodl_queue_entries DROP CONSTRAINT %I', c.conname);
    END LOOP;
  END
  $$;
  `,
  // 5: issue 16 — the entry's owner (fair shares), its declared policy and what a policy did
  `
  ALTER TABLE autodl_queue_entries ADD COLUMN owner TEXT;
  ALTER TABLE autodl_queue_entries ADD COLUMN policy JSONB;
  ALTER TABLE autodl_queue_entries ADD COLUMN enforced JSONB;
  CREATE INDEX autodl_queue_entries_owner ON autodl_queue_entries(owner, state);
  `,
  // 6: issue 16 — retries that know why: how many automatic resubmissions, and why each
  `
  ALTER TABLE autodl_queue_entries ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE autodl_queue_entries ADD COLUMN retry_log JSONB;
  `,
];

/** Entries per INSERT statement in add(): bounds one statement's parameters (a few MB at most). */
const ADD_BATCH = 5000;

/** The same entry under a freshly drawn id (and so tag and deployment name). */
function redrawn(e: QueueEntry, now: number): QueueEntry {
  return makeEntry({ body: e.body, label: e.label, priority: e.priority, account: e.account, submit_key: e.submit_key, owner: e.owner, policy: e.policy }, now);
}

/** Draw again the ids (or tags) that repeat within one batch: the INSERT would keep only the first. */
function redrawDuplicates(batch: QueueEntry[], now: number): void {
  const ids = new Set<string>();
  const tags = new Set<string>();
  for (let k = 0; k < batch.length; k++) {
    while (ids.has(batch[k]!.id) || tags.has(batch[k]!.tag)) batch[k] = redrawn(batch[k]!, now);
    ids.add(batch[k]!.id);
    tags.add(batch[k]!.tag);
  }
}

/** Any 64-bit constant: the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 0x61757464_6c71;

type EntryRow = QueueEntry & { seq: number };

function fromRow(r: EntryRow): QueueEntry {
  const { seq: _seq, ...entry } = r;
  return entry;
}

export interface PgStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Connections in the pool. Default 4. */
  maxConnections?: number;
}

/** Open a PostgreSQL queue store (creating or upgrading its tables as needed). */
export async function openPgStore(options: PgStoreOptions): Promise<PgStore> {
  const pg = (await import('pg')).default;
  const shown = redactPostgresUrl(options.url);
  // no password in the URL: PGPASSWORD (pg reads it), else the passfile (PGPASSFILE / ~/.pgpass)
  if (postgresPassword(options.url) === undefined && !process.env.PGPASSWORD) {
    const { passwordFromPassfile } = await import('./pg-pass.js');
    (pg.defaults as { password?: unknown }).password = (p: { host?: string; port?: number; database?: string; user?: string }) => passwordFromPassfile(p);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: 10_000,
    // BIGINT (epoch milliseconds) as numbers, not strings
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format))) as never },
  });
  pool.on('error', () => {
    /* an idle connection dropped by the server: the next query opens another */
  });
  const store = new PgStore(pool, shown);
  try {
    await store.migrate();
  } catch (e) {
    await pool.end().catch(() => {});
    if (e instanceof AutodlError) throw e;
    const message = redactText((e as Error).message).split(options.url).join(shown);
    throw new AutodlError('config_error', `cannot open queue database ${shown}: ${message}`, { path: shown });
  }
  return store;
}

export class PgStore implements QueueStore {
  /** The URL with its password shown as *** */
  readonly path: string;

  constructor(
    private readonly pool: Pool,
    path: string,
  ) {
    this.path = path;
  }

  /** Apply pending migrations (idempotent); refuses a schema from a newer autodl. */
  async migrate(): Promise<number> {
    return this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.query('CREATE TABLE IF NOT EXISTS autodl_queue_schema (version INTEGER NOT NULL)');
      const got = await c.query<{ version: number }>('SELECT version FROM autodl_queue_schema');
      let v = got.rows[0]?.version ?? 0;
      if (got.rows.length === 0) await c.query('INSERT INTO autodl_queue_schema (version) VALUES (0)');
      if (v > PG_MIGRATIONS.length) {
        throw newerSchemaError(this.path, v, PG_MIGRATIONS.length);
      }
      for (; v < PG_MIGRATIONS.length; v++) {
        await c.query(PG_MIGRATIONS[v]!);
        await c.query('UPDATE autodl_queue_schema SET version = $1', [v + 1]);
      }
      return v;
    });
  }

  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      c.release();
    }
  }

  private async rowForUpdate(c: PoolClient, id: string): Promise<EntryRow | undefined> {
    return (await c.query<EntryRow>('SELECT * FROM autodl_queue_entries WHERE id = $1 FOR UPDATE', [id])).rows[0];
  }

  private async event(c: PoolClient, id: string, ts: number, from: EntryState | null, to: EntryState, note: string | null): Promise<void> {
    await c.query('INSERT INTO autodl_queue_history (entry_id, ts, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5)', [
      id,
      ts,
      from,
      to,
      note === null ? null : redactText(note),
    ]);
  }

  /** Apply a move to a row locked in this transaction; returns the row as it now is. */
  private async apply(c: PoolClient, r: EntryRow, to: EntryState, now: number, note: string | null, set: EntryPatch = {}): Promise<EntryRow> {
    const cols: string[] = ['state = $2', 'updated_at = $3'];
    const params: unknown[] = [r.id, to, now];
    const patch = movePatch(r.state, to, set, r.id);
    for (const col of PATCH_COLUMNS) {
      if (!(col in patch)) continue;
      const v = patch[col];
      params.push(JSON_COLUMNS.has(col) && v ? JSON.stringify(v) : (v ?? null));
      cols.push(`${col} = $${params.length}`);
    }
    const updated = (await c.query<EntryRow>(`UPDATE autodl_queue_entries SET ${cols.join(', ')} WHERE id = $1 RETURNING *`, params)).rows[0]!;
    if (r.state !== to || note) await this.event(c, r.id, now, r.state, to, note);
    return updated;
  }

  /**
   * All entries in one transaction, ADD_BATCH rows per statement (issue 14, §6: one round trip
   * per entry made 10,000 cost seconds): one multi-row INSERT of the entries (unnest, in input
   * order, so seq and the listing order are the inputs' order), then one of their `added`
   * history rows. An id already taken (one in 10^12) is drawn again and the batch re-inserted,
   * so the order still holds.
   */
  async adopt(input: AdoptInput, now: number): Promise<{ entry: QueueEntry; adopted: boolean }> {
    return this.tx(async (c) => {
      // one adopter at a time per deployment: the advisory lock is held to the transaction's end
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`autodl-adopt:${input.deployment_uuid}`]);
      const open = (
        await c.query<EntryRow>('SELECT * FROM autodl_queue_entries WHERE deployment_uuid = $1 AND NOT (state = ANY($2)) ORDER BY seq LIMIT 1 FOR UPDATE', [
          input.deployment_uuid,
          [...TERMINAL_STATES],
        ])
      ).rows[0];
      if (open) {
        // the given fields replace those of the entry's policy (undefined ones are lifted)
        const policy = normalizePolicy({ ...(open.policy ?? {}), ...(input.policy ?? {}) });
        return { entry: fromRow(await this.apply(c, open, open.state, now, 'policy replaced (autodl ttl)', { policy })), adopted: false };
      }
      for (;;) {
        const e = makeAdopted(input, now);
        const r = await c.query<EntryRow>(
          `INSERT INTO autodl_queue_entries (id, tag, label, body, deployment_name, priority, state, attempts, consecutive_failures, created_at, updated_at, account, owner, policy, deployment_uuid, submitted_at)
           VALUES ($1, $2, $3, $4::jsonb, $5, $6, 'submitted', 0, 0, $7, $7, $8, $9, $10::jsonb, $11, $12)
           ON CONFLICT DO NOTHING RETURNING *`,
          [e.id, e.tag, e.label, JSON.stringify(e.body), e.deployment_name, e.priority, now, e.account, e.owner, e.policy === null ? null : JSON.stringify(e.policy), e.deployment_uuid, e.submitted_at],
        );
        if (r.rows[0]) {
          await this.event(c, e.id, now, null, 'submitted', 'adopted (autodl ttl)');
          return { entry: fromRow(r.rows[0]), adopted: true };
        }
      }
    });
  }

  async add(inputs: readonly NewEntry[], now: number): Promise<QueueEntry[]> {
    if (inputs.length === 0) return [];
    return this.tx(async (c) => {
      const made: QueueEntry[] = [];
      for (let from = 0; from < inputs.length; from += ADD_BATCH) {
        const batch = inputs.slice(from, from + ADD_BATCH).map((input) => makeEntry(input, now));
        for (;;) {
          redrawDuplicates(batch, now);
          const r = await c.query<{ id: string }>(
            `INSERT INTO autodl_queue_entries (id, tag, label, body, deployment_name, priority, state, attempts, consecutive_failures, created_at, updated_at, account, submit_key, owner, policy)
             SELECT id, tag, label, body::jsonb, deployment_name, priority, 'pending', 0, 0, $7, $7, account, submit_key, owner, policy::jsonb
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $8::text[], $9::text[], $10::text[], $11::text[])
               WITH ORDINALITY AS t(id, tag, label, body, deployment_name, priority, account, submit_key, owner, policy, ord)
             ORDER BY ord
             ON CONFLICT DO NOTHING RETURNING id`,
            [
              batch.map((e) => e.id),
              batch.map((e) => e.tag),
              batch.map((e) => e.label),
              batch.map((e) => JSON.stringify(e.body)),
              batch.map((e) => e.deployment_name),
              batch.map((e) => e.priority),
              now,
              batch.map((e) => e.account),
              batch.map((e) => e.submit_key),
              batch.map((e) => e.owner),
              batch.map((e) => (e.policy === null ? null : JSON.stringify(e.policy))),
            ],
          );
          if (r.rows.length === batch.length) break;
          // an id (or tag) already in the table: undo this batch, draw those again, insert it anew
          const inserted = new Set(r.rows.map((x) => x.id));
          if (inserted.size > 0) await c.query('DELETE FROM autodl_queue_entries WHERE id = ANY($1)', [[...inserted]]);
          for (let k = 0; k < batch.length; k++) if (!inserted.has(batch[k]!.id)) batch[k] = redrawn(batch[k]!, now);
        }
        await c.query(
          `INSERT INTO autodl_queue_history (entry_id, ts, from_state, to_state, note)
           SELECT id, $2, NULL, 'pending', $3 FROM unnest($1::text[]) WITH ORDINALITY AS t(id, ord) ORDER BY ord`,
          [batch.map((e) => e.id), now, redactText('added')],
        );
        made.push(...batch);
      }
      return made;
    });
  }

  async get(id: string): Promise<QueueEntry | undefined> {
    const r = (await this.pool.query<EntryRow>('SELECT * FROM autodl_queue_entries WHERE id = $1', [id])).rows[0];
    return r ? fromRow(r) : undefined;
  }

  /** WHERE clause and parameters of a filter (undefined: it matches nothing). */
  private where(filter: ListFilter): { sql: string; params: unknown[] } | undefined {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.states) {
      if (filter.states.length === 0) return undefined;
      params.push([...filter.states]);
      where.push(`state = ANY($${params.length})`);
    }
    if (filter.label !== undefined) {
      params.push(filter.label);
      where.push(`label = $${params.length}`);
    }
    if (filter.ids) {
      if (filter.ids.length === 0) return undefined;
      params.push([...filter.ids]);
      where.push(`id = ANY($${params.length})`);
    }
    if (filter.account !== undefined) {
      params.push(filter.account);
      where.push(`(account IS NULL OR account = $${params.length})`);
    }
    if (filter.submitKey !== undefined) {
      params.push(filter.submitKey);
      where.push(`submit_key = $${params.length}`);
    }
    if (filter.owner !== undefined) {
      params.push(filter.owner);
      where.push(filter.owner === DEFAULT_OWNER ? `(owner IS NULL OR owner = $${params.length})` : `owner = $${params.length}`);
    }
    return { sql: where.length ? ` WHERE ${where.join(' AND ')}` : '', params };
  }

  async list(filter: ListFilter = {}): Promise<QueueEntry[]> {
    const w = this.where(filter);
    if (!w) return [];
    const params = w.params;
    let sql = `SELECT * FROM autodl_queue_entries${w.sql} ORDER BY created_at, seq`;
    if (filter.limit !== undefined) {
      params.push(Math.max(0, Math.trunc(filter.limit)));
      sql += ` LIMIT $${params.length}`;
    }
    return (await this.pool.query<EntryRow>(sql, params)).rows.map(fromRow);
  }

  async count(filter: ListFilter = {}): Promise<Partial<Record<EntryState, number>>> {
    const w = this.where(filter);
    if (!w) return {};
    const out: Partial<Record<EntryState, number>> = {};
    const rows = (await this.pool.query<{ state: EntryState; n: string }>(`SELECT state, COUNT(*) AS n FROM autodl_queue_entries${w.sql} GROUP BY state`, w.params)).rows;
    for (const r of rows) out[r.state] = Number(r.n);
    return out;
  }

  async claim(ids: readonly string[], owner: string, leaseUntil: number, now: number, account?: string): Promise<QueueEntry[]> {
    if (ids.length === 0) return [];
    return this.tx(async (c) => {
      // lock every row in one statement, in one order for all claimers (no deadlock); a row
      // another claimer holds is waited for, and then no longer pending
      const locked = (
        await c.query<EntryRow>('SELECT * FROM autodl_queue_entries WHERE id = ANY($1) AND state = ANY($2) ORDER BY id FOR UPDATE', [[...ids], [...CLAIMABLE_STATES]])
      ).rows.filter((r) => CLAIMABLE_STATES.includes(r.state) && ownedBy(r, account));
      const byId = new Map(locked.map((r) => [r.id, r]));
      const out: QueueEntry[] = [];
      for (const id of ids) {
        const r = byId.get(id);
        if (!r) continue;
        byId.delete(id);
        out.push(fromRow(await this.apply(c, r, 'submitting', now, `claimed by ${owner}`, { lease_owner: owner, lease_until: leaseUntil, attempts: r.attempts + 1, ...adoptPatch(r, account) })));
      }
      return out;
    });
  }

  async claimStale(owner: string, leaseUntil: number, now: number, account?: string): Promise<QueueEntry[]> {
    return this.tx(async (c) => {
      const rows = (
        await c.query<EntryRow>(
          `SELECT * FROM autodl_queue_entries WHERE state = ANY($4) AND (lease_owner = $1 OR lease_until IS NULL OR lease_until <= $2)
             AND ($3::text IS NULL OR account IS NULL OR account = $3)
           ORDER BY created_at, seq FOR UPDATE SKIP LOCKED`,
          [owner, now, account ?? null, [...RECLAIMABLE_STATES]],
        )
      ).rows;
      const out: QueueEntry[] = [];
      for (const r of rows) {
        out.push(fromRow(await this.apply(c, r, 'submitting', now, `reclaimed by ${owner} (lease of ${r.lease_owner ?? 'nobody'})`, { lease_owner: owner, lease_until: leaseUntil, ...adoptPatch(r, account) })));
      }
      return out;
    });
  }

  async transition(id: string, to: EntryState, o: TransitionOptions): Promise<QueueEntry | undefined> {
    assertTransition(id, to, o.from);
    return this.tx(async (c) => {
      const r = await this.rowForUpdate(c, id);
      if (!r) return undefined;
      if (!asArray(o.from).includes(r.state)) return undefined;
      if (o.owner !== undefined && r.lease_owner !== o.owner) return undefined;
      if (!onRun(r, o.run)) return undefined;
      return fromRow(await this.apply(c, r, to, o.now, o.note ?? null, o.set));
    });
  }

  async cancel(id: string, now: number, note?: string): Promise<QueueEntry | undefined> {
    return this.tx(async (c) => {
      const r = await this.rowForUpdate(c, id);
      if (!r) return undefined;
      return fromRow(CANCELLABLE_STATES.includes(r.state) ? await this.apply(c, r, 'cancelled', now, note ?? 'cancelled') : r);
    });
  }

  async history(id: string): Promise<HistoryEvent[]> {
    return (
      await this.pool.query<HistoryEvent>('SELECT entry_id, ts, from_state, to_state, note FROM autodl_queue_history WHERE entry_id = $1 ORDER BY seq', [id])
    ).rows;
  }

  async prune(before: number, options: PruneOptions = {}): Promise<PruneResult> {
    return this.tx(async (c) => {
      const params: unknown[] = [[...TERMINAL_STATES], before];
      if (options.label !== undefined) params.push(options.label);
      // the candidates locked: a retry of one of them waits for this transaction (and then finds it gone)
      const candidates = (
        await c.query<EntryRow>(
          `SELECT * FROM autodl_queue_entries WHERE state = ANY($1) AND COALESCE(finished_at, updated_at) < $2${options.label !== undefined ? ' AND label = $3' : ''} ORDER BY seq FOR UPDATE`,
          params,
        )
      ).rows.map(fromRow);
      const open = (await c.query<EntryRow>('SELECT * FROM autodl_queue_entries WHERE NOT (state = ANY($1))', [[...TERMINAL_STATES]])).rows.map(fromRow);
      const out = prunePlan(candidates, open);
      // the history rows go with their entry (ON DELETE CASCADE)
      if (!options.dryRun && out.removed.length > 0) await c.query('DELETE FROM autodl_queue_entries WHERE id = ANY($1)', [out.removed.map((e) => e.id)]);
      return out;
    });
  }

  /** The server's clock (clock_timestamp(), not the transaction's start), epoch ms: one clock for every worker. */
  async clock(): Promise<number> {
    const r = await this.pool.query<{ now: number }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now');
    return Number(r.rows[0]!.now);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
