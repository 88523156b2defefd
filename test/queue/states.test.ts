// The queue's state machine as data (issue 13, point 3): the table itself, every store held
// to it (every allowed move is made, every other one refused and writes nothing), the
// migration that drops the frozen CHECK, and every place that derives from the table.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import pc from 'picocolors';
import { AutodlError } from '../../src/errors.js';
import {
  ALIVE_STATES,
  CANCELLABLE_STATES,
  CLAIMABLE_STATES,
  DEPLOYED_STATES,
  ENTRY_STATES,
  FOLLOWED_STATES,
  INITIAL_STATE,
  LEASED_STATES,
  LISTED_BY_DEFAULT,
  MemoryStore,
  MIGRATIONS,
  OPEN_STATES,
  PG_MIGRATIONS,
  QUEUED_STATES,
  RECLAIMABLE_STATES,
  REPRIORITISABLE_STATES,
  RESUMABLE_STATES,
  RETRYABLE_STATES,
  SCHEMA_VERSION,
  STATES,
  TERMINAL_STATES,
  TRANSITIONS,
  assertMove,
  movePatch,
  moveAllowed,
  openPgStore,
  openSqliteStore,
  type EntryState,
  type QueueStore,
} from '../../src/queue/index.js';
import { STATES_DOC_FILES, statesDoc, withStatesDoc } from '../../src/queue/states-doc.js';
import { catalogs } from '../../src/i18n/index.js';
import { parseStates } from '../../src/cli/commands/queue-ls.js';
import { stateColor } from '../../src/cli/commands/queue-common.js';
import { body } from './fake-api.js';
import { dropPgDatabases, freshPgDatabase, PG_SKIP } from './pg-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'autodl-queue-states-'));
after(() => rmSync(dir, { recursive: true, force: true }));
after(() => dropPgDatabases());
const T = 1_700_000_000_000;
let n = 0;

/** The allowed moves between two different states, as the table declares them. */
const allowedPairs = (): Array<[EntryState, EntryState]> => {
  const out: Array<[EntryState, EntryState]> = [];
  for (const t of TRANSITIONS) if (t.from !== null && t.from !== t.to && !out.some(([a, b]) => a === t.from && b === t.to)) out.push([t.from, t.to]);
  return out;
};
const disallowedPairs = (): Array<[EntryState, EntryState]> => {
  const out: Array<[EntryState, EntryState]> = [];
  for (const a of ENTRY_STATES) for (const b of ENTRY_STATES) if (a !== b && !TRANSITIONS.some((t) => t.from === a && t.to === b)) out.push([a, b]);
  return out;
};

/** The shortest chain of allowed moves from the initial state to `target` (breadth first over the table). */
function pathTo(target: EntryState): EntryState[] {
  const prev = new Map<EntryState, EntryState | null>([[INITIAL_STATE, null]]);
  const queue: EntryState[] = [INITIAL_STATE];
  while (queue.length > 0) {
    const s = queue.shift()!;
    if (s === target) break;
    for (const t of TRANSITIONS) {
      if (t.from === s && !prev.has(t.to)) {
        prev.set(t.to, s);
        queue.push(t.to);
      }
    }
  }
  assert.ok(prev.has(target), `${target} is reachable from ${INITIAL_STATE}`);
  const path: EntryState[] = [];
  for (let s: EntryState | null = target; s !== null; s = prev.get(s)!) path.unshift(s);
  return path;
}

const isRefusal = (from: string, to: string) => (e: unknown) =>
  e instanceof AutodlError &&
  e.errorType === 'validation_error' &&
  e.details.reason === 'transition_not_allowed' &&
  e.details.from === from &&
  e.details.to === to &&
  e.toResult().status === 'error' &&
  new RegExp(`${from} → ${to}`).test(e.message);

describe('the state table', () => {
  test('its sets, as the engine has always used them', () => {
    assert.deepEqual(ENTRY_STATES, ['pending', 'submitting', 'submitted', 'running', 'finished', 'failed', 'cancelled']);
    assert.deepEqual(ALIVE_STATES, ['submitted', 'running']);
    assert.deepEqual(TERMINAL_STATES, ['finished', 'failed', 'cancelled']);
    assert.deepEqual(OPEN_STATES, ['pending', 'submitting', 'submitted', 'running']);
    assert.deepEqual(QUEUED_STATES, ['pending', 'submitting']);
    assert.deepEqual(DEPLOYED_STATES, ['submitted', 'running', 'finished']);
    assert.deepEqual(RESUMABLE_STATES, ['pending', 'submitting', 'submitted', 'running', 'finished']);
    assert.deepEqual(LEASED_STATES, ['submitting']);
    assert.deepEqual(LISTED_BY_DEFAULT, ['pending', 'submitting', 'submitted', 'running', 'failed']);
    assert.equal(INITIAL_STATE, 'pending');
    assert.deepEqual(CLAIMABLE_STATES, ['pending']);
    assert.deepEqual(RECLAIMABLE_STATES, ['submitting']);
    assert.deepEqual(CANCELLABLE_STATES, ['pending']);
    assert.deepEqual(RETRYABLE_STATES, ['failed', 'cancelled']);
    assert.deepEqual(REPRIORITISABLE_STATES, ['pending']);
  });

  test('the moves: every one between known states, the worker follows exactly the alive states, every state reachable', () => {
    for (const t of TRANSITIONS) {
      assert.ok(t.from === null || t.from in STATES, `${t.op}: from ${t.from}`);
      assert.ok(t.to in STATES, `${t.op}: to ${t.to}`);
      assert.ok(t.when.length > 0);
    }
    // two ways in: an entry added (pending), and a deployment made outside the queue taken in by `autodl ttl` (submitted)
    assert.deepEqual(TRANSITIONS.filter((t) => t.from === null).map((t) => `${t.op}>${t.to}`), ['add>pending', 'adopt>submitted']);
    assert.deepEqual(FOLLOWED_STATES, ALIVE_STATES);
    for (const s of ENTRY_STATES) pathTo(s);
    // a terminal state leaves only by an explicit retry; an open one always has a way on
    for (const s of ENTRY_STATES) {
      const out = TRANSITIONS.filter((t) => t.from === s && t.to !== s);
      if (STATES[s].terminal) assert.ok(out.every((t) => t.op === 'retry'), `${s} leaves only by retry`);
      else assert.ok(out.length > 0, `${s} has a way on`);
    }
    assert.deepEqual(
      allowedPairs().map(([a, b]) => `${a}>${b}`),
      [
        'pending>submitting',
        'submitting>submitted',
        'pending>submitted',
        'submitting>pending',
        'submitting>failed',
        'submitted>running',
        'submitted>finished',
        'running>finished',
        'submitted>failed',
        'running>failed',
        'pending>cancelled',
        'failed>pending',
        'cancelled>pending',
        'pending>failed',
        'submitted>pending',
        'running>pending',
      ],
    );
  });

  test('moveAllowed / assertMove: the same state always, the table\'s pairs, nothing else', () => {
    for (const s of ENTRY_STATES) assert.ok(moveAllowed(s, s));
    for (const [a, b] of allowedPairs()) {
      assert.ok(moveAllowed(a, b));
      assertMove(a, b);
    }
    assert.ok(disallowedPairs().length > 0);
    for (const [a, b] of disallowedPairs()) {
      assert.equal(moveAllowed(a, b), false, `${a} → ${b}`);
      assert.throws(() => assertMove(a, b, 'q-00000000'), isRefusal(a, b));
      // the shared move of every backend refuses it too
      assert.throws(() => movePatch(a, b, {}, 'q-00000000'), isRefusal(a, b));
    }
    assert.throws(() => assertMove('pending', 'paused'), isRefusal('pending', 'paused'));
    assert.throws(() => assertMove('paused', 'pending'), isRefusal('paused', 'pending'));
  });
});

const backends: Array<[string, () => Promise<QueueStore>, false | string]> = [
  ['memory', async () => new MemoryStore(), false],
  ['sqlite', async () => openSqliteStore({ path: join(dir, `s${++n}.db`) }), false],
  ['postgres', async () => openPgStore({ url: await freshPgDatabase() }), PG_SKIP],
];

for (const [name, open, skip] of backends) {
  describe(`the stores hold to the table (${name})`, { skip }, () => {
    /** A new entry moved along the table's shortest path to `state`. */
    async function entryIn(s: QueueStore, state: EntryState, label: string): Promise<string> {
      const [e] = await s.add([{ body: body({ name: label }) }], T);
      const path = pathTo(state);
      for (let i = 1; i < path.length; i++) {
        const moved = await s.transition(e!.id, path[i]!, { from: path[i - 1]!, now: T + i, note: `to ${path[i]}` });
        assert.equal(moved?.state, path[i]);
      }
      return e!.id;
    }

    test('every allowed move is made, with its history row', async () => {
      const s = await open();
      for (const [from, to] of allowedPairs()) {
        const id = await entryIn(s, from, `ok-${from}-${to}`);
        const before = (await s.history(id)).length;
        const moved = await s.transition(id, to, { from, now: T + 100, note: `${from} to ${to}` });
        assert.equal(moved?.state, to, `${from} → ${to}`);
        assert.equal((await s.get(id))?.state, to);
        const h = await s.history(id);
        assert.equal(h.length, before + 1);
        assert.deepEqual([h.at(-1)!.from_state, h.at(-1)!.to_state, h.at(-1)!.note], [from, to, `${from} to ${to}`]);
      }
      // and through the store's own operations: claim, claimStale (reclaim), cancel
      const [c] = await s.add([{ body: body({ name: 'ops' }) }], T);
      const [claimed] = await s.claim([c!.id], 'w1', T + 10, T);
      assert.equal(claimed?.state, 'submitting');
      const reclaimed = (await s.claimStale('w2', T + 60_000, T + 20)).find((e) => e.id === c!.id);
      assert.deepEqual([reclaimed?.id, reclaimed?.state, reclaimed?.lease_owner], [c!.id, 'submitting', 'w2']);
      const [d] = await s.add([{ body: body({ name: 'cancel' }) }], T);
      assert.equal((await s.cancel(d!.id, T + 1))?.state, 'cancelled');
      assert.deepEqual((await s.history(d!.id)).map((h) => [h.from_state, h.to_state]), [[null, 'pending'], ['pending', 'cancelled']]);
      // a move to the same state (a patch) is allowed in every state
      for (const st of ENTRY_STATES) {
        const id = await entryIn(s, st, `same-${st}`);
        const r = await s.transition(id, st, { from: st, now: T + 200, set: { submit_key: null } });
        assert.equal(r?.state, st);
      }
      await s.close();
    });

    test('every other move is refused (validation_error, transition_not_allowed) and writes nothing', async () => {
      const s = await open();
      for (const [from, to] of disallowedPairs()) {
        const id = await entryIn(s, from, `no-${from}-${to}`);
        const before = await s.get(id);
        const history = await s.history(id);
        await assert.rejects(s.transition(id, to, { from, now: T + 100, note: 'must not happen', set: { priority: 99, last_error: 'x' } }), isRefusal(from, to));
        // refused whatever state the entry is in: the request itself is not a move of the table
        await assert.rejects(s.transition(id, to, { from: [INITIAL_STATE, from], now: T + 100 }), (e: unknown) => e instanceof AutodlError && e.details.reason === 'transition_not_allowed');
        assert.deepEqual(await s.get(id), before, `${from} → ${to} changed nothing`);
        assert.deepEqual(await s.history(id), history, `${from} → ${to} wrote no history`);
      }
      // an unknown state is refused too (the database holds text)
      const [e] = await s.add([{ body: body({ name: 'paused' }) }], T);
      await assert.rejects(s.transition(e!.id, 'paused' as EntryState, { from: 'pending', now: T }), isRefusal('pending', 'paused'));
      assert.equal((await s.get(e!.id))?.state, 'pending');
      // claim and cancel leave entries in other states alone, as before
      const done = await entryIn(s, 'finished', 'done');
      assert.deepEqual(await s.claim([done], 'w', T + 10, T), []);
      assert.equal((await s.cancel(done, T))?.state, 'finished');
      await s.close();
    });
  });
}

/** What a row of a table holds, for comparing a database before and after a migration. */
/** Columns and indexes later migrations add (version 5: issue 16's owner, policy, enforced; version 6: its retries, retry_log): left out when comparing with a version-3 database. */
const ADDED_AFTER_4 = ['owner', 'policy', 'enforced', 'retries', 'retry_log'];
const INDEXES_AFTER_4 = /^(autodl_queue_)?entries_owner\b/;
function withoutLater(rows: unknown[]): unknown[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r as Record<string, unknown>).filter(([k]) => !ADDED_AFTER_4.includes(k))));
}
function sqliteRows(db: Database.Database, table: string): unknown[] {
  return withoutLater(db.prepare(`SELECT * FROM ${table} ORDER BY seq`).all());
}
function sqliteIndexes(db: Database.Database): string[] {
  return (db.prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type IN ('index', 'trigger', 'view') ORDER BY name").all() as Array<{ name: string; tbl_name: string; sql: string | null }>).map(
    (r) => `${r.name} ON ${r.tbl_name}: ${r.sql ?? '(auto)'}`,
  ).filter((x) => !INDEXES_AFTER_4.test(x));
}

/** A database as the three shipped migrations left it: one entry in every state (the state list they knew), its history, and a gap at the end of seq. */
function oldSqlite(path: string): void {
  const raw = new Database(path);
  raw.pragma('foreign_keys = ON');
  for (let i = 0; i < 3; i++) raw.exec(MIGRATIONS[i]!);
  raw.pragma('user_version = 3');
  const ins = raw.prepare(
    `INSERT INTO entries (id, tag, label, body, deployment_name, priority, state, attempts, consecutive_failures, last_error, error_details,
       deployment_uuid, created_at, updated_at, submitted_at, finished_at, lease_owner, lease_until, account, submit_key, sent_at, missing_since)
     VALUES (@id, @tag, 'old', @body, @name, @i, @state, @i, 0, @err, @details, @uuid, @t, @t, @sub, @fin, @owner, @until, @acct, @key, @sent, @missing)`,
  );
  const hist = raw.prepare('INSERT INTO history (entry_id, ts, from_state, to_state, note) VALUES (?, ?, ?, ?, ?)');
  ['pending', 'submitting', 'submitted', 'running', 'finished', 'failed', 'cancelled'].forEach((state, i) => {
    const tag = `0000000${i}`;
    const id = `q-${tag}`;
    ins.run({
      id,
      tag,
      body: JSON.stringify(body({ name: `old-${state}` })),
      name: `old-${state}-q${tag}`,
      i,
      state,
      err: state === 'failed' ? 'refused' : null,
      details: state === 'failed' ? JSON.stringify({ consecutive_failures: 3 }) : null,
      uuid: ['submitted', 'running', 'finished'].includes(state) ? `uuid-${i}` : null,
      t: T + i,
      sub: ['submitted', 'running', 'finished'].includes(state) ? T + i : null,
      fin: ['finished', 'failed'].includes(state) ? T + i : null,
      owner: state === 'submitting' ? 'w1' : null,
      until: state === 'submitting' ? T + 300_000 : null,
      acct: i % 2 ? 'acct-1' : null,
      key: state === 'submitting' ? 'key-1' : null,
      sent: state === 'submitting' ? T : null,
      missing: state === 'running' ? T : null,
    });
    hist.run(id, T, null, 'pending', 'added');
    if (state !== 'pending') hist.run(id, T + 1, 'pending', state, `to ${state}`);
  });
  // a gap at the end of seq: an entry added and gone (AUTOINCREMENT never gives its seq again)
  raw.prepare("INSERT INTO entries (id, tag, body, deployment_name, state, created_at, updated_at) VALUES ('q-gone0000', 'gone0000', '{}', 'gone', 'pending', 1, 1)").run();
  raw.prepare("DELETE FROM entries WHERE id = 'q-gone0000'").run();
  // the CHECK of version 1 refuses a state it did not know
  assert.throws(() => raw.prepare("INSERT INTO entries (id, tag, body, deployment_name, state, created_at, updated_at) VALUES ('q-paused00', 'paused00', '{}', 'p', 'paused', 1, 1)").run(), /CHECK constraint failed/);
  raw.close();
}

describe('migration 4: no frozen state CHECK (SQLite)', () => {
  test('the shipped migrations are unchanged: version 1 still declares the CHECK it shipped with', () => {
    assert.ok(SCHEMA_VERSION >= 4);
    assert.match(MIGRATIONS[0]!, /state TEXT NOT NULL CHECK \(state IN \('pending','submitting','submitted','running','finished','failed','cancelled'\)\)/);
    assert.doesNotMatch(MIGRATIONS[3]!, /CHECK/);
  });

  test('a database of version 3 with entries in every state migrates and keeps every row, index, sequence and reference', async () => {
    const path = join(dir, 'v3.db');
    oldSqlite(path);
    const raw = new Database(path, { readonly: true });
    const entries = sqliteRows(raw, 'entries');
    const history = sqliteRows(raw, 'history');
    const indexes = sqliteIndexes(raw);
    const seq = raw.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'entries'").get() as { seq: number };
    raw.close();
    assert.equal(entries.length, 7);
    assert.ok(seq.seq > 7);

    const s = await openSqliteStore({ path });
    assert.equal(s.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.deepEqual(sqliteRows(s.db, 'entries'), entries);
    assert.deepEqual(sqliteRows(s.db, 'history'), history);
    assert.deepEqual(sqliteIndexes(s.db), indexes);
    assert.deepEqual(s.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'entries'").get(), seq);
    assert.deepEqual(s.db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%_new%'").all(), []);
    const table = (s.db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'entries'").get() as { sql: string }).sql;
    assert.doesNotMatch(table, /CHECK/);
    assert.equal(s.db.pragma('foreign_keys', { simple: true }), 1, 'foreign keys on again');
    assert.deepEqual(s.db.pragma('foreign_key_check'), []);
    assert.equal(s.db.pragma('integrity_check', { simple: true }), 'ok');
    // the store reads and moves them as before
    for (const st of ENTRY_STATES) assert.equal((await s.list({ states: [st] })).length, 1, st);
    const running = (await s.list({ states: ['running'] }))[0]!;
    assert.deepEqual([running.missing_since, running.deployment_uuid, running.account], [T, 'uuid-3', 'acct-1']);
    assert.equal((await s.transition(running.id, 'finished', { from: 'running', now: T + 9 }))?.state, 'finished');
    // new rows continue after the old sequence; history still references entries (and cascades)
    const [fresh] = await s.add([{ body: body({ name: 'new' }) }], T + 10);
    assert.ok((s.db.prepare('SELECT seq FROM entries WHERE id = ?').get(fresh!.id) as { seq: number }).seq > seq.seq);
    assert.throws(() => s.db.prepare("INSERT INTO history (entry_id, ts, to_state) VALUES ('q-nothere0', 1, 'pending')").run(), /FOREIGN KEY/);
    s.db.prepare('DELETE FROM entries WHERE id = ?').run(fresh!.id);
    assert.deepEqual(await s.history(fresh!.id), []);
    // a state the table may gain later is no schema change any more
    s.db.prepare("INSERT INTO entries (id, tag, body, deployment_name, state, created_at, updated_at) VALUES ('q-paused00', 'paused00', '{}', 'p', 'paused', 1, 1)").run();
    await s.close();
    // reopening migrates nothing more
    const again = await openSqliteStore({ path });
    assert.equal(again.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal((await again.list({ states: ['pending'] })).length, 1);
    await again.close();
  });

  test('a migration that fails changes nothing (one transaction)', async () => {
    const path = join(dir, 'v3-blocked.db');
    oldSqlite(path);
    const raw = new Database(path);
    raw.exec('CREATE TABLE entries_new (x INTEGER)'); // in the way of the rebuild
    const entries = sqliteRows(raw, 'entries');
    raw.close();
    await assert.rejects(openSqliteStore({ path }), /entries_new already exists/);
    const after = new Database(path, { readonly: true });
    assert.equal(after.pragma('user_version', { simple: true }), 3);
    assert.deepEqual(sqliteRows(after, 'entries'), entries);
    assert.match((after.prepare("SELECT sql FROM sqlite_master WHERE name = 'entries'").get() as { sql: string }).sql, /CHECK/);
    after.close();
  });

  test('a fresh database has no state CHECK', async () => {
    const s = await openSqliteStore({ path: join(dir, 'fresh.db') });
    const table = (s.db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'entries'").get() as { sql: string }).sql;
    assert.doesNotMatch(table, /CHECK/);
    await s.close();
  });
});

describe('migration 4: no frozen state CHECK (PostgreSQL)', { skip: PG_SKIP }, () => {
  test('a database of version 3 with entries in every state migrates and keeps them; the CHECK is gone', async () => {
    const url = await freshPgDatabase();
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    try {
      await raw.query('CREATE TABLE autodl_queue_schema (version INTEGER NOT NULL)');
      await raw.query('INSERT INTO autodl_queue_schema (version) VALUES (3)');
      for (let i = 0; i < 3; i++) await raw.query(PG_MIGRATIONS[i]!);
      const states = ['pending', 'submitting', 'submitted', 'running', 'finished', 'failed', 'cancelled'];
      for (const [i, state] of states.entries()) {
        const id = `q-0000000${i}`;
        await raw.query(
          `INSERT INTO autodl_queue_entries (id, tag, label, body, deployment_name, priority, state, attempts, created_at, updated_at, lease_owner, account, sent_at, missing_since)
           VALUES ($1, $2, 'old', $3, $4, $5, $6, $5, $7, $7, $8, $9, $10, $11)`,
          [id, `0000000${i}`, JSON.stringify(body({ name: `old-${state}` })), `old-${state}`, i, state, T + i, state === 'submitting' ? 'w1' : null, i % 2 ? 'acct-1' : null, state === 'submitting' ? T : null, state === 'running' ? T : null],
        );
        await raw.query("INSERT INTO autodl_queue_history (entry_id, ts, from_state, to_state, note) VALUES ($1, $2, NULL, 'pending', 'added')", [id, T]);
      }
      await assert.rejects(
        raw.query("INSERT INTO autodl_queue_entries (id, tag, body, deployment_name, state, created_at, updated_at) VALUES ('q-paused00', 'paused00', '{}', 'p', 'paused', 1, 1)"),
        /check constraint/,
      );
      const entries = (await raw.query('SELECT * FROM autodl_queue_entries ORDER BY seq')).rows;
      const history = (await raw.query('SELECT * FROM autodl_queue_history ORDER BY seq')).rows;
      const indexes = (await raw.query("SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'autodl_queue_%' ORDER BY indexname")).rows;

      const s = await openPgStore({ url });
      assert.equal(await s.migrate(), PG_MIGRATIONS.length);
      assert.ok(PG_MIGRATIONS.length >= 4);
      assert.deepEqual((await raw.query('SELECT version FROM autodl_queue_schema')).rows, [{ version: PG_MIGRATIONS.length }]);
      assert.deepEqual(withoutLater((await raw.query('SELECT * FROM autodl_queue_entries ORDER BY seq')).rows), entries);
      assert.deepEqual((await raw.query('SELECT * FROM autodl_queue_history ORDER BY seq')).rows, history);
      assert.deepEqual(
        (await raw.query<{ indexname: string }>("SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'autodl_queue_%' ORDER BY indexname")).rows.filter((r) => !INDEXES_AFTER_4.test(r.indexname)),
        indexes,
      );
      assert.deepEqual((await raw.query("SELECT conname FROM pg_constraint WHERE conrelid = 'autodl_queue_entries'::regclass AND contype = 'c'")).rows, []);
      // the foreign key and the unique keys stay
      assert.deepEqual(
        (await raw.query("SELECT contype FROM pg_constraint WHERE conrelid = 'autodl_queue_history'::regclass AND contype = 'f'")).rows,
        [{ contype: 'f' }],
      );
      for (const st of ENTRY_STATES) assert.equal((await s.list({ states: [st] })).length, 1, st);
      await raw.query("INSERT INTO autodl_queue_entries (id, tag, body, deployment_name, state, created_at, updated_at) VALUES ('q-paused00', 'paused00', '{}', 'p', 'paused', 1, 1)");
      await s.close();
    } finally {
      await raw.end();
    }
  });

  test('a fresh database has no state CHECK', async () => {
    const url = await freshPgDatabase();
    const s = await openPgStore({ url });
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    assert.deepEqual((await raw.query("SELECT conname FROM pg_constraint WHERE conrelid = 'autodl_queue_entries'::regclass AND contype = 'c'")).rows, []);
    await raw.end();
    await s.close();
  });
});

describe('what derives from the table', () => {
  test('the docs\' diagram and tables are the table rendered (scripts/gen-states.ts)', () => {
    for (const file of STATES_DOC_FILES) {
      const text = readFileSync(file, 'utf8');
      assert.ok(text.includes(statesDoc()), `${file}: regenerate with node --import tsx scripts/gen-states.ts`);
      assert.equal(withStatesDoc(text), text);
    }
    // every state and every operation is in the rendering
    const doc = statesDoc();
    for (const s of ENTRY_STATES) assert.ok(doc.includes(`\`${s}\` | ${STATES[s].meaning}`), s);
    for (const t of TRANSITIONS) assert.ok(doc.includes(`| \`${t.op}\` | ${t.from ? `\`${t.from}\`` : '(new)'} | \`${t.to}\` |`), `${t.op} ${t.from} ${t.to}`);
  });

  test('a changed table changes the rendering (the drift check can fail)', () => {
    const text = readFileSync('docs/queue.md', 'utf8');
    const stale = text.replace('pending --> submitting: claim', 'pending --> running: claim');
    assert.notEqual(stale, text);
    assert.notEqual(withStatesDoc(stale), stale);
    assert.equal(withStatesDoc(stale), text);
  });

  test('`queue ls --state` takes exactly the table\'s states', () => {
    assert.deepEqual(parseStates(ENTRY_STATES.join(',')), [...ENTRY_STATES]);
    assert.deepEqual(parseStates([...ENTRY_STATES]), [...ENTRY_STATES]);
    assert.equal(parseStates(undefined), undefined);
    assert.throws(
      () => parseStates('pending,paused'),
      (e: unknown) => e instanceof AutodlError && e.errorType === 'config_error' && e.message.includes(ENTRY_STATES.join(', ')) && (e.details.states as string[]).join() === 'paused',
    );
  });

  test('the colours of `queue ls` / `queue show` are the table\'s (and what they were)', () => {
    const c = pc.createColors(true);
    for (const s of ENTRY_STATES) assert.equal(stateColor(s, c), c[STATES[s].color](s), s);
    const was: Record<EntryState, string> = { pending: c.yellow('pending'), submitting: c.yellow('submitting'), submitted: c.cyan('submitted'), running: c.green('running'), finished: c.dim('finished'), failed: c.red('failed'), cancelled: c.dim('cancelled') };
    for (const s of ENTRY_STATES) assert.equal(stateColor(s, c), was[s], s);
    // a state from a newer autodl is data: escaped, on one line
    assert.equal(stateColor('paused\x1b[2J', c), 'paused\\x1b[2J');
  });

  test('the help texts that name states name the table\'s', () => {
    for (const lang of ['en', 'zh'] as const) {
      const text = catalogs[lang]['queue.opt.state'];
      const named = ENTRY_STATES.filter((s) => new RegExp(`\\b${s}\\b`).test(text));
      assert.deepEqual(named, [...ENTRY_STATES], `${lang} queue.opt.state`);
      assert.equal(text.match(/[a-z]+(?=[,、)）])/g)?.length, ENTRY_STATES.length, `${lang} queue.opt.state names no other state`);
    }
    const en = catalogs.en;
    const hidden = ENTRY_STATES.filter((s) => !LISTED_BY_DEFAULT.includes(s));
    assert.match(en['queue.cmd.ls'], new RegExp(`all but ${hidden.join(' and ')}\\)`));
    assert.equal(en['queue.opt.all'], `include ${hidden.join(' and ')} entries`);
    assert.equal(en['queue.cmd.retry'], `put ${RETRYABLE_STATES.join(' or ')} entries back to ${INITIAL_STATE}`);
    assert.equal(en['queue.cmd.cancel'], `cancel ${CANCELLABLE_STATES.join(' or ')} entries`);
    assert.equal(en['queue.cmd.priority'], `change the priority of a ${REPRIORITISABLE_STATES.join(' or ')} entry`);
    // the reference of `queue ls` in docs/queue.md
    assert.ok(readFileSync('docs/queue.md', 'utf8').includes(`Default: every state but ${hidden.map((s) => `\`${s}\``).join(' and ')};`));
  });
});
