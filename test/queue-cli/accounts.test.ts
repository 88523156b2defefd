// Issue 11, end to end with the real CLI against the simulator: one queue, several accounts
// (an entry records whose it is, a worker claims and follows only its own); queues that keep
// nothing (:memory: and the like) and damaged database files are refused by every command.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { accountFingerprint } from '../../src/queue/account.js';
import { assertTokenNeverPrinted, deploymentConfig, ensureBuilt, json, runCli, startSim, TEST_TOKEN, writeConfig, type RunResult, type SimHandle } from '../cli/helpers.js';
import { dropPgDatabases, dumpPgDatabase, freshPgDatabase, PG_URL } from '../queue/pg-helpers.js';
import { hasStackTrace } from '../../reliability/lib.js';

const TOKEN_B = `cli-test-token-b-${randomBytes(12).toString('hex')}`;
let sim: SimHandle;
const dirs: string[] = [];

before(async () => {
  ensureBuilt();
  sim = await startSim({ tokens: [TEST_TOKEN, TOKEN_B] });
});

after(async () => {
  await dropPgDatabases();
  await sim.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  assertTokenNeverPrinted();
  assertTokenNeverPrinted(TOKEN_B);
});

beforeEach(() => {
  sim.world.reset();
  sim.faults.clear();
});

function newDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'autodl-accounts-'));
  dirs.push(d);
  return d;
}

const cfg = (name: string) => writeConfig(`${name}.json`, deploymentConfig(name, { tpl: { cmd: 'sleep 600' } }));

/** The CLI as tenant A (the default token), tenant B, or with no token at all. */
const as = (who: 'A' | 'B' | 'none', db: string, ...args: string[]): Promise<RunResult> =>
  runCli([...args, '--db', db, '--json'], { sim, env: { AUTODL_TOKEN: who === 'A' ? TEST_TOKEN : who === 'B' ? TOKEN_B : undefined } });

interface Entry {
  id: string;
  state: string;
  deployment_name: string;
  deployment_uuid: string | null;
  attempts: number;
  account: string | null;
}

async function ls(db: string): Promise<Map<string, Entry>> {
  const r = await as('none', db, 'queue', 'ls', '--all');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  // age_seconds moves on by itself: everything else must stay as it was
  return new Map(json<{ entries: Array<Entry & { age_seconds?: number }> }>(r).entries.map(({ age_seconds: _age, ...e }) => [e.id, e]));
}

async function add(who: 'A' | 'B' | 'none', db: string, name: string): Promise<Entry> {
  const r = await as(who, db, 'queue', 'add', cfg(name));
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return json<{ entries: Entry[] }>(r).entries[0]!;
}

const tenantDeployments = (token: string, name: string) => sim.world.listDeployments(sim.world.tenantFor(token)!, {}).filter((d) => d.name === name);

const backends: Array<[string, () => Promise<string>]> = [['SQLite', async () => join(newDir(), 'queue.db')]];
if (PG_URL) backends.push(['PostgreSQL', freshPgDatabase]);

describe('one queue, several accounts', () => {
  for (const [backend, makeDb] of backends) {
    test(`${backend}: B's worker never claims, follows or finishes A's entries; an entry of no account is adopted by its first claimer`, async () => {
      const db = await makeDb();
      const fpA = accountFingerprint(sim.url, TEST_TOKEN);
      const fpB = accountFingerprint(sim.url, TOKEN_B);
      const a1 = await add('A', db, 'acct-a1');
      assert.equal(a1.account, fpA, 'added with A\'s token: A\'s fingerprint');
      // A's worker creates a1; it runs
      assert.equal((await as('A', db, 'queue', 'run', '--once')).code, 0);
      sim.world.advance(20_000);
      assert.equal((await as('A', db, 'queue', 'run', '--once')).code, 0);
      assert.equal((await ls(db)).get(a1.id)!.state, 'running');
      const a2 = await add('A', db, 'acct-a2'); // pending: A has no worker running now
      const b1 = await add('B', db, 'acct-b1');
      const none = await add('none', db, 'acct-none');
      assert.equal(b1.account, fpB);
      assert.equal(none.account, null, 'no token at hand: no account yet');
      const before = await ls(db);
      // B's worker, twice, with more than the 60 s "no longer listed" grace in between
      for (let i = 0; i < 2; i++) {
        const r = await as('B', db, 'queue', 'run', '--once');
        assert.equal(r.code, 0, r.stderr + r.stdout);
        sim.world.advance(120_000);
      }
      const after = await ls(db);
      assert.equal(after.get(a1.id)!.state, 'running', "A's running entry untouched by B's worker");
      assert.deepEqual(after.get(a1.id), before.get(a1.id));
      assert.deepEqual(after.get(a2.id), before.get(a2.id), "A's pending entry not claimed by B's worker");
      assert.equal(tenantDeployments(TOKEN_B, a2.deployment_name).length, 0, "nothing of A's created with B's token");
      assert.equal(after.get(b1.id)!.state, 'running');
      assert.equal(tenantDeployments(TOKEN_B, b1.deployment_name).length, 1);
      assert.equal(after.get(none.id)!.account, fpB, 'adopted by the first worker that claimed it');
      assert.equal(tenantDeployments(TOKEN_B, none.deployment_name).length, 1);
      // A's worker then takes its pending entry and B's entries stay B's
      assert.equal((await as('A', db, 'queue', 'run', '--once')).code, 0);
      const last = await ls(db);
      assert.equal(last.get(a2.id)!.state, 'submitted');
      assert.equal(tenantDeployments(TEST_TOKEN, a2.deployment_name).length, 1);
      assert.deepEqual(last.get(b1.id), after.get(b1.id));
      // the stored fingerprint is never the token
      const dump = backend === 'SQLite' ? readFileSync(db).toString('latin1') + readWal(db) : await dumpPgDatabase(db);
      assert.ok(!dump.includes(TEST_TOKEN) && !dump.includes(TOKEN_B), 'a token reached the database');
      assert.ok(dump.includes(fpA) && dump.includes(fpB));
    });
  }

  test('queue ls shows whose each entry is (table: short fingerprint; JSON: account), queue show too', async () => {
    const db = join(newDir(), 'queue.db');
    const a = await add('A', db, 'acct-show-a');
    await add('none', db, 'acct-show-none');
    const r = await runCli(['queue', 'ls', '--db', db, '--no-json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /ACCOUNT/);
    const short = accountFingerprint(sim.url, TEST_TOKEN).slice(0, 8);
    assert.ok(lines.some((l) => l.includes('acct-show-a') && l.includes(short)), r.stdout);
    assert.ok(lines.some((l) => l.includes('acct-show-none') && / - /.test(l)), r.stdout);
    const show = await as('none', db, 'queue', 'show', a.id);
    assert.equal(json<{ entry: Entry }>(show).entry.account, accountFingerprint(sim.url, TEST_TOKEN));
  });
});

function readWal(db: string): string {
  try {
    return readFileSync(`${db}-wal`).toString('latin1');
  } catch {
    return '';
  }
}

function assertCleanConfigError(r: RunResult, what: string, pathShown?: string): void {
  assert.ok(!hasStackTrace(r.stdout) && !hasStackTrace(r.stderr), `${what}: stack trace\n${r.stderr}`);
  assert.equal(r.code, 1, `${what}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  const e = json<{ status: string; error_type: string; details: { path?: string } }>(r);
  assert.equal(e.status, 'error', what);
  assert.equal(e.error_type, 'config_error', what);
  if (pathShown !== undefined) assert.equal(e.details.path, pathShown, what);
}

/** Every command that opens the queue, as argument lists (the `--db`/env location is added by the caller). */
function queueCommands(): Array<[string, string[]]> {
  return [
    ['queue add', ['queue', 'add', cfg('mem-add')]],
    ['queue ls', ['queue', 'ls']],
    ['queue show', ['queue', 'show', 'q-00000000']],
    ['queue cancel', ['queue', 'cancel', 'q-00000000']],
    ['queue retry', ['queue', 'retry', 'q-00000000']],
    ['queue priority', ['queue', 'priority', 'q-00000000', '3']],
    ['queue run', ['queue', 'run', '--once']],
    ['sweep', ['sweep', cfg('mem-sweep-{{x}}'), '--param', 'x=1,2']],
    ['submit', ['submit', cfg('mem-submit'), '--interval', '0.05']],
  ];
}

describe('a queue that keeps nothing, a damaged queue file', () => {
  test(':memory:, file:…?mode=memory, other file: URIs and an empty value: config_error naming the value, from --db and AUTODL_QUEUE_DB; nothing created', async () => {
    const n = sim.world.allDeployments(true).length;
    for (const value of [':memory:', 'file:q?mode=memory', 'file:/tmp/x.db?vfs=memdb', 'file:queue.db']) {
      for (const [what, args] of queueCommands()) {
        const viaFlag = await runCli([...args, '--db', value, '--json'], { sim });
        assertCleanConfigError(viaFlag, `${what} --db ${value}`, value);
        assert.match(json<{ message: string }>(viaFlag).message, new RegExp(value.replace(/[?.*]/g, '\\$&')));
        const viaEnv = await runCli([...args, '--json'], { sim, env: { AUTODL_QUEUE_DB: value } });
        assertCleanConfigError(viaEnv, `${what} AUTODL_QUEUE_DB=${value}`, value);
      }
    }
    assert.equal(sim.world.allDeployments(true).length, n, 'nothing was created');
  });

  test('garbage, a truncated file and a page of garbage inside a valid file: every command fails cleanly (config_error) and add writes nothing', async () => {
    const dir = newDir();
    const good = join(dir, 'good.db');
    await add('A', good, 'first-of-many');
    for (let i = 0; i < 6; i++) {
      const r = await as('A', good, 'queue', 'add', ...Array.from({ length: 5 }, (_, k) => cfg(`later-${i}-${k}`)));
      assert.equal(r.code, 0, r.stderr);
    }
    const d = new Database(good);
    d.pragma('wal_checkpoint(TRUNCATE)');
    d.close();
    const bytes = readFileSync(good);
    // the leaf page holding the first entry (not the last page, where an insert would go)
    const page = Math.floor(bytes.indexOf('first-of-many') / 4096);
    assert.ok(page > 0 && (page + 1) * 4096 < bytes.length, `page ${page} of ${bytes.length / 4096}`);
    const inside = Buffer.from(bytes);
    inside.fill(0xa5, page * 4096, (page + 1) * 4096);
    const cases: Array<[string, Buffer]> = [
      ['garbage', Buffer.alloc(8192, 0x5a)],
      ['truncated', bytes.subarray(0, Math.floor(bytes.length / 2))],
      ['a page of garbage', inside],
    ];
    const n = sim.world.allDeployments(true).length;
    for (const [kind, content] of cases) {
      for (const [what, args] of queueCommands()) {
        const db = join(dir, `${kind.replace(/ /g, '-')}.db`);
        writeFileSync(db, content);
        const r = await runCli([...args, '--db', db, '--json'], { sim });
        assertCleanConfigError(r, `${what} on a ${kind} file`, db);
        assert.ok(readFileSync(db).equals(content), `${what} on a ${kind} file changed it`);
      }
    }
    assert.equal(sim.world.allDeployments(true).length, n, 'nothing was created');
    // the undamaged copy still works
    copyFileSync(good, join(dir, 'copy.db'));
    assert.equal((await ls(join(dir, 'copy.db'))).size, 31);
  });
});

