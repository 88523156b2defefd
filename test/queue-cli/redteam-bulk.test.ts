// Red team of the bulk actions (issue 15 §3): stop / delete / queue cancel / retry / history
// against a hostile server and hostile arguments. Each test is an attack; it asserts that the
// wrong thing is not acted on, that the output keeps its shape (JSON on stdout, no stack
// trace) and that every target gets its result.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { childEnv, deploymentConfig, hasScript, json, onTerminal, runCli, spawnCli, collect, waitFor, writeConfig, type RunResult } from '../cli/helpers.js';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { join } from 'node:path';
import { actOnEach, MAX_CONCURRENCY, MAX_LISTED } from '../../src/ops/bulk.js';
import { recordingServer, type Recorded } from '../cli/hostile.js';
import { queueCliHarness } from './harness.js';
import { AutodlError, exitCodeFor } from '../../src/errors.js';
import { openQueueStore } from '../../src/queue/open.js';
import { body as fakeBody } from '../queue/fake-api.js';
import { freshPgDatabase, PG_SKIP } from '../queue/pg-helpers.js';

const h = queueCliHarness('autodl-redbulk-');

interface Result {
  target: string;
  name?: string;
  outcome: 'done' | 'skipped' | 'failed';
  reason?: string;
  error_type?: string;
}
interface Summary {
  status: string;
  total: number;
  done: number;
  skipped: number;
  failed: number;
  results: Result[];
}

const TOKEN = 'redteam-bulk-token-0123456789';
const CONFIG = exitCodeFor('config_error');
const NO_STACK = /\n\s+at .+:\d+:\d+\)?/;

function reply(res: ServerResponse, data: unknown, code = 'Success', msg = ''): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code, msg, data }));
}
function page(list: unknown[], index = 1, maxPage = 1): unknown {
  return { list, page_index: index, page_size: 100, offset: 0, max_page: maxPage, result_total: list.length };
}
const dep = (uuid: string, name: string, status = 'running') => ({ id: 1, uid: 1, uuid, name, deployment_type: 'Container', status });
const bodyOf = (r: Recorded): Record<string, unknown> => (r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {});
const isList = (r: Recorded) => r.url.includes('/deployment/list');
const acted = (reqs: Recorded[]) => reqs.filter((r) => r.url.includes('/deployment/operate') || (r.method === 'DELETE' && /\/deployment(\?|$)/.test(r.url))).map((r) => String(bodyOf(r).deployment_uuid));
const hostEnv = (url: string) => ({ AUTODL_HOST: url, AUTODL_TOKEN: TOKEN });

function noStack(r: RunResult): void {
  assert.doesNotMatch(r.stdout + r.stderr, NO_STACK, r.stdout + r.stderr);
}

describe('selecting the wrong thing', () => {
  test("--name-prefix '' is refused (an empty prefix would match every deployment, i.e. --all by accident)", async () => {
    const srv = await recordingServer((r, res) => reply(res, isList(r) ? page([dep('u-a', 'prod-a'), dep('u-b', 'prod-b')]) : null));
    try {
      for (const prefix of ['', ' ']) {
        const r = await runCli(['stop', '--name-prefix', prefix, '--yes', '--json'], { env: hostEnv(srv.url) });
        noStack(r);
        assert.equal(r.code, CONFIG, r.stdout + r.stderr);
        assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
      }
      assert.deepEqual(acted(srv.requests), []);
    } finally {
      await srv.close();
    }
  });

  test('malformed list items (null, numbers, a name that is not a string): no stack trace; only the well-formed match is acted on', async () => {
    const list = [null, 42, 'x', [], { uuid: 7, name: null, status: 'running' }, { name: 'exp-nouuid', status: 'running' }, dep('u-1', 'exp-1')];
    const srv = await recordingServer((r, res) => reply(res, isList(r) ? page(list) : null));
    try {
      const r = await runCli(['stop', '--name-prefix', 'exp', '--yes', '--json'], { env: hostEnv(srv.url) });
      noStack(r);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const s = json<Summary>(r);
      assert.deepEqual(s.results.map((x) => [x.target, x.outcome]), [['u-1', 'done']]);
      assert.deepEqual(acted(srv.requests), ['u-1']);
    } finally {
      await srv.close();
    }
  });

  test('a page repeated by a lying server and a list that changes after the listing: each listed uuid acted on once, nothing unlisted', async () => {
    let lists = 0;
    const srv = await recordingServer((r, res) => {
      if (!isList(r)) return reply(res, null);
      lists++;
      const b = bodyOf(r);
      const index = Number(b.page_index ?? 1);
      // the first walk: three pages, each the same two deployments; afterwards a new one matches
      if (lists <= 3) return reply(res, page([dep('u-1', 'exp-1'), dep('u-2', 'exp-2')], index, 3));
      return reply(res, page([dep('u-1', 'exp-1'), dep('u-2', 'exp-2'), dep('u-late', 'exp-late')], index, 1));
    });
    try {
      const r = await runCli(['delete', '--name-prefix', 'exp-', '--yes', '--json'], { env: hostEnv(srv.url) });
      noStack(r);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const s = json<Summary>(r);
      assert.deepEqual(s.results.map((x) => x.target), ['u-1', 'u-2']);
      assert.deepEqual(acted(srv.requests).sort(), ['u-1', 'u-2']);
    } finally {
      await srv.close();
    }
  });

  test('a server ignoring --status: a stopped or other-status deployment it lists is not touched; look-alike names do not match', async () => {
    const list = [dep('u-run', 'exp-1', 'running'), dep('u-stop', 'exp-2', 'stopped'), dep('u-cyr', '\u0435xp-3', 'running'), dep('u-zw', '\u200bexp-4', 'running'), dep('u-full', 'ｅxp-5', 'running')];
    const srv = await recordingServer((r, res) => reply(res, isList(r) ? page(list) : null));
    try {
      const r = await runCli(['delete', '--name-prefix', 'exp', '--status', 'running', '--yes', '--json'], { env: hostEnv(srv.url) });
      noStack(r);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.deepEqual(acted(srv.requests), ['u-run']);
    } finally {
      await srv.close();
    }
  });

  test('--all with another selector narrows (AND), never widens; a selector matching nothing acts on nothing', async () => {
    const srv = await recordingServer((r, res) => reply(res, isList(r) ? page([dep('u-a', 'keep-a'), dep('u-b', 'exp-b')]) : null));
    try {
      const r = await runCli(['stop', '--all', '--name-prefix', 'exp-', '--yes', '--json'], { env: hostEnv(srv.url) });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.deepEqual(acted(srv.requests), ['u-b']);
      srv.requests.length = 0;
      const none = await runCli(['stop', '--name-prefix', 'nomatch-', '--yes', '--json'], { env: hostEnv(srv.url) });
      assert.equal(none.code, 0, none.stdout + none.stderr);
      assert.equal(json<Summary>(none).total, 0);
      assert.deepEqual(acted(srv.requests), []);
    } finally {
      await srv.close();
    }
  });

  test('duplicate references (the same uuid, its name) act once; a reference that prefixes several is not resolved to any', async () => {
    const list = [dep('u-abc-1', 'exp-1'), dep('u-abc-2', 'exp-2')];
    const srv = await recordingServer((r, res) => {
      if (!isList(r)) return reply(res, null);
      const b = bodyOf(r);
      const hit = list.filter((d) => (b.deployment_uuid === undefined || d.uuid === b.deployment_uuid) && (b.name === undefined || d.name === b.name));
      reply(res, page(hit));
    });
    try {
      const r = await runCli(['stop', 'u-abc-1', 'u-abc-1', 'exp-1', 'u-abc', '--yes', '--json'], { env: hostEnv(srv.url) });
      noStack(r);
      const s = json<Summary>(r);
      assert.deepEqual(s.results.map((x) => [x.target, x.outcome]), [['u-abc-1', 'done'], ['u-abc', 'failed']]);
      assert.deepEqual(acted(srv.requests), ['u-abc-1']);
      assert.equal(r.code, 3);
    } finally {
      await srv.close();
    }
  });
});

describe('confirmation', () => {
  test('a selector without --yes and without a terminal is refused even when it matches one deployment (the count is the server\'s say)', async () => {
    const srv = await recordingServer((r, res) => reply(res, isList(r) ? page([dep('u-only', 'prod-only')]) : null));
    try {
      for (const args of [['delete', '--all'], ['stop', '--name-prefix', 'prod']]) {
        const r = await runCli([...args, '--json'], { env: hostEnv(srv.url) });
        noStack(r);
        assert.equal(r.code, CONFIG, r.stdout + r.stderr);
        assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
      }
      assert.deepEqual(acted(srv.requests), []);
    } finally {
      await srv.close();
    }
  });
});

describe('hostile replies while acting', () => {
  test('every stop refused with a hostile message / 500: a failure per target, escaped on one line, exit non-zero, no stack trace', async () => {
    const list = [dep('u-1', 'exp-1'), dep('u-2', 'exp-2'), dep('u-3', 'exp-3')];
    const srv = await recordingServer((r, res) => {
      if (isList(r)) return reply(res, page(list));
      const u = String(bodyOf(r).deployment_uuid);
      if (u === 'u-1') return reply(res, null, 'Refused', 'no\x1b]0;pwn\x07\nFAKE-ROW done');
      if (u === 'u-2') {
        res.writeHead(500, { 'content-type': 'text/html' });
        return res.end('<html>\x1b[2J boom</html>');
      }
      reply(res, null);
    });
    try {
      const r = await runCli(['stop', '--name-prefix', 'exp', '--yes', '--no-json'], { env: { ...hostEnv(srv.url), AUTODL_RETRIES: '0' } });
      noStack(r);
      assert.notEqual(r.code, 0);
      const out = r.stdout + r.stderr;
      assert.doesNotMatch(out, /\x1b\]|\x1b\[2J/);
      assert.doesNotMatch(out, /^FAKE-ROW/m);
      const j = json<Summary>(await runCli(['stop', '--name-prefix', 'exp', '--yes', '--json'], { env: { ...hostEnv(srv.url), AUTODL_RETRIES: '0' } }));
      assert.deepEqual(j.results.map((x) => x.outcome), ['failed', 'failed', 'done']);
    } finally {
      await srv.close();
    }
  });

  test('Ctrl-C while acting: the ones already done are reported, the rest not started, exit 130', async () => {
    const list = Array.from({ length: 12 }, (_, i) => dep(`u-${i}`, `exp-${i}`));
    let stops = 0;
    const srv = await recordingServer((r, res) => {
      if (isList(r)) return reply(res, page(list));
      stops++;
      setTimeout(() => reply(res, null), 400);
    });
    try {
      const child = spawnCli(['stop', '--name-prefix', 'exp', '--yes', '--json'], { env: hostEnv(srv.url) });
      const done = collect(child, 'keep-open');
      child.stdin!.end();
      // wait until the first acts are in flight
      for (let i = 0; i < 200 && stops === 0; i++) await new Promise((res) => setTimeout(res, 25));
      assert.ok(stops > 0, 'acting started');
      child.kill('SIGINT');
      const r = await done;
      noStack(r);
      assert.equal(r.code, 130, r.stdout + r.stderr);
      const s = json<Summary>(r);
      assert.equal(s.total, 12);
      assert.equal(s.status, 'partial');
      assert.equal((s as unknown as { interrupted?: boolean }).interrupted, true);
      assert.equal(s.results.length, 12);
      assert.ok(s.done >= 1 && s.done < 12, `done ${s.done}`);
      // every target reported as done was stopped on the server, and none reported not-done was sent after the interrupt
      assert.equal(acted(srv.requests).length, s.done);
      assert.ok(s.results.filter((x) => x.outcome === 'skipped').every((x) => x.error_type === undefined && /interrupt/i.test(x.reason ?? '')));
    } finally {
      await srv.close();
    }
  });
});

describe('queue', () => {
  test('queue history --limit hostile values: a config error, never a stack trace', async () => {
    const db = h.newDb();
    for (const v of ['0', '-1', 'abc', '1.5', 'Infinity', 'NaN', '']) {
      const r = await runCli(['queue', 'history', '--limit', v, '--db', db, '--json'], { sim: h.sim });
      noStack(r);
      assert.equal(r.code, CONFIG, `--limit ${JSON.stringify(v)}: ${r.stdout}${r.stderr}`);
      assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
    }
    // whole numbers however written are taken, and bounded by the command (not an error, not a huge allocation)
    for (const v of ['1e3', '99999999999999999999999']) {
      const r = await runCli(['queue', 'history', '--limit', v, '--db', db, '--json'], { sim: h.sim });
      noStack(r);
      assert.equal(r.code, 0, `--limit ${v}: ${r.stdout}${r.stderr}`);
    }
  });

  test('queue cancel: one id written four ways acts once; a prefix of an id matches nothing (not_found, exit 3)', async () => {
    const db = h.newDb();
    const cfg = writeConfig('rt-dup.json', deploymentConfig('rt-dup', { tpl: { cmd: 'sleep 600' } }));
    const added = json<{ entries: Array<{ id: string }> }>(await runCli(['queue', 'add', cfg, cfg, '--allow-duplicate', '--db', db, '--json'], { sim: h.sim })).entries;
    const id = added[0]!.id;
    const r = await runCli(['queue', 'cancel', id, id.toUpperCase(), id.slice(2), ` ${id} `, id.slice(0, 4), '--yes', '--db', db, '--json'], { sim: h.sim });
    noStack(r);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const s = json<Summary>(r);
    assert.deepEqual(s.results.map((x) => [x.target, x.outcome]), [[id, 'done'], [id.slice(0, 4), 'failed']]);
    const ls = json<{ entries: Array<{ id: string; state: string }> }>(await runCli(['queue', 'ls', '--all', '--db', db, '--json'], { sim: h.sim }));
    assert.deepEqual(Object.fromEntries(ls.entries.map((e) => [e.id, e.state])), { [id]: 'cancelled', [added[1]!.id]: 'pending' });
  });

  test("queue cancel --name-prefix '' is refused (not every open entry)", async () => {
    const db = h.newDb();
    const cfg = writeConfig('rt-a.json', deploymentConfig('rt-a', { tpl: { cmd: 'sleep 600' } }));
    assert.equal((await runCli(['queue', 'add', cfg, '--db', db, '--json'], { sim: h.sim })).code, 0);
    const r = await runCli(['queue', 'cancel', '--name-prefix', '', '--yes', '--db', db, '--json'], { sim: h.sim });
    noStack(r);
    assert.equal(r.code, CONFIG, r.stdout + r.stderr);
    const ls = json<{ entries: Array<{ state: string }> }>(await runCli(['queue', 'ls', '--all', '--db', db, '--json'], { sim: h.sim }));
    assert.deepEqual(ls.entries.map((e) => e.state), ['pending']);
  });
});


describe('confirmation on a terminal', { skip: !hasScript && 'util-linux script is not installed' }, () => {
  const two = async (db: string, label: string): Promise<void> => {
    for (const n of ['a', 'b']) {
      const cfg = writeConfig(`${label}-${n}.json`, deploymentConfig(`${label}-${n}`, { tpl: { cmd: 'sleep 600' } }));
      assert.equal((await runCli(['queue', 'add', cfg, '--label', label, '--db', db, '--json'], { sim: h.sim })).code, 0);
    }
  };
  const states = async (db: string): Promise<string[]> =>
    json<{ entries: Array<{ state: string }> }>(await runCli(['queue', 'ls', '--all', '--db', db, '--json'], { sim: h.sim })).entries.map((e) => e.state);

  test('--json with stdout to a file: the prompt goes to the terminal, the file holds exactly the one JSON summary', { timeout: 60_000 }, async () => {
    const db = h.newDb();
    await two(db, 'rtj');
    const out = join(db, '..', 'out.json');
    const child = onTerminal(['queue', 'cancel', '--label', 'rtj', '--db', db, '--json'], childEnv({ sim: h.sim }), { stdoutTo: out });
    const done = collect(child, 'keep-open');
    await waitFor(child, 'stdout', '[y/N]');
    child.stdin!.end('y\r');
    const r = await done;
    assert.equal(r.code, 0, r.stdout);
    const s = JSON.parse(readFileSync(out, 'utf8')) as Summary;
    assert.equal(s.done, 2);
    assert.deepEqual(await states(db), ['cancelled', 'cancelled']);
  });

  test('EOF (Ctrl-D) at the prompt means no; Ctrl-C at the prompt: exit 130, nothing done, no stack trace', { timeout: 60_000 }, async () => {
    const db = h.newDb();
    await two(db, 'rte');
    for (const [key, code] of [['\x04', 0], ['\x03', 130]] as const) {
      const child = onTerminal(['queue', 'cancel', '--label', 'rte', '--db', db, '--no-json'], childEnv({ sim: h.sim }));
      const done = collect(child, 'keep-open');
      await waitFor(child, 'stdout', '[y/N]');
      child.stdin!.write(key);
      const r = await done;
      noStack(r);
      assert.equal(r.code, code, JSON.stringify(key) + r.stdout);
      assert.deepEqual(await states(db), ['pending', 'pending']);
    }
  });
});

describe('10,000 targets', () => {
  test('each acted on once, never more than MAX_CONCURRENCY at once, whatever concurrency is asked; results in order', async () => {
    const targets = Array.from({ length: 10_000 }, (_, i) => `t-${i}`);
    for (const concurrency of [1e9, Infinity, NaN, -5, 0, 3]) {
      let inFlight = 0;
      let peak = 0;
      const seen = new Map<string, number>();
      const results = await actOnEach(targets, (t) => ({ target: t }), async (t) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        seen.set(t, (seen.get(t) ?? 0) + 1);
        await new Promise((res) => setImmediate(res));
        inFlight--;
        if (t.endsWith('7')) throw new Error(`boom\x1b[2J ${t}`);
        return { outcome: 'done' };
      }, { concurrency });
      assert.ok(peak <= MAX_CONCURRENCY && peak >= 1, `concurrency ${concurrency}: peak ${peak}`);
      assert.equal(seen.size, 10_000);
      assert.ok([...seen.values()].every((n) => n === 1));
      assert.deepEqual(results.map((r) => r.target), targets);
      assert.equal(results.filter((r) => r.outcome === 'failed').length, 1000);
    }
  });

  test('an aborted signal: nothing more is started, every target still has its result', async () => {
    const ac = new AbortController();
    let started = 0;
    const targets = Array.from({ length: 10_000 }, (_, i) => `t-${i}`);
    const results = await actOnEach(targets, (t) => ({ target: t }), async () => {
      started++;
      if (started === 50) ac.abort();
      await new Promise((res) => setImmediate(res));
      return { outcome: 'done' };
    }, { concurrency: 4, signal: ac.signal, interruptedReason: 'interrupted' });
    assert.equal(results.length, 10_000);
    assert.ok(started >= 50 && started < 60, `started ${started}`);
    assert.equal(results.filter((r) => r.outcome === 'done').length, started);
    assert.equal(results.filter((r) => r.outcome === 'skipped' && r.reason === 'interrupted').length, 10_000 - started);
  });
});

describe('queue prune against a concurrent add --after (SQLite file, PostgreSQL)', () => {
  const kinds: Array<[string, () => Promise<string>, string | false]> = [
    ['sqlite', async () => h.newDb(), false],
    ['postgres', async () => freshPgDatabase(), PG_SKIP],
  ];
  for (const [kind, location, skip] of kinds) {
    test(`${kind}: the entry --after names is pruned between resolving it and the add: the add is refused, no entry left needing a gone one`, { skip }, async () => {
      const loc = await location();
      const a = await openQueueStore(loc);
      const b = await openQueueStore(loc);
      try {
        const [x] = await a.add([{ body: fakeBody({ name: 'rt-dep' }) }], 1_000);
        await a.cancel(x!.id, 1_000);
        // `queue add --after x` (process b) resolves x: it is there
        assert.ok(await b.get(x!.id));
        // `queue prune --older-than …` (process a) runs now: nothing open needs x yet
        const pruned = await a.prune(2_000);
        assert.deepEqual(pruned.removed.map((e) => e.id), [x!.id]);
        // then b's add lands: it must not leave an entry that can only fail with dependency_missing
        await assert.rejects(b.add([{ body: fakeBody({ name: 'rt-next' }), policy: { after: [x!.id] } }], 3_000), (e: unknown) => e instanceof AutodlError && e.errorType === 'validation_error');
        assert.deepEqual((await b.list({})).map((e) => e.body.name), []);
        // the other order: the add first, then prune keeps what it needs
        const [y] = await a.add([{ body: fakeBody({ name: 'rt-dep2' }) }], 4_000);
        await a.cancel(y!.id, 4_000);
        await b.add([{ body: fakeBody({ name: 'rt-next2' }), policy: { after: [y!.id] } }], 5_000);
        const kept = await a.prune(6_000);
        assert.deepEqual(kept.removed, []);
        assert.deepEqual(kept.kept.map((k) => [k.entry.id, k.reason]), [[y!.id, 'needed_by']]);
      } finally {
        await a.close();
        await b.close();
      }
    });
  }
});

describe('queue cancel against a worker claiming meanwhile (PostgreSQL)', () => {
  test('an entry planned as pending but claimed by a worker before the cancel lands: skipped with the reason, never reported cancelled; the worker keeps it', { skip: PG_SKIP, timeout: 60_000 }, async () => {
    const url = await freshPgDatabase();
    const s = await openQueueStore(url);
    const [a, b] = await s.add([{ body: fakeBody({ name: 'rt-race-a' }) }, { body: fakeBody({ name: 'rt-race-b' }) }], Date.now());
    await s.close();
    const worker = new pg.Client({ connectionString: url });
    await worker.connect();
    try {
      // the "worker" holds entry a's row: the CLI plans (a plain read), then its cancel of a waits on the lock
      await worker.query('BEGIN');
      await worker.query('SELECT id FROM autodl_queue_entries WHERE id = $1 FOR UPDATE', [a!.id]);
      const child = spawnCli(['queue', 'cancel', '--all', '--yes', '--json'], { sim: h.sim, env: { AUTODL_QUEUE_DB: url } });
      const done = collect(child);
      let waiting = 0;
      for (let i = 0; i < 400 && waiting === 0; i++) {
        await new Promise((res) => setTimeout(res, 50));
        // pg_stat_activity is snapshotted once per transaction: cleared to see the CLI's session now
        await worker.query('SELECT pg_stat_clear_snapshot()');
        waiting = Number((await worker.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")).rows[0]!.n);
      }
      if (waiting === 0) {
        await worker.query('ROLLBACK');
        const r = await done;
        assert.fail(`the cancel of a never waited on the claimed row: ${r.stdout}${r.stderr}`);
      }
      // the claim lands (pending → submitting), then the cancel goes on
      await worker.query("UPDATE autodl_queue_entries SET state = 'submitting', owner = 'w-red' WHERE id = $1", [a!.id]);
      await worker.query('COMMIT');
      const r = await done;
      noStack(r);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const sum = json<Summary>(r);
      const byId = new Map(sum.results.map((x) => [x.target, x]));
      assert.equal(byId.get(a!.id)?.outcome, 'skipped', r.stdout);
      assert.equal(byId.get(b!.id)?.outcome, 'done', r.stdout);
      const states = (await worker.query<{ id: string; state: string }>('SELECT id, state FROM autodl_queue_entries ORDER BY id')).rows;
      assert.deepEqual(Object.fromEntries(states.map((x) => [x.id, x.state])), { [a!.id]: 'submitting', [b!.id]: 'cancelled' });
    } finally {
      await worker.end();
    }
  });
});

describe('a server that hangs on one target', () => {
  test('the hung one fails on the request timeout (bounded), the others are done, exit 3, no stack trace', { timeout: 120_000 }, async () => {
    const list = [dep('u-1', 'exp-1'), dep('u-hang', 'exp-hang'), dep('u-3', 'exp-3')];
    const srv = await recordingServer((r, res) => {
      if (isList(r)) return reply(res, page(list));
      if (String(bodyOf(r).deployment_uuid) === 'u-hang') return; // never answers
      reply(res, null);
    });
    try {
      const r = await runCli(['stop', '--name-prefix', 'exp', '--yes', '--json'], { env: hostEnv(srv.url) });
      noStack(r);
      const s = json<Summary>(r);
      // a request timeout is an api_error (the SDK's contract: it may have applied)
      assert.deepEqual(s.results.map((x) => [x.target, x.outcome, x.error_type]), [['u-1', 'done', undefined], ['u-hang', 'failed', 'api_error'], ['u-3', 'done', undefined]]);
      assert.match(s.results[1]!.reason ?? '', /may have been applied/);
      // and says so as data, as the one-target error does (details.may_have_applied)
      assert.equal((s.results[1] as Result & { may_have_applied?: boolean }).may_have_applied, true);
      assert.equal((s.results[0] as Result & { may_have_applied?: boolean }).may_have_applied, undefined);
      assert.equal(r.code, exitCodeFor('api_error'));
    } finally {
      await srv.close();
    }
  });
});

describe('a server whose list never ends', () => {
  test('stop --all against pages of fresh deployments forever: refused after a bounded listing, nothing sent, no stack trace', { timeout: 120_000 }, async () => {
    let lists = 0;
    const srv = await recordingServer((r, res) => {
      if (!isList(r)) return reply(res, null);
      lists++;
      const index = Number(bodyOf(r).page_index ?? 1);
      const size = Number(bodyOf(r).page_size ?? 100);
      reply(res, { list: Array.from({ length: size }, (_, i) => dep(`u-${index}-${i}`, `n-${index}-${i}`)), page_index: index, page_size: size, offset: 0, max_page: 100_000, result_total: 10_000_000 });
    });
    try {
      const r = await runCli(['stop', '--all', '--yes', '--json'], { env: hostEnv(srv.url) });
      noStack(r);
      assert.equal(r.code, exitCodeFor('api_error'), r.stderr);
      const e = json<{ error_type: string; details: { max?: number } }>(r);
      assert.equal(e.error_type, 'api_error');
      assert.equal(e.details.max, MAX_LISTED);
      assert.deepEqual(acted(srv.requests), []);
      assert.ok(lists <= MAX_LISTED / 100 + 2, `${lists} pages read`);
    } finally {
      await srv.close();
    }
  });
});
