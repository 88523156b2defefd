// SQLite backend of the queue store (better-sqlite3 12): WAL, busy_timeout, schema
// versions in PRAGMA user_version, claims in IMMEDIATE transactions so several worker
// processes can share one file.

import { mkdirSync } from 'node:fs';
import type { CreateDeploymentBody } from '../api/types.js';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { AutodlError } from '../errors.js';
import { redactText } from './ids.js';
import { adoptPatch, asArray, assertTransition, makeAdopted, makeEntry, type AdoptInput, movePatch, newerSchemaError, ownedBy, PATCH_COLUMNS, JSON_COLUMNS, onRun, prunePlan, STATES_SQL, type PruneOptions, type PruneResult } from './store.js';
import { CANCELLABLE_STATES, CLAIMABLE_STATES, RECLAIMABLE_STATES, TERMINAL_STATES } from './states.js';
import type { EntryPatch, ListFilter, QueueStore, TransitionOptions } from './store.js';
import type { EnforcedRecord, RetryRecord, EntryState, HistoryEvent, NewEntry, QueueEntry } from './types.js';
import { DEFAULT_OWNER, normalizePolicy, type EntryPolicy } from './policies.js';

/**
 * Where the queue database lives: `AUTODL_QUEUE_DB` if set, else
 * `$XDG_DATA_HOME/autodl/queue.db`, else `~/.local/share/autodl/queue.db`.
 */
export function defaultQueuePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AUTODL_QUEUE_DB) return env.AUTODL_QUEUE_DB;
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.length > 0 ? env.XDG_DATA_HOME : join(env.HOME ?? homedir(), '.local', 'share');
  return join(base, 'autodl', 'queue.db');
}

/** Schema migrations: index i brings user_version from i to i + 1. Append only; never edit a shipped one. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tag TEXT NOT NULL UNIQUE,
    label TEXT,
    body TEXT NOT NULL,
    deployment_name TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ${STATES_SQL}),
    attempts INTEGER NOT NULL DEFAULT 0,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    error_details TEXT,
    deployment_uuid TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    submitted_at INTEGER,
    finished_at INTEGER,
    lease_owner TEXT,
    lease_until INTEGER
  );
  CREATE INDEX entries_state ON entries(state, created_at, seq);
  CREATE INDEX entries_label ON entries(label);
  CREATE TABLE history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    ts INTEGER NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT
  );
  CREATE INDEX history_entry ON history(entry_id, seq);
  `,
  // issue 11: account fingerprint — whose entry it is (a truncated SHA-256 of host + token,
  // never the token; NULL = added with no token at hand, adopted by the first worker that
  // claims it), and the one-shot submit's intent key (found again by a rerun of an
  // interrupted `autodl submit`; NULL once that submit has reported)
  `
  ALTER TABLE entries ADD COLUMN account TEXT;
  ALTER TABLE entries ADD COLUMN submit_key TEXT;
  CREATE INDEX entries_account ON entries(account, state);
  CREATE INDEX entries_submit_key ON entries(submit_key) WHERE submit_key IS NOT NULL;
  `,
  // issue 11: send time / db clock — sent_at is written before a create goes out (a worker
  // that finds the entry in `submitting` holds it for the settle window since then);
  // missing_since is when a followed deployment was first missing from the list.
  `
  ALTER TABLE entries ADD COLUMN sent_at INTEGER;
  ALTER TABLE entries ADD COLUMN missing_since INTEGER;
  `,
  // issue 13: no frozen state CHECK — the state machine (states.ts) is enforced by the
  // stores, so adding a state is not a schema change. SQLite cannot drop a CHECK: the table
  // is rebuilt (the procedure of sqlite.org/lang_altertable.html §7): every column and row
  // as it was (seq included, and the AUTOINCREMENT counter), then the same indexes; the
  // entries table has no triggers or views. migrate() runs this with foreign keys off (the
  // history rows' REFERENCES must not cascade when the old table is dropped) and checks them
  // (PRAGMA foreign_key_check) before the transaction commits.
  `
  CREATE TABLE entries_new (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tag TEXT NOT NULL UNIQUE,
    label TEXT,
    body TEXT NOT NULL,
    deployment_name TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    error_details TEXT,
    deployment_uuid TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    submitted_at INTEGER,
    finished_at INTEGER,
    lease_owner TEXT,
    lease_until INTEGER,
    account TEXT,
    submit_key TEXT,
    sent_at INTEGER,
    missing_since INTEGER
  );
  INSERT INTO entries_new (seq, id, tag, label, body, deployment_name, priority, state, attempts, consecutive_failures,
      last_error, error_details, deployment_uuid, created_at, updated_at, submitted_at, finished_at, lease_owner, lease_until,
      account, submit_key, sent_at, missing_since)
    SELECT seq, id, tag, label, body, deployment_name, priority, state, attempts, consecutive_failures,
      last_error, error_details, deployment_uuid, created_at, updated_at, submitted_at, finished_at, lease_owner, lease_until,
      account, submit_key, sent_at, missing_since
    FROM entries ORDER BY seq;
  DELETE FROM sqlite_sequence WHERE name = 'entries_new';
  UPDATE sqlite_sequence SET name = 'entries_new' WHERE name = 'entries';
  DROP TABLE entries;
  ALTER TABLE entries_new RENAME TO entries;
  CREATE INDEX entries_state ON entries(state, created_at, seq);
  CREATE INDEX entries_label ON entries(label);
  CREATE INDEX entries_account ON entries(account, state);
  CREATE INDEX entries_submit_key ON entries(submit_key) WHERE submit_key IS NOT NULL;
  `,
  // 5: issue 16 — the entry's owner (fair shares), its declared policy and what a policy did
  `
  ALTER TABLE entries ADD COLUMN owner TEXT;
  ALTER TABLE entries ADD COLUMN policy TEXT;
  ALTER TABLE entries ADD COLUMN enforced TEXT;
  CREATE INDEX entries_owner ON entries(owner, state);
  `,
  // 6: issue 16 — retries that know why: how many automatic resubmissions, and why each
  `
  ALTER TABLE entries ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE entries ADD COLUMN retry_log TEXT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** A row of `entries`: the entry with its JSON columns as text, plus the insertion order (a column added by a migration belongs in QueueEntry too). */
type EntryRow = Omit<QueueEntry, 'body' | 'error_details' | 'policy' | 'enforced' | 'retry_log'> & {
  seq: number;
  body: string;
  error_details: string | null;
  policy: string | null;
  enforced: string | null;
  retry_log: string | null;
};

function fromRow(r: EntryRow): QueueEntry {
  const { seq: _seq, body, error_details, policy, enforced, retry_log, ...rest } = r;
  return {
    ...rest,
    body: JSON.parse(body) as CreateDeploymentBody,
    error_details: error_details === null ? null : (JSON.parse(error_details) as Record<string, unknown>),
    policy: policy === null ? null : (JSON.parse(policy) as EntryPolicy),
    enforced: enforced === null ? null : (JSON.parse(enforced) as EnforcedRecord),
    retry_log: retry_log === null ? null : (JSON.parse(retry_log) as RetryRecord[]),
  };
}

export interface SqliteStoreOptions {
  /** File path, or ':memory:'. Default: defaultQueuePath(env). */
  path?: string;
  env?: NodeJS.ProcessEnv;
  /** busy_timeout in ms (waiting for another process's write lock). Default 5000. */
  busyTimeoutMs?: number;
}

/** Apply pending migrations (idempotent). Throws when the file is from a newer version. */
export function migrate(db: BetterSqlite3.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw newerSchemaError(db.name, current, MIGRATIONS.length);
  }
  if (current === MIGRATIONS.length) return current;
  // A migration may rebuild a table (4): with foreign keys on, dropping the old entries table
  // would delete the history rows that reference it. The pragma cannot change inside a
  // transaction, so it is turned off around it, and the keys are checked before the commit.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  if (foreignKeys) db.pragma('foreign_keys = OFF');
  try {
    const run = db.transaction(() => {
      // re-read inside the write lock: another process may have migrated meanwhile
      const v = db.pragma('user_version', { simple: true }) as number;
      const brokenBefore = v > 0 ? (db.pragma('foreign_key_check') as unknown[]).length : 0;
      for (let i = v; i < MIGRATIONS.length; i++) {
        db.exec(MIGRATIONS[i]!);
        db.pragma(`user_version = ${i + 1}`);
      }
      const broken = (db.pragma('foreign_key_check') as unknown[]).length;
      if (broken > brokenBefore) {
        throw new AutodlError('config_error', `queue database ${db.name}: a migration would break ${broken - brokenBefore} history reference(s); nothing was changed`, { path: db.name });
      }
    });
    run.immediate();
  } finally {
    if (foreignKeys) db.pragma('foreign_keys = ON');
  }
  return db.pragma('user_version', { simple: true }) as number;
}

/** Open (creating directories and schema as needed) a SQLite queue store. */
export async function openSqliteStore(options: SqliteStoreOptions = {}): Promise<SqliteStore> {
  const path = options.path ?? defaultQueuePath(options.env ?? process.env);
  const mod = await import('better-sqlite3');
  const Database = mod.default;
  if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
  let db: BetterSqlite3.Database;
  try {
    db = new Database(path);
  } catch (e) {
    throw new AutodlError('config_error', `cannot open queue database ${path}: ${(e as Error).message}`, { path });
  }
  return new SqliteStore(db, options.busyTimeoutMs ?? 5000);
}

export class SqliteStore implements QueueStore {
  readonly db: BetterSqlite3.Database;
  readonly path: string;

  constructor(db: BetterSqlite3.Database, busyTimeoutMs = 5000) {
    this.db = db;
    this.path = db.name;
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    if (!db.memory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  }

  private row(id: string): EntryRow | undefined {
    return this.db.prepare('SELECT * FROM entries WHERE id = ?').get(id) as EntryRow | undefined;
  }

  private event(id: string, ts: number, from: EntryState | null, to: EntryState, note: string | null): void {
    this.db
      .prepare('INSERT INTO history (entry_id, ts, from_state, to_state, note) VALUES (?, ?, ?, ?, ?)')
      .run(id, ts, from, to, note === null ? null : redactText(note));
  }

  /** Apply a move to a row already read inside the current transaction. */
  private apply(r: EntryRow, to: EntryState, now: number, note: string | null, set: EntryPatch = {}): void {
    const cols: string[] = ['state = @state', 'updated_at = @updated_at'];
    const params: Record<string, unknown> = { id: r.id, state: to, updated_at: now };
    const patch = movePatch(r.state, to, set, r.id);
    for (const c of PATCH_COLUMNS) {
      if (!(c in patch)) continue;
      const v = patch[c];
      cols.push(`${c} = @${c}`);
      params[c] = JSON_COLUMNS.has(c) && v ? JSON.stringify(v) : (v ?? null);
    }
    this.db.prepare(`UPDATE entries SET ${cols.join(', ')} WHERE id = @id`).run(params);
    if (r.state !== to || note) this.event(r.id, now, r.state, to, note);
  }

  async adopt(input: AdoptInput, now: number): Promise<{ entry: QueueEntry; adopted: boolean }> {
    let out: { id: string; adopted: boolean } | undefined;
    const tx = this.db.transaction(() => {
      const open = this.db
        .prepare(`SELECT * FROM entries WHERE deployment_uuid = ? AND state NOT IN (${TERMINAL_STATES.map(() => '?').join(', ')}) ORDER BY seq LIMIT 1`)
        .get(input.deployment_uuid, ...TERMINAL_STATES) as EntryRow | undefined;
      if (open) {
        // the given fields replace those of the entry's policy (undefined ones are lifted)
        const policy = normalizePolicy({ ...(open.policy === null ? {} : (JSON.parse(open.policy) as EntryPolicy)), ...(input.policy ?? {}) });
        this.apply(open, open.state, now, 'policy replaced (autodl ttl)', { policy });
        out = { id: open.id, adopted: false };
        return;
      }
      let e = makeAdopted(input, now);
      const exists = this.db.prepare('SELECT 1 FROM entries WHERE id = ?');
      while (exists.get(e.id)) e = makeAdopted(input, now);
      this.db
        .prepare(
          `INSERT INTO entries (id, tag, label, body, deployment_name, priority, state, attempts, consecutive_failures,
             created_at, updated_at, account, submit_key, owner, policy, deployment_uuid, submitted_at)
           VALUES (@id, @tag, @label, @body, @deployment_name, @priority, 'submitted', 0, 0, @now, @now, @account, NULL, @owner, @policy, @deployment_uuid, @submitted_at)`,
        )
        .run({ ...e, body: JSON.stringify(e.body), policy: e.policy === null ? null : JSON.stringify(e.policy), now });
      this.event(e.id, now, null, 'submitted', 'adopted (autodl ttl)');
      out = { id: e.id, adopted: true };
    });
    tx.immediate();
    return { entry: fromRow(this.row(out!.id)!), adopted: out!.adopted };
  }

  async add(inputs: readonly NewEntry[], now: number): Promise<QueueEntry[]> {
    const made = inputs.map((i) => makeEntry(i, now));
    const ins = this.db.prepare(
      `INSERT INTO entries (id, tag, label, body, deployment_name, priority, state, attempts, consecutive_failures,
         created_at, updated_at, account, submit_key, owner, policy)
         VALUES (@id, @tag, @label, @body, @deployment_name, @priority, 'pending', 0, 0, @now, @now, @account, @submit_key, @owner, @policy)`,
    );
    const exists = this.db.prepare('SELECT 1 FROM entries WHERE id = ?');
    const tx = this.db.transaction(() => {
      for (let i = 0; i < made.length; i++) {
        let e = made[i]!;
        while (exists.get(e.id)) e = made[i] = makeEntry(inputs[i]!, now);
        ins.run({ ...e, body: JSON.stringify(e.body), policy: e.policy === null ? null : JSON.stringify(e.policy), enforced: null, now });
        this.event(e.id, now, null, 'pending', 'added');
      }
    });
    tx.immediate();
    return made;
  }

  async get(id: string): Promise<QueueEntry | undefined> {
    const r = this.row(id);
    return r ? fromRow(r) : undefined;
  }

  /** WHERE clause and parameters of a filter (undefined: it matches nothing). */
  private where(filter: ListFilter): { sql: string; params: unknown[] } | undefined {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.states) {
      if (filter.states.length === 0) return undefined;
      where.push(`state IN (${filter.states.map(() => '?').join(',')})`);
      params.push(...filter.states);
    }
    if (filter.label !== undefined) {
      where.push('label = ?');
      params.push(filter.label);
    }
    if (filter.ids) {
      if (filter.ids.length === 0) return undefined;
      where.push(`id IN (${filter.ids.map(() => '?').join(',')})`);
      params.push(...filter.ids);
    }
    if (filter.account !== undefined) {
      where.push('(account IS NULL OR account = ?)');
      params.push(filter.account);
    }
    if (filter.submitKey !== undefined) {
      where.push('submit_key = ?');
      params.push(filter.submitKey);
    }
    if (filter.owner !== undefined) {
      where.push(filter.owner === DEFAULT_OWNER ? '(owner IS NULL OR owner = ?)' : 'owner = ?');
      params.push(filter.owner);
    }
    return { sql: where.length ? ` WHERE ${where.join(' AND ')}` : '', params };
  }

  async list(filter: ListFilter = {}): Promise<QueueEntry[]> {
    const w = this.where(filter);
    if (!w) return [];
    const params = w.params;
    let sql = `SELECT * FROM entries${w.sql} ORDER BY created_at, seq`;
    if (filter.limit !== undefined) {
      sql += ' LIMIT ?';
      params.push(Math.max(0, Math.trunc(filter.limit)));
    }
    return (this.db.prepare(sql).all(...params) as EntryRow[]).map(fromRow);
  }

  async count(filter: ListFilter = {}): Promise<Partial<Record<EntryState, number>>> {
    const w = this.where(filter);
    if (!w) return {};
    const out: Partial<Record<EntryState, number>> = {};
    const rows = this.db.prepare(`SELECT state, COUNT(*) AS n FROM entries${w.sql} GROUP BY state`).all(...w.params) as { state: EntryState; n: number }[];
    for (const r of rows) out[r.state] = Number(r.n);
    return out;
  }

  async claim(ids: readonly string[], owner: string, leaseUntil: number, now: number, account?: string): Promise<QueueEntry[]> {
    const tx = this.db.transaction(() => {
      const out: QueueEntry[] = [];
      for (const id of ids) {
        const r = this.row(id);
        if (!r || !CLAIMABLE_STATES.includes(r.state) || !ownedBy(r, account)) continue;
        this.apply(r, 'submitting', now, `claimed by ${owner}`, {
          lease_owner: owner,
          lease_until: leaseUntil,
          attempts: r.attempts + 1,
          ...adoptPatch(r, account),
        });
        out.push(fromRow(this.row(id)!));
      }
      return out;
    });
    return tx.immediate();
  }

  async claimStale(owner: string, leaseUntil: number, now: number, account?: string): Promise<QueueEntry[]> {
    const tx = this.db.transaction(() => {
      const rows = (this.db
        .prepare(
          `SELECT * FROM entries WHERE state IN (${RECLAIMABLE_STATES.map(() => '?').join(',')}) AND (lease_owner = ? OR lease_until IS NULL OR lease_until <= ?) ORDER BY created_at, seq`,
        )
        .all(...RECLAIMABLE_STATES, owner, now) as EntryRow[]).filter((r) => ownedBy(r, account));
      return rows.map((r) => {
        this.apply(r, 'submitting', now, `reclaimed by ${owner} (lease of ${r.lease_owner ?? 'nobody'})`, {
          lease_owner: owner,
          lease_until: leaseUntil,
          ...adoptPatch(r, account),
        });
        return fromRow(this.row(r.id)!);
      });
    });
    return tx.immediate();
  }

  async transition(id: string, to: EntryState, o: TransitionOptions): Promise<QueueEntry | undefined> {
    assertTransition(id, to, o.from);
    const tx = this.db.transaction(() => {
      const r = this.row(id);
      if (!r) return undefined;
      if (!asArray(o.from).includes(r.state)) return undefined;
      if (o.owner !== undefined && r.lease_owner !== o.owner) return undefined;
      if (!onRun(r, o.run)) return undefined;
      this.apply(r, to, o.now, o.note ?? null, o.set);
      return fromRow(this.row(id)!);
    });
    return tx.immediate();
  }

  async cancel(id: string, now: number, note?: string): Promise<QueueEntry | undefined> {
    const tx = this.db.transaction(() => {
      const r = this.row(id);
      if (!r) return undefined;
      if (CANCELLABLE_STATES.includes(r.state)) this.apply(r, 'cancelled', now, note ?? 'cancelled');
      return fromRow(this.row(id)!);
    });
    return tx.immediate();
  }

  async history(id: string): Promise<HistoryEvent[]> {
    return this.db
      .prepare('SELECT entry_id, ts, from_state, to_state, note FROM history WHERE entry_id = ? ORDER BY seq')
      .all(id) as HistoryEvent[];
  }

  async prune(before: number, options: PruneOptions = {}): Promise<PruneResult> {
    const terminal = TERMINAL_STATES.map(() => '?').join(', ');
    const tx = this.db.transaction(() => {
      const candidates = (this.db
        .prepare(`SELECT * FROM entries WHERE state IN (${terminal}) AND COALESCE(finished_at, updated_at) < ?${options.label !== undefined ? ' AND label = ?' : ''} ORDER BY seq`)
        .all(...TERMINAL_STATES, before, ...(options.label !== undefined ? [options.label] : [])) as EntryRow[]).map(fromRow);
      const open = (this.db.prepare(`SELECT * FROM entries WHERE state NOT IN (${terminal})`).all(...TERMINAL_STATES) as EntryRow[]).map(fromRow);
      const out = prunePlan(candidates, open);
      if (!options.dryRun) {
        // the history rows go with their entry (ON DELETE CASCADE; foreign keys are on)
        const del = this.db.prepare('DELETE FROM entries WHERE id = ?');
        for (const e of out.removed) del.run(e.id);
      }
      return out;
    });
    return tx.immediate();
  }

  /** SQLite's own clock (the machine's system time as SQLite reads it), epoch ms. */
  async clock(): Promise<number> {
    const r = this.db.prepare("SELECT CAST(round((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER) AS now").get() as { now: number };
    return Number(r.now);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
