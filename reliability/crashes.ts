// Section 3 — crashes: the queue worker (the crash test's child fixture, bundled with
// esbuild) is SIGKILLed at random instants for many rounds while entries keep arriving and
// the simulator loses some create replies after committing them; a final undisturbed run
// drains the rest. Then: exactly one deployment per entry, no entry lost, and
// `PRAGMA integrity_check` = ok after every kill.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { bundleFixture } from '../test/queue/fixtures/bundle.js';
import { openSqliteStore } from '../src/queue/index.js';
import { startSimulator } from '../src/sim/index.js';
import { jobBody, manyHosts, collectSecrets } from './faults.js';
import { check, cleanEnv, newSection, report, rng, type Section, type Suite } from './lib.js';

function integrity(db: string): string {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const rows = d.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    d.close();
  }
}

export async function crashes(suite: Suite): Promise<Section> {
  const rounds = suite.sizes.crashRounds;
  const sec = newSection('crashes', '3. Crashes', `The queue worker as a child process (test/queue/fixtures/worker-proc.ts, bundled), killed with SIGKILL at random instants for ${rounds} rounds — a random delay after start, or right after its k-th claim, or by itself right after a create returned and before it was recorded — while 1–2 entries arrive per round and 10 % of create replies are lost after the create committed. A final undisturbed worker drains the queue.`);
  const token = `rel-crash-${randomBytes(12).toString('hex')}`;
  suite.secret(token);
  const sim = await startSimulator({ tokens: [token], clock: 'manual', backgroundLoad: false, world: { hosts: manyHosts(Math.ceil((10 + 2 * rounds) / 8) + 1) } }); // room for every entry: the final drain never waits for GPUs
  const fixture = await bundleFixture('worker-proc');
  const db = join(suite.work, 'crash.db');
  const cmd = `${suite.rerun('crashes')} (worker-proc child, SIGKILL, ${rounds} rounds)`;
  try {
    const store = await openSqliteStore({ path: db });
    let added = (await store.add(Array.from({ length: 10 }, (_, i) => ({ body: jobBody(`crash-${i}`, 'sleep 1') })), Date.now())).length;
    await store.close();
    sim.faults.add({ method: 'POST', path: '/api/v1/dev/deployment', kind: 'commit_then_reset', probability: 0.1 });
    const rand = rng(424242);
    let byTimer = 0;
    let byClaim = 0;
    let selfKilled = 0;
    let exitedClean = 0;
    let integrityBad = 0;
    let badDetail = '';
    const t0 = performance.now();
    for (let round = 0; round < rounds; round++) {
      // new work arrives every round
      const s = await openSqliteStore({ path: db });
      const n = 1 + Math.floor(rand() * 2);
      added += (await s.add(Array.from({ length: n }, (_, i) => ({ body: jobBody(`crash-r${round}-${i}`, 'sleep 1') })), Date.now())).length;
      await s.close();
      const id = rand() < 0.7 ? 'crashy' : `crashy-${round}`;
      const child = spawn(process.execPath, [fixture.path], {
        env: cleanEnv({ SIM_URL: sim.url, SIM_TOKEN: token, QUEUE_DB: db, WORKER_ID: id, LEASE_MS: '300', SEED: String(round + 1), CRASH_AFTER_CREATE: rand() < 0.3 ? '0.2' : '0' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      let fired: 'timer' | 'claim' | undefined;
      const mode = rand() < 0.5 ? 'timer' : 'claim';
      const k = 1 + Math.floor(rand() * 3);
      let claims = 0;
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        err += d;
        claims += (d.match(/"type":"claimed"/g) ?? []).length;
        if (mode === 'claim' && !fired && claims >= k) {
          fired = 'claim';
          child.kill('SIGKILL');
        }
      });
      const timer = setTimeout(
        () => {
          if (!fired) {
            fired = mode === 'timer' ? 'timer' : 'claim';
            child.kill('SIGKILL');
          }
        },
        mode === "timer" ? 5 + Math.floor(rand() * 150) : 30_000,
      );
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('exit', (c, sg) => r([c, sg])));
      clearTimeout(timer);
      suite.capture(`crash worker round ${round} (stdout)`, out);
      suite.capture(`crash worker round ${round} (stderr)`, err);
      if (fired === 'timer') byTimer++;
      else if (fired === 'claim') byClaim++;
      else if (signal === 'SIGKILL') selfKilled++;
      else if (code === 0) exitedClean++;
      const ic = integrity(db);
      if (ic !== 'ok') {
        integrityBad++;
        badDetail ||= `round ${round}: ${ic}`;
      }
      sim.world.advance(60_000); // jobs end, GPUs free up for the next round
    }
    const roundsMs = performance.now() - t0;
    // the final, undisturbed run drains whatever is left (including expired foreign leases)
    const final = spawn(process.execPath, [fixture.path], {
      env: cleanEnv({ SIM_URL: sim.url, SIM_TOKEN: token, QUEUE_DB: db, WORKER_ID: 'final', LEASE_MS: '300' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let ferr = '';
    final.stderr.setEncoding('utf8').on('data', (d: string) => (ferr += d));
    final.stdout.resume();
    const guard = setTimeout(() => final.kill('SIGKILL'), 120_000);
    const finalCode = await new Promise<number | null>((r) => final.on('exit', (c) => r(c)));
    clearTimeout(guard);
    suite.capture('crash final worker (stderr)', ferr);
    sim.faults.clear();

    const s2 = await openSqliteStore({ path: db });
    const entries = await s2.list();
    const notes = (await Promise.all(entries.map((e) => s2.history(e.id)))).flat().map((h) => h.note ?? '');
    await s2.close();
    const deps = sim.world.allDeployments(true).filter((d) => d.name.startsWith('crash-'));
    const byName = new Map<string, string[]>();
    for (const d of deps) byName.set(d.name, [...(byName.get(d.name) ?? []), d.uuid]);
    let notOnce = 0;
    let notSubmitted = 0;
    const detail: string[] = [];
    for (const e of entries) {
      const got = byName.get(e.deployment_name) ?? [];
      if (got.length !== 1 || got[0] !== e.deployment_uuid) {
        notOnce++;
        detail.push(`${e.id}: ${got.length} deployments`);
      }
      if (e.state !== 'submitted') {
        notSubmitted++;
        detail.push(`${e.id} ${e.state}`);
      }
    }
    const stray = deps.length - [...byName.keys()].filter((n) => entries.some((e) => e.deployment_name === n)).length;
    const finalIc = integrity(db);
    check(sec, 'entries lost (in the database at the end vs added)', added - entries.length, entries.length === added, cmd);
    check(sec, 'entries with a number of deployments other than exactly one', `${notOnce} of ${entries.length}`, notOnce === 0, cmd, detail.slice(0, 4).join('; '));
    check(sec, 'entries not submitted after the final drain', notSubmitted, notSubmitted === 0 && finalCode === 0, cmd, `final worker exit ${finalCode}`);
    check(sec, 'deployments no entry accounts for', stray, stray === 0, cmd);
    check(sec, '`PRAGMA integrity_check` not ok (after every kill, and at the end)', integrityBad + (finalIc === 'ok' ? 0 : 1), integrityBad === 0 && finalIc === 'ok', cmd, badDetail || finalIc);
    report(sec, 'rounds / killed by a timer / killed after the k-th claim / killed itself after a create / ended by itself', `${rounds} / ${byTimer} / ${byClaim} / ${selfKilled} / ${exitedClean}`, cmd);
    report(sec, 'entries / deployments created', `${entries.length} / ${deps.length}`, cmd);
    report(sec, 'recoveries: found by mark after a lost reply or crash / leases reclaimed', `${notes.filter((n) => n.startsWith('found by mark')).length} / ${notes.filter((n) => n.startsWith('reclaimed by')).length}`, cmd);
    report(sec, 'mean round (spawn, work, kill, integrity check)', `${Math.round(roundsMs / Math.max(1, rounds))} ms`, cmd);
    await collectSecrets(suite, sim, [token]);
  } finally {
    fixture.remove();
    await sim.close();
  }
  return sec;
}
