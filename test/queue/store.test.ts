import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { bundleFixture } from './fixtures/bundle.js';
import Database from 'better-sqlite3';
import { MemoryStore, MIGRATIONS, PG_MIGRATIONS, SCHEMA_VERSION, SqliteStore, defaultQueuePath, openPgStore, openSqliteStore, redactPostgresUrl } from '../../src/queue/index.js';
import { dropPgDatabases, dumpPgDatabase, freshPgDatabase, PG_SKIP, PG_URL } from './pg-helpers.js';
import pg from 'pg';
import type { QueueStore } from '../../src/queue/index.js';
import { AutodlError } from '../../src/errors.js';
import { body } from './fake-api.js';

const dir = mkdtempSync(join(tmpdir(), 'autodl-queue-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
after(() => dropPgDatabases());
let n = 0;
const T = 1_700_000_000_000;

const backends: Array<[string, () => Promise<QueueStore>, false | string]> = [
  ['memory', async () => new MemoryStore(), false],
  ['sqlite', async () => openSqliteStore({ path: join(dir, `s${++n}.db`) }), false],
  ['postgres', async () => openPgStore({ url: await freshPgDatabase() }), PG_SKIP],
];

for (const [name, open, skip] of backends) {
  describe(`QueueStore (${name})`, { skip }, () => {
    test('add: ids, mark, pending state, insertion order, list filters', async () => {
      const s = await open();
      const added = await s.add([{ body: body({ name: 'a' }) }, { body: body({ name: 'b' }), priority: 3, label: 'sweep1' }], T);
      assert.equal(added.length, 2);
      for (const e of added) {
        assert.match(e.id, /^q-[0-9a-hjkmnp-tv-z]{8}$/);
        assert.equal(e.deployment_name, `${e.body.name}-q${e.tag}`);
        assert.equal(e.state, 'pending');
        assert.equal(e.attempts, 0);
      }
      assert.notEqual(added[0]!.id, added[1]!.id);
      await s.add([{ body: body({ name: 'c' }) }], T + 1);
      assert.deepEqual((await s.list()).map((e) => e.body.name), ['a', 'b', 'c']);
      assert.deepEqual((await s.list({ label: 'sweep1' })).map((e) => e.body.name), ['b']);
      assert.deepEqual((await s.list({ ids: [added[1]!.id] })).map((e) => e.priority), [3]);
      assert.equal((await s.list({ limit: 2 })).length, 2);
      assert.equal((await s.list({ states: ['submitted'] })).length, 0);
      const got = await s.get(added[0]!.id);
      assert.deepEqual(got?.body, body({ name: 'a' }));
      assert.equal(await s.get('q-nothere0'), undefined);
      await s.close();
    });

    test('add: a large batch in one call keeps input order, ids, an added history row each, account and submit_key', async () => {
      const s = await open();
      // more than one INSERT batch of the PostgreSQL store (5000)
      const count = 5003;
      const inputs = Array.from({ length: count }, (_, i) => ({ body: body({ name: `n${i}` }), label: `l${i % 3}`, priority: i % 7, account: i % 2 ? `acct${i % 5}` : null, submit_key: i === 4 ? 'key-4' : null }));
      const added = await s.add(inputs, T);
      assert.deepEqual(added.map((e) => e.body.name), inputs.map((x) => x.body.name));
      assert.equal(new Set(added.map((e) => e.id)).size, count);
      const listed = await s.list();
      assert.deepEqual(listed, added);
      assert.deepEqual(listed.map((e) => [e.label, e.priority, e.account, e.submit_key]), inputs.map((x) => [x.label, x.priority, x.account, x.submit_key]));
      assert.equal((await s.list({ submitKey: 'key-4' }))[0]?.body.name, 'n4');
      for (const e of [added[0]!, added[4999]!, added[5000]!, added[count - 1]!]) {
        assert.deepEqual(await s.history(e.id), [{ entry_id: e.id, ts: T, from_state: null, to_state: 'pending', note: 'added' }]);
      }
      await s.close();
    });

    test('claim: only pending entries, attempts + 1, lease recorded, once', async () => {
      const s = await open();
      const [a, b] = await s.add([{ body: body() }, { body: body() }], T);
      const c1 = await s.claim([a!.id, b!.id], 'w1', T + 1000, T);
      assert.deepEqual(c1.map((e) => [e.id, e.state, e.attempts, e.lease_owner, e.lease_until]), [
        [a!.id, 'submitting', 1, 'w1', T + 1000],
        [b!.id, 'submitting', 1, 'w1', T + 1000],
      ]);
      assert.deepEqual(await s.claim([a!.id], 'w2', T + 2000, T), []);
      await s.close();
    });

    test('claimStale: expired leases and own leases, not live foreign ones', async () => {
      const s = await open();
      const [a, b, c] = await s.add([{ body: body() }, { body: body() }, { body: body() }], T);
      await s.claim([a!.id], 'w1', T + 1000, T);
      await s.claim([b!.id], 'w2', T + 5000, T);
      await s.claim([c!.id], 'w3', T + 1000, T);
      const stale = await s.claimStale('w3', T + 9000, T + 2000);
      assert.deepEqual(stale.map((e) => e.id).sort(), [a!.id, c!.id].sort());
      assert.ok(stale.every((e) => e.lease_owner === 'w3' && e.lease_until === T + 9000 && e.attempts === 1));
      assert.deepEqual(await s.claimStale('w1', T + 9000, T + 2000), []);
      await s.close();
    });

    test('transition: compare-and-set on state and owner; leaving submitting clears the lease', async () => {
      const s = await open();
      const [a] = await s.add([{ body: body() }], T);
      assert.equal(await s.transition(a!.id, 'submitted', { from: 'submitting', now: T }), undefined);
      await s.claim([a!.id], 'w1', T + 1000, T);
      assert.equal(await s.transition(a!.id, 'submitted', { from: 'submitting', owner: 'w2', now: T }), undefined);
      const done = await s.transition(a!.id, 'submitted', {
        from: 'submitting',
        owner: 'w1',
        now: T + 5,
        note: 'created',
        set: { deployment_uuid: 'dep-1', submitted_at: T + 5 },
      });
      assert.equal(done?.state, 'submitted');
      assert.equal(done?.deployment_uuid, 'dep-1');
      assert.equal(done?.lease_owner, null);
      assert.equal(done?.lease_until, null);
      assert.equal(done?.updated_at, T + 5);
      const h = await s.history(a!.id);
      assert.deepEqual(h.map((x) => [x.from_state, x.to_state]), [[null, 'pending'], ['pending', 'submitting'], ['submitting', 'submitted']]);
      assert.equal(h[2]!.note, 'created');
      await s.close();
    });

    test('cancel: only pending entries', async () => {
      const s = await open();
      const [a, b] = await s.add([{ body: body() }, { body: body() }], T);
      assert.equal((await s.cancel(a!.id, T, 'user'))?.state, 'cancelled');
      await s.claim([b!.id], 'w', T + 1, T);
      assert.equal((await s.cancel(b!.id, T))?.state, 'submitting');
      assert.equal(await s.cancel('q-missing0', T), undefined);
      assert.deepEqual((await s.history(a!.id)).at(-1), { entry_id: a!.id, ts: T, from_state: 'pending', to_state: 'cancelled', note: 'user' });
      await s.close();
    });

    test('secrets: secret-looking body fields refused; errors stored redacted', async () => {
      const s = await open();
      const bad = body({}, { cmd: 'x' });
      (bad.container_template as unknown as Record<string, unknown>).root_password = 'hunter2hunter2';
      await assert.rejects(s.add([{ body: bad }], T), (e: unknown) => e instanceof AutodlError && e.errorType === 'validation_error');
      const [a] = await s.add([{ body: body() }], T);
      await s.claim([a!.id], 'w', T + 1, T);
      const r = await s.transition(a!.id, 'pending', {
        from: 'submitting',
        now: T,
        note: 'Authorization: sk-abcdef123456',
        set: { last_error: 'failed token=sk-abcdef123456', error_details: { msg: 'x', root_password: 'pw-123456', nested: { text: 'password: pw-123456' } } },
      });
      assert.ok(!JSON.stringify(r).includes('sk-abcdef123456'));
      assert.ok(!JSON.stringify(r).includes('pw-123456'));
      assert.ok(!JSON.stringify(await s.history(a!.id)).includes('sk-abcdef123456'));
      await s.close();
    });

    test('accounts (issue 11): claim and claimStale take only own or account-less entries and adopt the latter; list({account}) and list({submitKey})', async () => {
      const s = await open();
      const [mine, theirs, none, keyed] = await s.add(
        [
          { body: body({ name: 'mine' }), account: 'acct-a' },
          { body: body({ name: 'theirs' }), account: 'acct-b' },
          { body: body({ name: 'none' }) },
          { body: body({ name: 'keyed' }), account: 'acct-a', submit_key: 'k-1' },
        ],
        T,
      );
      assert.deepEqual([mine!.account, theirs!.account, none!.account, keyed!.submit_key], ['acct-a', 'acct-b', null, 'k-1']);
      assert.deepEqual((await s.list({ account: 'acct-a' })).map((e) => e.body.name), ['mine', 'none', 'keyed']);
      assert.deepEqual((await s.list({ submitKey: 'k-1' })).map((e) => e.id), [keyed!.id]);
      const got = await s.claim([mine!.id, theirs!.id, none!.id], 'wa', T + 1000, T, 'acct-a');
      assert.deepEqual(got.map((e) => [e.body.name, e.account]), [['mine', 'acct-a'], ['none', 'acct-a']]);
      assert.equal((await s.get(theirs!.id))!.state, 'pending', "another account's entry is not claimed");
      assert.equal((await s.get(none!.id))!.account, 'acct-a', 'adopted on claim');
      // without an account: every entry, as before
      assert.equal((await s.claim([theirs!.id], 'wx', T + 1000, T)).length, 1);
      // stale leases: only own (and account-less) ones are taken over
      const stale = await s.claimStale('wa2', T + 9000, T + 5000, 'acct-a');
      assert.deepEqual(stale.map((e) => e.body.name).sort(), ['mine', 'none']);
      assert.equal((await s.get(theirs!.id))!.lease_owner, 'wx');
      // the intent key is cleared by a patch
      const cleared = await s.transition(keyed!.id, 'pending', { from: 'pending', now: T, set: { submit_key: null } });
      assert.equal(cleared!.submit_key, null);
      assert.equal((await s.list({ submitKey: 'k-1' })).length, 0);
      await s.close();
    });
  });
}

describe('SqliteStore specifics', () => {
  test('defaultQueuePath: AUTODL_QUEUE_DB, XDG_DATA_HOME, ~/.local/share', () => {
    assert.equal(defaultQueuePath({ AUTODL_QUEUE_DB: '/x/q.db', XDG_DATA_HOME: '/d' }), '/x/q.db');
    assert.equal(defaultQueuePath({ XDG_DATA_HOME: '/d' }), '/d/autodl/queue.db');
    assert.equal(defaultQueuePath({ HOME: '/home/u' }), '/home/u/.local/share/autodl/queue.db');
  });

  test('migrations: versioned, idempotent, data survives reopen, newer schema refused', async () => {
    const path = join(dir, 'mig', 'q.db');
    const s1 = await openSqliteStore({ path });
    const [a] = await s1.add([{ body: body({ name: 'keep' }) }], T);
    assert.equal(s1.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(String(s1.db.pragma('journal_mode', { simple: true })).toLowerCase(), 'wal');
    assert.ok(Number(s1.db.pragma('busy_timeout', { simple: true })) > 0);
    await s1.close();
    const s2 = await openSqliteStore({ path });
    assert.equal((await s2.get(a!.id))?.body.name, 'keep');
    assert.equal(s2.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    await s2.close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    await assert.rejects(openSqliteStore({ path }), (e: unknown) => e instanceof AutodlError && e.errorType === 'config_error');
  });

  test('issue 11 migration: a version-1 file gains account and submit_key; its entries have no account', async () => {
    const path = join(dir, 'v1.db');
    const raw = new Database(path);
    raw.exec(MIGRATIONS[0]!);
    raw.pragma('user_version = 1');
    raw.prepare("INSERT INTO entries (id, tag, body, deployment_name, state, created_at, updated_at) VALUES ('q-00000001', '00000001', ?, 'old-q00000001', 'running', 1, 1)").run(JSON.stringify(body({ name: 'old' })));
    raw.close();
    const s = await openSqliteStore({ path });
    assert.equal(s.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    const old = await s.get('q-00000001');
    assert.deepEqual([old!.state, old!.account, old!.submit_key], ['running', null, null]);
    await s.close();
  });

  test('the database file never holds a secret handed to the store', async () => {
    const path = join(dir, 'secret.db');
    const s = await openSqliteStore({ path });
    const [a] = await s.add([{ body: body() }], T);
    await s.claim([a!.id], 'w', T + 1, T);
    await s.transition(a!.id, 'failed', { from: 'submitting', now: T, note: 'token: tok-SECRET-9999', set: { last_error: 'Authorization: tok-SECRET-9999' } });
    await s.close();
    for (const f of [path, `${path}-wal`]) {
      let buf: Buffer;
      try {
        buf = readFileSync(f);
      } catch {
        continue;
      }
      assert.ok(!buf.includes('tok-SECRET-9999'), `${f} holds the secret`);
    }
  });

  test('two connections: one claim wins', async () => {
    const path = join(dir, 'two.db');
    const s1 = await openSqliteStore({ path });
    const s2 = new SqliteStore(new Database(path));
    const [a] = await s1.add([{ body: body() }], T);
    const r1 = await s1.claim([a!.id], 'w1', T + 10, T);
    const r2 = await s2.claim([a!.id], 'w2', T + 10, T);
    assert.equal(r1.length + r2.length, 1);
    await s1.close();
    await s2.close();
  });

  test('four processes claiming concurrently never share an entry', async () => {
    const path = join(dir, 'race.db');
    const s = await openSqliteStore({ path });
    const entries = await s.add(Array.from({ length: 120 }, (_, i) => ({ body: body({ name: `r${i}` }) })), T);
    await s.close();
    const { path: script, remove } = await bundleFixture('claim-proc');
    after(remove);
    const run = (owner: string) =>
      new Promise<string[]>((resolve, reject) => {
        const p = spawn(process.execPath, [script, path, owner], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.on('error', reject);
        p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`exit ${code}`))));
      });
    const results = await Promise.all(['p1', 'p2', 'p3', 'p4'].map(run));
    const all = results.flat();
    assert.equal(all.length, entries.length, 'every entry claimed');
    assert.equal(new Set(all).size, all.length, 'no entry claimed twice');
    const s2 = await openSqliteStore({ path });
    const listed = await s2.list();
    assert.ok(listed.every((e) => e.state === 'submitting' && e.attempts === 1));
    await s2.close();
  });
});

describe('PgStore specifics', { skip: PG_SKIP }, () => {
  test('migrations: versioned, idempotent, data survives reopen, newer schema refused', async () => {
    const url = await freshPgDatabase();
    const s1 = await openPgStore({ url });
    const [a] = await s1.add([{ body: body({ name: 'keep' }) }], T);
    assert.equal(await s1.migrate(), PG_MIGRATIONS.length);
    await s1.close();
    const s2 = await openPgStore({ url });
    assert.equal((await s2.get(a!.id))?.body.name, 'keep');
    await s2.close();
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    await raw.query('UPDATE autodl_queue_schema SET version = $1', [PG_MIGRATIONS.length + 1]);
    await raw.end();
    await assert.rejects(openPgStore({ url }), (e: unknown) => e instanceof AutodlError && e.errorType === 'config_error' && /newer/.test(e.message));
  });

  test('four stores opened at once migrate once; claiming concurrently never share an entry', async () => {
    const url = await freshPgDatabase();
    const stores = await Promise.all([1, 2, 3, 4].map(() => openPgStore({ url })));
    const entries = await stores[0]!.add(Array.from({ length: 120 }, (_, i) => ({ body: body({ name: `r${i}` }) })), T);
    const ids = entries.map((e) => e.id);
    // every store tries every entry, in its own order, all at once
    const results = await Promise.all(
      stores.map(async (s, k) => {
        const order = k % 2 === 0 ? ids : [...ids].reverse();
        const got: string[] = [];
        for (let i = 0; i < order.length; i += 10) got.push(...(await s.claim(order.slice(i, i + 10), `w${k}`, T + 1000, T)).map((e) => e.id));
        return got;
      }),
    );
    const all = results.flat();
    assert.equal(all.length, ids.length, 'every entry claimed');
    assert.equal(new Set(all).size, all.length, 'no entry claimed twice');
    const listed = await stores[0]!.list();
    assert.ok(listed.every((e) => e.state === 'submitting' && e.attempts === 1));
    for (const e of listed.slice(0, 5)) assert.equal((await stores[0]!.history(e.id)).filter((h) => h.to_state === 'submitting').length, 1);
    await Promise.all(stores.map((s) => s.close()));
  });

  test('add: statements per batch, not per entry (issue 14, §6)', async () => {
    const s = await openPgStore({ url: await freshPgDatabase() });
    // count what the store sends on the connections it takes from its pool
    const pool = (s as unknown as { pool: pg.Pool }).pool;
    let statements = 0;
    const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
    (pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
      const c = await connect();
      const query = c.query.bind(c) as (...a: unknown[]) => unknown;
      (c as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
        statements++;
        return query(...a);
      };
      return c;
    };
    const added = await s.add(Array.from({ length: 10_000 }, (_, i) => ({ body: body({ name: `n${i}` }) })), T);
    assert.equal(added.length, 10_000);
    // BEGIN, then an entries INSERT and a history INSERT per batch of 5000, COMMIT (no id drawn twice)
    assert.equal(statements, 6);
    await s.close();
  });

  test('the URL password is never shown: path, errors', async () => {
    const u = new URL(PG_URL!);
    assert.ok(u.password, 'the test URL has a password');
    const url = await freshPgDatabase();
    const s = await openPgStore({ url });
    assert.ok(!s.path.includes(u.password));
    assert.equal(s.path, redactPostgresUrl(url));
    assert.match(s.path, /:\*\*\*@/);
    await s.close();
    const wrong = new URL(url);
    wrong.password = 'wrong-password-9876';
    await assert.rejects(openPgStore({ url: wrong.toString() }), (e: unknown) => {
      assert.ok(e instanceof AutodlError && e.errorType === 'config_error', String(e));
      assert.ok(!JSON.stringify({ m: e.message, d: e.details }).includes('wrong-password-9876'), e.message);
      return true;
    });
  });

  test('the database never holds a secret handed to the store', async () => {
    const url = await freshPgDatabase();
    const s = await openPgStore({ url });
    const [a] = await s.add([{ body: body() }], T);
    await s.claim([a!.id], 'w', T + 1, T);
    await s.transition(a!.id, 'failed', { from: 'submitting', now: T, note: 'token: tok-SECRET-9999', set: { last_error: 'Authorization: tok-SECRET-9999' } });
    await s.close();
    const text = await dumpPgDatabase(url);
    assert.ok(text.includes(a!.id), 'sanity: the dump has the entry');
    assert.ok(!text.includes('tok-SECRET-9999'));
  });
});
