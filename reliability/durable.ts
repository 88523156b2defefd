// Section "durable" (issue 11) — queue durability and ownership, with the real CLI:
//  a. `autodl submit` killed with SIGKILL at a random instant around its create (the create
//     slowed by the simulator's `slow` fault, so the kill often lands while it is in flight),
//     then the same submit run again: exactly one deployment per submit, none lost — on a
//     SQLite queue file and, when AUTODL_TEST_PG_URL is set, on PostgreSQL;
//  b. two accounts on one queue (PostgreSQL when available, else SQLite): tenant B's worker
//     never claims, follows or finishes tenant A's entries;
//  c. queues that keep nothing (:memory: and the like) and damaged queue files (garbage,
//     truncated, a page of garbage): no command reports success.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startSimulator, type Simulator } from '../src/sim/index.js';
import { dropPgDatabases, freshPgDatabase, PG_URL } from '../test/queue/pg-helpers.js';
import { collectSecrets, jobBody, manyHosts } from './faults.js';
import { check, CLI, cleanEnv, newSection, notCleanError, report, rng, runCli, sleep, type ProcResult, type Section, type Suite } from './lib.js';

const CREATE = '/api/v1/dev/deployment';

/** A fresh PostgreSQL database for one scenario (dropped at the end), or undefined without AUTODL_TEST_PG_URL. */
async function pgDatabase(): Promise<string | undefined> {
  return PG_URL ? freshPgDatabase() : undefined;
}

function parse(r: ProcResult): Record<string, unknown> | undefined {
  try {
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

interface SubmitRounds {
  rounds: number;
  notOne: number;
  lost: number;
  resumed: number;
  foundEarlier: number;
  killedInFlight: number;
  completedBeforeKill: number;
  detail: string[];
}

/** a. kill -9 around the create, then the same submit again, `rounds` times on one queue location. */
async function interruptedSubmits(suite: Suite, sim: Simulator, token: string, db: string, label: string, rounds: number, seed: number): Promise<SubmitRounds> {
  const rand = rng(seed);
  const home = join(suite.work, `durable-home-${label}`);
  mkdirSync(home, { recursive: true });
  const env = cleanEnv({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local'), AUTODL_HOST: sim.url, AUTODL_TOKEN: token, AUTODL_QUEUE_DB: db });
  const out: SubmitRounds = { rounds, notOne: 0, lost: 0, resumed: 0, foundEarlier: 0, killedInFlight: 0, completedBeforeKill: 0, detail: [] };
  for (let round = 0; round < rounds; round++) {
    const name = `dur-${label}-${round}`;
    const file = join(suite.work, `${name}.json`);
    writeFileSync(file, JSON.stringify(jobBody(name, 'sleep 5')));
    const delay = 300 + Math.floor(rand() * 1200);
    sim.faults.add({ method: 'POST', path: CREATE, kind: 'slow', delay_ms: delay, count: 1 });
    const before = sim.stats.count('POST', CREATE);
    // kill: right after the create went out (+ a random part of its delay), or at a random instant after start
    const mode = rand() < 0.75 ? 'in-flight' : 'timer';
    // in flight: killed before the simulator applies the create (it does after `delay`)
    const extra = Math.floor(rand() * (mode === 'in-flight' ? Math.max(0, delay - 150) : 900));
    const child = spawn(process.execPath, [CLI, 'submit', file, '--json', '--interval', '0.05'], { env, cwd: suite.work, stdio: ['ignore', 'pipe', 'pipe'] });
    let so = '';
    let se = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (so += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (se += d));
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    let ended = false;
    void exited.then(() => (ended = true));
    if (mode === 'in-flight') {
      for (let waited = 0; !ended && sim.stats.count('POST', CREATE) === before && waited < 20_000; waited += 5) await sleep(5);
      await sleep(extra);
    } else {
      await sleep(extra);
    }
    const inFlight = sim.stats.count('POST', CREATE) > before && !ended;
    child.kill('SIGKILL');
    await exited;
    if (inFlight) out.killedInFlight++;
    suite.capture(`durable submit ${name} (killed, stdout)`, so);
    suite.capture(`durable submit ${name} (killed, stderr)`, se);
    // the same submit again, undisturbed; the settle window is above the slowest delay
    const r = await runCli(suite, ['submit', file, '--json', '--interval', '0.05', '--settle', '3'], { env, timeoutMs: 60_000, label: `autodl submit ${name} (rerun)` });
    sim.faults.clear();
    const res = parse(r);
    const deps = sim.world.allDeployments(true).filter((d) => d.name.startsWith(`${name}-q`));
    // A first run that reported its result before the kill is a completed submit: the rerun is
    // then a new one and makes its own deployment. Every deployment must be one that a run
    // reported, and every reported one must exist: one deployment per reported submit.
    const firstRes = /"status":"success"/.test(so) ? (JSON.parse(so) as { deployment_uuid?: string }) : undefined;
    if (firstRes) out.completedBeforeKill++;
    const reported = new Set<string>();
    if (firstRes?.deployment_uuid) reported.add(firstRes.deployment_uuid);
    if (r.code !== 0 || res?.status !== 'success') {
      out.lost++;
      out.detail.push(`${name}: rerun exit ${r.code} ${r.stdout.slice(0, 160)}`);
    } else {
      if (res.resumed === true) out.resumed++;
      if (res.found_earlier_create === true) out.foundEarlier++;
      reported.add(String(res.deployment_uuid));
    }
    const unreported = deps.filter((d) => !reported.has(d.uuid)).length;
    const missing = [...reported].filter((u) => !deps.some((d) => d.uuid === u)).length;
    if (unreported > 0 || missing > 0) {
      out.notOne++;
      out.detail.push(`${name}: ${deps.length} deployments, ${reported.size} reported (killed ${mode}${inFlight ? ', create in flight' : ''})`);
    }
    if (missing > 0) out.lost++;
    sim.world.advance(30_000);
  }
  return out;
}

interface Entry {
  id: string;
  name: string;
  state: string;
  attempts: number;
  deployment_uuid: string | null;
  account: string | null;
  updated_at: string;
}

/** b. Two accounts on one queue; returns the wrong moves B's worker made on A's entries. */
async function twoAccounts(suite: Suite, sim: Simulator, ta: string, tb: string, db: string, entries: number): Promise<{ wrong: number; bCreated: number; bEntries: number; bTotal: number; aEntries: number; detail: string[] }> {
  const home = join(suite.work, 'durable-accounts-home');
  mkdirSync(home, { recursive: true });
  const env = (token: string) => cleanEnv({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), AUTODL_HOST: sim.url, AUTODL_TOKEN: token, AUTODL_QUEUE_DB: db });
  const cfgs = (who: string, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const f = join(suite.work, `acct-${who}-${i}.json`);
      writeFileSync(f, JSON.stringify(jobBody(`acct-${who}-${i}`, 'sleep 3600')));
      return f;
    });
  const cli = async (token: string, args: string[], label: string) => {
    const r = await runCli(suite, [...args, '--json'], { env: env(token), timeoutMs: 60_000, label });
    if (r.code !== 0) throw new Error(`${label}: exit ${r.code} ${r.stdout.slice(0, 200)} ${r.stderr.slice(0, 200)}`);
    return r;
  };
  const list = async (): Promise<Map<string, Entry>> => {
    const r = await cli(ta, ['queue', 'ls', '--all'], 'autodl queue ls (durable accounts)');
    const entriesOut = (JSON.parse(r.stdout) as { entries: Array<Entry & { age_seconds?: number }> }).entries;
    // age_seconds moves on by itself; every other field must stay as it was
    return new Map(entriesOut.map(({ age_seconds: _age, ...e }) => [e.id, e]));
  };
  // A: half running, half pending (A's worker stopped)
  await cli(ta, ['queue', 'add', ...cfgs('a-run', entries)], 'autodl queue add (A)');
  await cli(ta, ['queue', 'run', '--once', '--worker-id', 'worker-a'], 'autodl queue run (A)');
  sim.world.advance(20_000);
  await cli(ta, ['queue', 'run', '--once', '--worker-id', 'worker-a'], 'autodl queue run (A)');
  await cli(ta, ['queue', 'add', ...cfgs('a-wait', entries)], 'autodl queue add (A, pending)');
  await cli(tb, ['queue', 'add', ...cfgs('b', entries)], 'autodl queue add (B)');
  const before = await list();
  const aIds = [...before.values()].filter((e) => e.name.startsWith('acct-a-')).map((e) => e.id);
  // B's worker: several ticks, the clock moved past the "no longer listed" grace each time
  for (let i = 0; i < 3; i++) {
    await cli(tb, ['queue', 'run', '--once', '--worker-id', 'worker-b'], 'autodl queue run (B)');
    sim.world.advance(120_000);
  }
  const after = await list();
  const detail: string[] = [];
  let wrong = 0;
  for (const id of aIds) {
    const a = JSON.stringify(before.get(id));
    const b = JSON.stringify(after.get(id));
    if (a !== b) {
      wrong++;
      detail.push(`${id}: ${before.get(id)?.state} → ${after.get(id)?.state}`);
    }
  }
  const tenantB = sim.world.tenantFor(tb)!;
  const bDeps = sim.world.listDeployments(tenantB, {});
  const bCreatedOfA = bDeps.filter((d) => d.name.startsWith('acct-a-')).length;
  if (bCreatedOfA > 0) detail.push(`${bCreatedOfA} of A's entries created with B's token`);
  const bEntries = [...after.values()].filter((e) => e.name.startsWith('acct-b-'));
  return { wrong: wrong + bCreatedOfA, bCreated: bDeps.length, bEntries: bEntries.filter((e) => e.deployment_uuid).length, bTotal: bEntries.length, aEntries: aIds.length, detail };
}

/** c. Locations that keep nothing and damaged files, through every command that opens the queue. */
async function badStores(suite: Suite, sim: Simulator, token: string): Promise<{ runs: number; falseSuccess: number; unclean: number; detail: string[]; uncleanDetail: string[] }> {
  const dir = join(suite.work, 'durable-bad');
  mkdirSync(dir, { recursive: true });
  const home = join(dir, 'home');
  const env = (db: string) => cleanEnv({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), AUTODL_HOST: sim.url, AUTODL_TOKEN: token, AUTODL_QUEUE_DB: db });
  const cfg = join(dir, 'bad-store.json');
  writeFileSync(cfg, JSON.stringify(jobBody('bad-store', 'sleep 5')));
  const sweepCfg = join(dir, 'bad-sweep.json');
  writeFileSync(sweepCfg, JSON.stringify(jobBody('bad-sweep-{{x}}', 'sleep 5')));
  // a valid queue with many entries, then damaged copies of it
  const good = join(dir, 'good.db');
  const first = join(dir, 'first-of-many.json');
  writeFileSync(first, JSON.stringify(jobBody('first-of-many', 'sleep 5')));
  const r0 = await runCli(suite, ['queue', 'add', first, '--json'], { env: env(good) });
  if (r0.code !== 0) throw new Error(`setup: ${r0.stdout}`);
  for (let i = 0; i < 6; i++) {
    const files = Array.from({ length: 5 }, (_, k) => {
      const f = join(dir, `later-${i}-${k}.json`);
      writeFileSync(f, JSON.stringify(jobBody(`later-${i}-${k}`, 'sleep 5')));
      return f;
    });
    await runCli(suite, ['queue', 'add', ...files, '--json'], { env: env(good) });
  }
  const d = new Database(good);
  d.pragma('wal_checkpoint(TRUNCATE)');
  d.close();
  const bytes = readFileSync(good);
  const page = Math.floor(bytes.indexOf('first-of-many') / 4096);
  const inside = Buffer.from(bytes);
  inside.fill(0xa5, page * 4096, (page + 1) * 4096);
  const damaged: Array<[string, Buffer]> = [
    ['garbage', randomBytes(8192)],
    ['truncated', bytes.subarray(0, Math.floor(bytes.length / 2))],
    ['a page of garbage', inside],
  ];
  const commands: string[][] = [
    ['queue', 'add', cfg],
    ['queue', 'ls'],
    ['queue', 'show', 'q-00000000'],
    ['queue', 'cancel', 'q-00000000'],
    ['queue', 'run', '--once'],
    ['sweep', sweepCfg, '--param', 'x=1,2'],
    ['submit', cfg, '--interval', '0.05'],
  ];
  const out = { runs: 0, falseSuccess: 0, unclean: 0, detail: [] as string[], uncleanDetail: [] as string[] };
  const judge = (r: ProcResult, what: string) => {
    out.runs++;
    const j = parse(r);
    if (r.code === 0 || j?.status === 'success') {
      out.falseSuccess++;
      out.detail.push(`${what}: success`);
      return;
    }
    const why = notCleanError(r, ['config_error'], 1);
    if (why) {
      out.unclean++;
      out.uncleanDetail.push(`${what}: ${why}`);
    }
  };
  for (const value of [':memory:', 'file:q?mode=memory', 'file:queue.db?vfs=memdb', 'file:queue.db']) {
    for (const c of commands) judge(await runCli(suite, [...c, '--json'], { env: env(value) }), `${c.slice(0, 2).join(' ')} with ${value}`);
  }
  for (const [kind, content] of damaged) {
    for (const c of commands) {
      const db = join(dir, `${kind.replace(/ /g, '-')}.db`);
      writeFileSync(db, content);
      judge(await runCli(suite, [...c, '--json'], { env: env(db) }), `${c.slice(0, 2).join(' ')} on a ${kind} file`);
    }
  }
  return out;
}

export async function durable(suite: Suite): Promise<Section> {
  const rounds = suite.scale === 'ci' ? 10 : 60;
  const pgRounds = suite.scale === 'ci' ? 5 : 30;
  const sec = newSection(
    'durable',
    '7. Durability and ownership',
    `The real CLI against the simulator. (a) \`autodl submit\` killed with SIGKILL at a random instant around its create — 3 in 4 rounds while the create is in flight (the simulator's \`slow\` fault delays it 0.3–1.5 s and applies it afterwards), else at a random instant after start — then the same submit run again: ${rounds} rounds on a SQLite queue file${process.env.AUTODL_TEST_PG_URL ? ` and ${pgRounds} on PostgreSQL` : ''}. (b) Two accounts (tokens) on one queue: A's entries running and pending, B's worker run three ticks with the clock moved past the 60 s "no longer listed" grace each time. (c) Queue locations that keep nothing and damaged queue files, through every command that opens the queue.`,
  );
  const [ta, tb] = [`rel-dur-a-${randomBytes(12).toString('hex')}`, `rel-dur-b-${randomBytes(12).toString('hex')}`];
  suite.secret(ta);
  suite.secret(tb);
  const sim = await startSimulator({ tokens: [ta, tb], clock: 'manual', backgroundLoad: false, world: { hosts: manyHosts(8) } });
  const cmd = suite.rerun('durable');
  try {
    // a. interrupted submits
    const backends: Array<[string, string, number]> = [['SQLite', join(suite.work, 'durable-submit.db'), rounds]];
    const pgUrl = await pgDatabase();
    if (pgUrl) {
      suite.secret(new URL(pgUrl).password);
      backends.push(['PostgreSQL', pgUrl, pgRounds]);
    }
    for (const [label, db, n] of backends) {
      const t0 = performance.now();
      const r = await interruptedSubmits(suite, sim, ta, db, label.toLowerCase(), n, label === 'SQLite' ? 1101 : 2202);
      const c = `${cmd} (submit killed by SIGKILL, then rerun; ${label})`;
      check(sec, `${label}: submits with a number of deployments other than one (deployments no run reported, or reported ones missing)`, `${r.notOne} of ${r.rounds}`, r.notOne === 0, c, r.detail.slice(0, 4).join('; '));
      check(sec, `${label}: submits lost (the rerun did not report the one deployment)`, r.lost, r.lost === 0, c, r.detail.slice(0, 4).join('; '));
      report(sec, `${label}: killed with the create in flight / reruns that resumed / found the earlier create / first runs that completed before the kill`, `${r.killedInFlight} / ${r.resumed} / ${r.foundEarlier} / ${r.completedBeforeKill}`, c);
      report(sec, `${label}: mean round (two CLI processes, kill, settle)`, `${Math.round((performance.now() - t0) / Math.max(1, n))} ms`, c);
    }
    // b. two accounts on one queue
    const sharedDb = (await pgDatabase()) ?? join(suite.work, 'durable-accounts.db');
    const acct = await twoAccounts(suite, sim, ta, tb, sharedDb, suite.scale === 'ci' ? 3 : 10);
    const cb = `${cmd} (tenants A and B, one ${sharedDb.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'} queue)`;
    check(sec, `two accounts on one ${sharedDb.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'} queue: wrong moves of A's entries by B's worker`, `${acct.wrong} of ${acct.aEntries}`, acct.wrong === 0, cb, acct.detail.slice(0, 4).join('; '));
    check(sec, "two accounts: B's own entries submitted by B's worker", `${acct.bEntries} of ${acct.bTotal}`, acct.bTotal > 0 && acct.bEntries === acct.bTotal, cb);
    // c. memory and damaged stores
    const bad = await badStores(suite, sim, ta);
    const cc = `${cmd} (queue add/ls/show/cancel/run, sweep, submit on :memory:-like locations and damaged files)`;
    check(sec, 'memory and damaged queue databases: false successes', `${bad.falseSuccess} of ${bad.runs}`, bad.falseSuccess === 0, cc, bad.detail.slice(0, 4).join('; '));
    check(sec, 'memory and damaged queue databases: not a clean config_error (exit 1, JSON shape, no stack trace)', `${bad.unclean} of ${bad.runs}`, bad.unclean === 0, cc, bad.uncleanDetail.slice(0, 4).join('; '));
    await collectSecrets(suite, sim, [ta, tb]);
  } finally {
    await dropPgDatabases();
    await sim.close();
  }
  return sec;
}
