// Issue 11 §1 at the engine level (the end-to-end runs are in test/queue-cli/duplicates.test.ts):
// the send time recorded before a create and honoured on reconcile, leases on the store's
// clock, unique default worker ids, and following that does not take "missing from one
// list" for "gone".
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  clockOffset,
  defaultWorkerId,
  MemoryStore,
  MIGRATIONS,
  movePatch,
  openPgStore,
  openSqliteStore,
  runWorker,
  SETTLE_OWNER,
} from '../../src/queue/index.js';
import type { Deployment } from '../../src/api/types.js';
import type { QueueEvent } from '../../src/queue/index.js';
import { FakeApi, body, manualClock } from './fake-api.js';
import { dropPgDatabases, freshPgDatabase, PG_SKIP } from './pg-helpers.js';

after(() => dropPgDatabases());

const stock = (n: number) => ({ 'RTX 4090': { idle: n, total: 100 } });

test('the send time is written before the create goes out', async () => {
  const api = new FakeApi(stock(8));
  const clock = manualClock();
  const store = new MemoryStore();
  const [a] = await store.add([{ body: body({ name: 'a' }) }], clock.now());
  const create = api.deployments.create;
  let seen: number | null | undefined;
  api.deployments.create = async (b) => {
    seen = (await store.get(a!.id))!.sent_at;
    return create(b);
  };
  await runWorker({ store, api, workerId: 'w', intervalMs: 1000, once: true, now: clock.now, sleep: clock.sleep, follow: false });
  assert.equal(seen, clock.now(), 'sent_at was in the store when the create was sent');
  assert.equal((await store.get(a!.id))!.state, 'submitted');
});

test('restart with the same id while a create is in flight: held for the settle window since the send, then found, never created again', async () => {
  const api = new FakeApi(stock(8));
  const clock = manualClock();
  const store = new MemoryStore();
  const [a, b] = await store.add([{ body: body({ name: 'a' }) }, { body: body({ name: 'b' }) }], clock.now());
  // the killed incarnation of w1 claimed both; a's create was sent 1.5 s ago and is still
  // being applied; b was claimed but nothing was sent
  await store.claim([a!.id, b!.id], 'w1', clock.now() + 300_000, clock.now());
  await store.transition(a!.id, 'submitting', { from: 'submitting', owner: 'w1', now: clock.now(), set: { sent_at: clock.now() } });
  clock.advance(1500);
  const events: QueueEvent[] = [];
  const opts = { store, api, workerId: 'w1', intervalMs: 1000, now: clock.now, sleep: async () => {}, follow: false, settleMs: 90_000, onEvent: (e: QueueEvent) => events.push(e) };
  await runWorker({ ...opts, once: true });
  const held = (await store.get(a!.id))!;
  assert.equal(held.state, 'submitting');
  assert.equal(held.lease_owner, SETTLE_OWNER);
  assert.equal(held.lease_until, held.sent_at! + 90_000, 'held until the settle window has passed since the send');
  assert.equal(api.countByPrefix(a!.deployment_name), 0, 'a not created again while its create may still land');
  assert.equal(api.countByPrefix(b!.deployment_name), 1, 'b (never sent) was put back and created at once');
  // the in-flight create lands; the restarted worker keeps ticking through the window
  api.commit({ ...a!.body, name: a!.deployment_name });
  clock.advance(60_000);
  await runWorker({ ...opts, once: true });
  assert.equal((await store.get(a!.id))!.state, 'submitting', 'still held inside the window');
  clock.advance(30_000);
  await runWorker({ ...opts, drain: true });
  const done = (await store.get(a!.id))!;
  assert.equal(done.state, 'submitted');
  assert.equal(api.countByPrefix(a!.deployment_name), 1);
  assert.equal(api.createCalls.filter((c) => c.name === a!.deployment_name).length, 0, 'no create was sent for a after the restart');
  assert.ok(events.some((e) => e.type === 'found' && e.id === a!.id));
});

test('leaving submitting for pending clears the send time and the first miss', () => {
  assert.deepEqual(movePatch('submitting', 'pending', {}), { lease_owner: null, lease_until: null, sent_at: null, missing_since: null });
  assert.equal('sent_at' in movePatch('submitting', 'submitted', {}), false);
});

class ClockedStore extends MemoryStore {
  constructor(public dbNow: () => number) {
    super();
  }
  async clock(): Promise<number> {
    return this.dbNow();
  }
}

test('a worker whose clock runs 8 min ahead measures leases on the store clock: a live lease is left alone, and it warns', async () => {
  const api = new FakeApi(stock(8));
  const db = manualClock(); // the database's (true) clock
  const skewed = () => db.now() + 8 * 60_000;
  const store = new ClockedStore(db.now);
  const [a, b] = await store.add([{ body: body({ name: 'a' }) }, { body: body({ name: 'b' }) }], db.now());
  // worker A (true clock) holds a with a 5-minute lease; its create is in flight
  await store.claim([a!.id], 'A', db.now() + 300_000, db.now());
  await store.transition(a!.id, 'submitting', { from: 'submitting', owner: 'A', now: db.now(), set: { sent_at: db.now() } });
  const events: QueueEvent[] = [];
  await runWorker({ store, api, workerId: 'B', intervalMs: 1000, once: true, now: skewed, clock: 'database', follow: false, onEvent: (e) => events.push(e) });
  const ea = (await store.get(a!.id))!;
  assert.equal(ea.lease_owner, 'A', "A's live lease was not taken");
  assert.equal(api.countByPrefix(a!.deployment_name), 0);
  const eb = (await store.get(b!.id))!;
  assert.equal(eb.state, 'submitted');
  const claimB = (await store.history(b!.id)).find((h) => h.note?.startsWith('claimed by B'))!;
  assert.equal(claimB.ts, db.now(), "B's claim is dated on the database's clock");
  const warn = events.find((e) => e.type === 'clock');
  assert.ok(warn && warn.type === 'clock' && warn.offset_ms === 8 * 60_000, JSON.stringify(warn));
  // on the local clock (the old behaviour) the same worker would have taken the lease
  const local = new ClockedStore(db.now);
  const [c] = await local.add([{ body: body({ name: 'c' }) }], db.now());
  await local.claim([c!.id], 'A', db.now() + 300_000, db.now());
  await runWorker({ store: local, api, workerId: 'B', intervalMs: 1000, once: true, now: skewed, clock: 'local', follow: false });
  assert.equal((await local.get(c!.id))!.lease_owner === 'A', false, 'the local clock takes the lease (why the database clock is the default)');
});

test('clockOffset reads the store clock; SQLite and PostgreSQL clocks are the machine clock', async (t) => {
  const clock = manualClock();
  assert.equal(await clockOffset(new ClockedStore(() => clock.now() - 5000), clock.now), -5000);
  assert.equal(await clockOffset(new MemoryStore(), clock.now), undefined, 'no clock, no offset');
  const s = await openSqliteStore({ path: ':memory:' });
  const before = Date.now();
  const got = await s.clock();
  const afterMs = Date.now();
  await s.close();
  // one machine, one clock: SQLite reads the same system time (to its millisecond rounding)
  assert.ok(got >= before - 1 && got <= afterMs + 1, `${before} ≤ ${got} ≤ ${afterMs}`);
  await t.test('postgres', { skip: PG_SKIP }, async () => {
    const p = await openPgStore({ url: await freshPgDatabase() });
    const b0 = Date.now();
    const g = await p.clock();
    const a0 = Date.now();
    await p.close();
    assert.ok(g >= b0 - 5 && g <= a0 + 5, `${b0} ≤ ${g} ≤ ${a0}`);
  });
});

test('default worker ids: unique per start even with the same host and pid', () => {
  const a = defaultWorkerId('box', 1);
  const b = defaultWorkerId('box', 1);
  assert.match(a, /^box-1-[0-9a-f]{8}$/);
  assert.notEqual(a, b);
});

test('a deployment missing from one list pass stays alive (limits hold), is confirmed by a uuid lookup, and is finished only after the grace since its first miss', async () => {
  const api = new FakeApi(stock(8));
  const clock = manualClock();
  const store = new MemoryStore();
  const [a, b] = await store.add([{ body: body({ name: 'a' }) }, { body: body({ name: 'b' }) }], clock.now());
  const opts = { store, api, workerId: 'w', intervalMs: 1000, once: true, now: clock.now, sleep: clock.sleep, limits: { maxRunning: 1 }, followGraceMs: 60_000 } as const;
  await runWorker(opts);
  const uuid = (await store.get(a!.id))!.deployment_uuid!;
  clock.advance(10 * 60_000); // submitted long ago: the old grace (from submitted_at) has passed
  // the unfiltered list misses a (shifted pages); a lookup by its uuid finds it
  const listAll = api.deployments.listAll;
  let hide = true;
  let gone = false;
  const lookups: string[] = [];
  api.deployments.listAll = async function* (filter, pageSize) {
    for await (const d of listAll(filter, pageSize) as AsyncIterable<Deployment>) {
      if (d.uuid !== uuid) {
        yield d;
        continue;
      }
      if (gone) continue;
      if (filter?.deployment_uuid === uuid) {
        lookups.push(uuid);
        yield d;
      } else if (!hide) yield d;
    }
  };
  await runWorker(opts);
  let ea = (await store.get(a!.id))!;
  assert.equal(ea.state, 'submitted', 'not finished on the first miss');
  assert.equal(ea.missing_since, clock.now());
  assert.equal((await store.get(b!.id))!.state, 'pending', 'a still counts against --max-running');
  assert.equal(lookups.length, 0, 'no lookup inside the grace');
  clock.advance(60_000);
  await runWorker(opts);
  ea = (await store.get(a!.id))!;
  assert.deepEqual(lookups, [uuid], 'past the grace: confirmed by a lookup of that very deployment');
  assert.equal(ea.state, 'submitted');
  assert.equal(ea.missing_since, null, 'found: the miss is forgotten');
  assert.equal((await store.get(b!.id))!.state, 'pending');
  // really gone now: first miss, grace, lookup finds nothing → finished, which frees the limit
  gone = true;
  await runWorker(opts);
  assert.equal((await store.get(a!.id))!.state, 'submitted');
  clock.advance(59_000);
  await runWorker(opts);
  assert.equal((await store.get(a!.id))!.state, 'submitted', 'grace counted from the first miss, not from submitted_at');
  clock.advance(1000);
  await runWorker(opts);
  assert.equal((await store.get(a!.id))!.state, 'finished');
  await runWorker(opts);
  assert.equal((await store.get(b!.id))!.state, 'submitted');
  hide = false;
});

test('a version-1 SQLite queue is upgraded in place: sent_at / missing_since added as null, its entries kept and workable', async () => {
  const d = mkdtempSync(join(tmpdir(), 'autodl-upgrade-'));
  try {
    const path = join(d, 'v1.db');
    const raw = new Database(path);
    raw.exec(MIGRATIONS[0]!);
    raw.pragma('user_version = 1');
    raw
      .prepare(
        `INSERT INTO entries (id, tag, label, body, deployment_name, priority, state, attempts, consecutive_failures, created_at, updated_at, lease_owner, lease_until)
         VALUES ('q-aaaaaaaa', 'aaaaaaaa', NULL, ?, 'old-qaaaaaaaa', 0, 'submitting', 1, 0, 1, 1, 'gone', 2)`,
      )
      .run(JSON.stringify(body({ name: 'old' })));
    raw.close();
    const store = await openSqliteStore({ path });
    assert.equal(store.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    const e = (await store.get('q-aaaaaaaa'))!;
    assert.equal(e.sent_at, null);
    assert.equal(e.missing_since, null);
    // an entry an older autodl left in submitting (no send time known) is reconciled as before
    const api = new FakeApi(stock(8));
    await runWorker({ store, api, workerId: 'new', intervalMs: 1000, drain: true, follow: false, sleep: async () => {} });
    assert.equal((await store.get('q-aaaaaaaa'))!.state, 'submitted');
    assert.equal(api.countByPrefix('old-qaaaaaaaa'), 1);
    await store.close();
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
