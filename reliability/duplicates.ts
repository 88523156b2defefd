// Section `duplicates` — issue 11 §1: the four ways a queue entry used to become more than one
// deployment, as real processes (the scenarios of test/queue-cli/duplicate-scenarios.ts: the
// real CLI `autodl queue run` against the simulator), for many rounds on SQLite and, when
// AUTODL_TEST_PG_URL is set, on PostgreSQL:
//   in-flight restart — SIGKILL while the first create is being applied (slow creates), the
//                        worker restarted at once with the same --worker-id;
//   skew              — a second worker whose clock runs 8 minutes ahead (Date.now shifted by
//                        a preload) joins while a create is in flight;
//   same default id   — two workers without --worker-id, node as PID 1 in PID namespaces of
//                        their own (unshare), one hostname;
//   paged-list shift  — 101 running entries and one pending under --max-running 101; a
//                        foreign deployment is deleted between two list pages (a proxy).
// Each reports "entries with a number of deployments other than one" and "entries lost".
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator } from '../src/sim/index.js';
import { dropPgDatabases, freshPgDatabase } from '../test/queue/pg-helpers.js';
import { canUnsharePid, clockSkew, inFlightRestart, pagedShift, sameDefaultId, type Outcome, type ScenarioEnv } from '../test/queue-cli/duplicate-scenarios.js';
import { collectSecrets, manyHosts } from './faults.js';
import { check, CLI, cleanEnv, newSection, report, type Section, type Suite } from './lib.js';

interface Tally {
  rounds: number;
  entries: number;
  notOnce: number;
  lost: number;
  detail: string[];
  ms: number;
}

const tally = (): Tally => ({ rounds: 0, entries: 0, notOnce: 0, lost: 0, detail: [], ms: 0 });

function add(t: Tally, o: Outcome, ms: number): void {
  t.rounds++;
  t.entries += o.entries;
  t.notOnce += o.notOnce;
  t.lost += o.lost;
  t.ms += ms;
  if (o.detail.length) t.detail.push(`round ${t.rounds}: ${o.detail.slice(0, 2).join('; ')}`);
}

export async function duplicates(suite: Suite): Promise<Section> {
  const full = suite.scale === 'full';
  const rounds = { inflight: full ? 12 : 3, skew: full ? 6 : 2, pid: full ? 6 : 2, shift: full ? 2 : 1 };
  const unshare = canUnsharePid();
  const backends: Array<['sqlite' | 'postgres', (n: string) => Promise<string>]> = [['sqlite', async (n) => join(suite.work, 'dups', `${n}.db`)]];
  if (process.env.AUTODL_TEST_PG_URL) backends.push(['postgres', () => freshPgDatabase()]);
  const sec = newSection(
    'duplicates',
    'Duplicates (issue 11)',
    `The real CLI (\`autodl queue run\`) against the simulator, in four scenarios that each used to make two deployments for one entry, on ${backends.map((b) => b[0]).join(' and ')}: ` +
      `**in-flight restart** (${rounds.inflight} rounds: creates take 1.2 s; SIGKILL 0.5 s after the first reached the simulator; restarted at once with the same --worker-id, --request-timeout 1.5 → settle window 4.5 s), ` +
      `**skew** (${rounds.skew} rounds: a second worker whose clock runs 8 min ahead joins while a create is in flight), ` +
      `**same default id** (${rounds.pid} rounds: two workers without --worker-id, node as PID 1 in PID namespaces of their own${unshare ? '' : ' — not run: unshare is not allowed here'}), ` +
      `**paged-list shift** (${rounds.shift} round(s): 101 running entries and 1 pending under --max-running 101; a foreign deployment is deleted between list pages 1 and 2 by a loopback proxy, twice). ` +
      'Every round on a fresh database; the deployments are counted in the simulator.',
  );
  mkdirSync(join(suite.work, 'dups'), { recursive: true });
  const token = `rel-dups-${randomBytes(12).toString('hex')}`;
  suite.secret(token);
  const perBackend = 3 * (rounds.inflight + rounds.skew + rounds.pid) + 105 * rounds.shift;
  const sim = await startSimulator({ tokens: [token], clock: 'manual', backgroundLoad: false, world: { hosts: manyHosts(Math.ceil((2 * perBackend * backends.length) / 8) + 2) } });
  const home = join(suite.work, 'dups-home');
  const env: ScenarioEnv = {
    cli: CLI,
    sim: { url: sim.url, token, world: sim.world, faults: sim.faults, stats: sim.stats },
    env: cleanEnv({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_DATA_HOME: join(home, '.local', 'share') }),
    cwd: suite.work,
    onOutput: (label, text) => suite.capture(label, text),
    guardMs: 120_000,
  };
  const cmd = (what: string) => `${suite.rerun('duplicates')} (${what})`;
  try {
    for (const [backend, location] of backends) {
      const t = { inflight: tally(), skew: tally(), pid: tally(), shift: tally() };
      let held = 0;
      let foundLanded = 0;
      let warned = 0;
      let distinctIds = 0;
      const shiftFacts: string[] = [];
      let shiftOk = true;
      for (let r = 0; r < rounds.inflight; r++) {
        const t0 = performance.now();
        const o = await inFlightRestart(env, await location(`inflight-${r}`), `${backend}-if${r}-`, { entries: 3, slowMs: 1200, killAfterMs: 500, requestTimeoutS: 1.5 });
        add(t.inflight, o, performance.now() - t0);
        if (o.facts.held) held++;
        else if (o.facts.found) foundLanded++;
      }
      for (let r = 0; r < rounds.skew; r++) {
        const t0 = performance.now();
        const o = await clockSkew(env, await location(`skew-${r}`), `${backend}-sk${r}-`, { entries: 3, slowMs: 1200, skewMs: 8 * 60_000 });
        add(t.skew, o, performance.now() - t0);
        if (o.facts.warned) warned++;
      }
      if (unshare) {
        for (let r = 0; r < rounds.pid; r++) {
          const t0 = performance.now();
          const o = await sameDefaultId(env, await location(`pid-${r}`), `${backend}-pid${r}-`, { entries: 3, slowMs: 1200 });
          add(t.pid, o, performance.now() - t0);
          const ids = o.facts.ids as [string | null, string | null];
          if (ids[0] && ids[1] && ids[0] !== ids[1]) distinctIds++;
        }
      }
      for (let r = 0; r < rounds.shift; r++) {
        const t0 = performance.now();
        const o = await pagedShift(env, await location(`shift-${r}`), `${backend}-sh${r}-`, { running: 101 });
        add(t.shift, o, performance.now() - t0);
        const f = o.facts;
        const ok = f.wronglyFinished === 0 && !f.overLimit && f.missRecorded && f.missCleared && f.goneFinished && f.proxyDeletes === 2;
        if (!ok) shiftOk = false;
        shiftFacts.push(`wrongly finished ${f.wronglyFinished}, live ${f.liveDeployments}/${f.maxRunning}, miss recorded ${f.missRecorded}, cleared by uuid lookup ${f.missCleared}, really gone finished ${f.goneFinished}`);
      }
      const scen: Array<[keyof typeof t, string]> = [
        ['inflight', 'in-flight restart'],
        ['skew', 'skew 8 min'],
        ['pid', 'same default id (PID 1 twice)'],
        ['shift', 'paged-list shift'],
      ];
      for (const [k, name] of scen) {
        const x = t[k];
        if (x.rounds === 0) {
          report(sec, `${name}, ${backend}`, 'not run (unshare --pid not allowed on this machine)', cmd(name));
          continue;
        }
        check(sec, `${name}, ${backend}: entries with a number of deployments other than one`, `${x.notOnce} of ${x.entries} (${x.rounds} rounds)`, x.notOnce === 0, cmd(name), x.detail.slice(0, 3).join(' | '));
        check(sec, `${name}, ${backend}: entries lost (missing, or not submitted/running at the end)`, x.lost, x.lost === 0, cmd(name), x.detail.slice(0, 3).join(' | '));
      }
      check(sec, `in-flight restart, ${backend}: rounds in which the restarted worker held the in-flight entry, or (when it started after the create had landed) found that create by its mark — never created it again`, `${held} held + ${foundLanded} found of ${t.inflight.rounds}`, held + foundLanded === t.inflight.rounds && held > 0, cmd('in-flight restart'));
      check(sec, `skew 8 min, ${backend}: rounds in which the skewed worker warned about its clock`, `${warned} of ${t.skew.rounds}`, warned === t.skew.rounds, cmd('skew'));
      if (unshare) check(sec, `same default id, ${backend}: rounds with two distinct default ids`, `${distinctIds} of ${t.pid.rounds}`, distinctIds === t.pid.rounds, cmd('same default id'));
      check(sec, `paged-list shift, ${backend}: no entry finished by the shift, --max-running held, misses confirmed by a uuid lookup`, shiftOk ? 'yes' : 'no', shiftOk, cmd('paged-list shift'), shiftFacts.join(' | '));
      report(sec, `mean round, ${backend}: in-flight / skew / same id / shift`, [t.inflight, t.skew, t.pid, t.shift].map((x) => (x.rounds ? `${(x.ms / x.rounds / 1000).toFixed(1)} s` : '–')).join(' / '), cmd('all'));
    }
    await collectSecrets(suite, sim, [token]);
  } finally {
    await dropPgDatabases().catch(() => {});
    await sim.close();
  }
  return sec;
}
