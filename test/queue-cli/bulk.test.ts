// Issue 15 §3, acting on many — end to end, the real CLI against the simulator with a SQLite
// queue (and PostgreSQL where the store changed: prune): stop / delete / queue cancel / queue
// retry on several ids and selectors, the confirmation (--yes, refused without a terminal,
// asked on one), --dry-run, the summary with one result per target and its exit code;
// queue prune and queue history; the duplicate warning of queue add and sweep; help into a
// closed pipe.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { childEnv, CLI, collect, deploymentConfig, hasScript, json, onTerminal, outputs, runCli, waitFor, writeConfig, type RunResult } from '../cli/helpers.js';
import { freshPgDatabase, PG_SKIP } from '../queue/pg-helpers.js';
import { queueCliHarness } from './harness.js';
import type { BulkSummary, TargetResult } from '../../src/ops/bulk.js';
import { demandOf } from '../../src/queue/planner.js';
import type { CreateDeploymentBody } from '../../src/api/types.js';

const h = queueCliHarness('autodl-bulk-');

/** What the CLI prints (JSON): the operation's summary (src/ops/bulk.ts), its status, and the entries a queue action left. */
type Result = TargetResult;
type Summary = BulkSummary & { status: string; entries?: Array<{ id: string; state: string }> };
interface Entry {
  id: string;
  name: string;
  state: string;
  label: string | null;
  deployment_uuid: string | null;
}

const cfg = (name: string, cmd = 'sleep 600') => writeConfig(`${name.replace(/[{}]/g, '')}.json`, deploymentConfig(name, { tpl: { cmd } }));
const q = (db: string, ...args: string[]) => runCli(['queue', ...args, '--db', db, '--json'], { sim: h.sim });

async function ok(r: Promise<RunResult>): Promise<RunResult> {
  const out = await r;
  assert.equal(out.code, 0, out.stderr + out.stdout);
  return out;
}

async function ls(db: string, ...extra: string[]): Promise<Entry[]> {
  return json<{ entries: Entry[] }>(await ok(q(db, 'ls', '--all', ...extra))).entries;
}

/** A sweep of `n` entries labelled `label`, all created by one worker tick: their entries. */
async function sweepCreated(db: string, label: string, n: number): Promise<Entry[]> {
  const values = Array.from({ length: n }, (_, i) => String(i + 1)).join(',');
  await ok(runCli(['sweep', cfg(`${label}-{{x}}`), '--param', `x=${values}`, '--label', label, '--db', db, '--json'], { sim: h.sim }));
  await ok(q(db, 'run', '--once'));
  const entries = (await ls(db, '--label', label)).filter((e) => e.label === label);
  assert.equal(entries.length, n);
  for (const e of entries) assert.ok(e.deployment_uuid, `${e.id} was created`);
  return entries;
}

const statusOf = (uuid: string) => h.sim.world.allDeployments(true).find((d) => d.uuid === uuid)?.status;
const visible = (uuid: string) => h.sim.world.allDeployments(false).some((d) => d.uuid === uuid);

describe('stop / delete on many deployments', () => {
  test('--label: --dry-run lists and changes nothing; refused without a terminal or --yes; --yes stops each once; again: skipped, exit 0', async () => {
    const db = { path: h.newDb() };
    const entries = await sweepCreated(db.path, 'bks', 3);
    const uuids = entries.map((e) => e.deployment_uuid!);

    const dry = json<Summary>(await ok(runCli(['stop', '--label', 'bks', '--db', db.path, '--dry-run', '--json'], { sim: h.sim })));
    assert.equal(dry.dry_run, true);
    assert.deepEqual(dry.results.map((r) => r.target).sort(), [...uuids].sort());
    assert.ok(dry.results.every((r) => r.outcome === 'done'));
    for (const u of uuids) assert.equal(statusOf(u), 'running', 'a dry run stops nothing');

    const refused = await runCli(['stop', '--label', 'bks', '--db', db.path, '--json'], { sim: h.sim });
    assert.equal(refused.code, 1, refused.stdout);
    const err = json<{ error_type: string; message: string; details: { targets: number } }>(refused);
    assert.equal(err.error_type, 'config_error');
    assert.match(err.message, /--yes/);
    assert.equal(err.details.targets, 3);
    for (const u of uuids) assert.equal(statusOf(u), 'running', 'refused: nothing stopped');

    const done = json<Summary>(await ok(runCli(['stop', '--label', 'bks', '--db', db.path, '--yes', '--json'], { sim: h.sim })));
    assert.equal(done.status, 'success');
    assert.deepEqual([done.total, done.done, done.skipped, done.failed], [3, 3, 0, 0]);
    for (const u of uuids) assert.equal(statusOf(u), 'stopped');

    const again = json<Summary>(await ok(runCli(['stop', '--label', 'bks', '--db', db.path, '--yes', '--json'], { sim: h.sim })));
    assert.deepEqual([again.done, again.skipped], [0, 3]);
    assert.ok(again.results.every((r) => r.reason === 'already stopped'), JSON.stringify(again.results));
  });

  test('several names and a missing one: one result per target in order, exit code 3 (not_found); the others deleted', async () => {
    const db = { path: h.newDb() };
    const entries = await sweepCreated(db.path, 'bkd', 2);
    const [a, b] = entries.map((e) => e.deployment_uuid!);
    const r = await runCli(['delete', a!, 'no-such-deployment', b!, '--yes', '--json'], { sim: h.sim });
    assert.equal(r.code, 3, r.stderr + r.stdout);
    const s = json<Summary>(r);
    assert.equal(s.status, 'partial');
    assert.deepEqual(s.results.map((x) => [x.target, x.outcome]), [
      [a, 'done'],
      ['no-such-deployment', 'failed'],
      [b, 'done'],
    ]);
    assert.equal(s.results[1]!.error_type, 'not_found');
    assert.equal(visible(a!), false);
    assert.equal(visible(b!), false);
  });

  test('--name-prefix with --status, human summary: only the matching ones; the counts line', async () => {
    const db = { path: h.newDb() };
    const entries = await sweepCreated(db.path, 'bkp', 3);
    const [first, ...rest] = entries.map((e) => e.deployment_uuid!);
    await ok(runCli(['stop', first!, '--json'], { sim: h.sim }));
    const r = await ok(runCli(['delete', '--name-prefix', 'bkp-', '--status', 'stopped', '--yes', '--no-json'], { sim: h.sim }));
    assert.match(r.stdout, /done 1, skipped 0, failed 0/);
    assert.ok(r.stdout.includes(first!), r.stdout);
    assert.equal(visible(first!), false);
    for (const u of rest) assert.equal(visible(u), true, 'a running one is not selected by --status stopped');
    // in Chinese the summary is the catalog's
    const zh = await ok(runCli(['--lang', 'zh', 'stop', '--name-prefix', 'bkp-', '--yes', '--no-json'], { sim: h.sim }));
    assert.match(zh.stdout, /完成 2，跳过 0，失败 0/);
  });

  test('no id and no selector: config_error naming the selectors; one plain name keeps the one-target JSON', async () => {
    const r = await runCli(['stop', '--json'], { sim: h.sim });
    assert.equal(r.code, 1);
    assert.match(json<{ message: string }>(r).message, /--label/);
    const db = { path: h.newDb() };
    const [e] = await sweepCreated(db.path, 'bk1', 1);
    const one = json<{ status: string; deployment_uuid: string }>(await ok(runCli(['stop', e!.deployment_uuid!, '--json'], { sim: h.sim })));
    assert.deepEqual(one, { status: 'success', deployment_uuid: e!.deployment_uuid });
    // --label with no queue database yet: nothing matches, and reading it creates no file
    const missing = join(dirname(h.newDb()), 'none', 'queue.db');
    const none = json<Summary>(await ok(runCli(['stop', '--label', 'bk1', '--db', missing, '--yes', '--json'], { sim: h.sim })));
    assert.equal(none.total, 0);
    assert.equal(existsSync(missing), false);
  });
});

describe('queue cancel / retry on many entries', () => {
  test('cancel --label: pending ones cancelled, a submitted one skipped with the reason; retry --state cancelled puts them back', async () => {
    const db = { path: h.newDb() };
    const [created] = await sweepCreated(db.path, 'bkq', 1);
    // three more of the same label, still pending (added after the tick)
    const more = json<{ entries: Entry[] }>(await ok(q(db.path, 'add', cfg('bkq-a'), cfg('bkq-b'), cfg('bkq-c'), '--label', 'bkq'))).entries;

    const dry = json<Summary>(await ok(q(db.path, 'cancel', '--label', 'bkq', '--dry-run')));
    assert.deepEqual([dry.done, dry.skipped], [3, 1]);
    assert.ok((await ls(db.path)).every((e) => e.state !== 'cancelled'), 'a dry run cancels nothing');

    const refused = await q(db.path, 'cancel', '--label', 'bkq');
    assert.equal(refused.code, 1);
    assert.equal(json<{ error_type: string }>(refused).error_type, 'config_error');

    const s = json<Summary>(await ok(q(db.path, 'cancel', '--label', 'bkq', '--yes')));
    assert.deepEqual([s.done, s.skipped, s.failed], [3, 1, 0]);
    const skipped = s.results.find((r) => r.outcome === 'skipped')!;
    assert.equal(skipped.target, created!.id);
    assert.ok(skipped.reason!.includes(created!.deployment_uuid!), skipped.reason);
    assert.deepEqual(s.entries!.map((e) => e.id).sort(), more.map((e) => e.id).sort());
    const states = new Map((await ls(db.path)).map((e) => [e.id, e.state]));
    for (const e of more) assert.equal(states.get(e.id), 'cancelled');
    assert.equal(states.get(created!.id), 'submitted');

    const back = json<Summary>(await ok(q(db.path, 'retry', '--state', 'cancelled', '--name-prefix', 'bkq-', '--yes')));
    assert.equal(back.done, 3);
    for (const e of await ls(db.path, '--state', 'pending')) assert.ok(more.some((m) => m.id === e.id));
  });

  test('several ids, one unknown: the known ones cancelled, the unknown failed (exit 3)', async () => {
    const db = { path: h.newDb() };
    const [a, b] = json<{ entries: Entry[] }>(await ok(q(db.path, 'add', cfg('bkx-a'), cfg('bkx-b')))).entries;
    // one id with --dry-run: listed, not cancelled
    const dry = json<Summary>(await ok(q(db.path, 'cancel', a!.id, '--dry-run')));
    assert.deepEqual([dry.dry_run, dry.done], [true, 1]);
    assert.equal((await ls(db.path)).find((e) => e.id === a!.id)!.state, 'pending');
    const r = await q(db.path, 'cancel', a!.id, 'q-00000000', b!.id.slice(2), '--yes');
    assert.equal(r.code, 3, r.stdout);
    const s = json<Summary>(r);
    assert.deepEqual(s.results.map((x) => x.outcome), ['done', 'failed', 'done']);
    assert.equal(s.results[1]!.error_type, 'not_found');
  });

  test('on a terminal: the targets listed and asked for; "n" does nothing, "y" cancels', { skip: !hasScript && 'util-linux script is not installed', timeout: 60_000 }, async () => {
    const db = { path: h.newDb() };
    const added = json<{ entries: Entry[] }>(await ok(q(db.path, 'add', cfg('bkt-a'), cfg('bkt-b'), '--label', 'bkt'))).entries;
    for (const [answer, expected] of [['n', 'pending'], ['y', 'cancelled']] as const) {
      const child = onTerminal(['queue', 'cancel', '--label', 'bkt', '--db', db.path, '--no-json'], childEnv({ sim: h.sim }));
      const done = collect(child, 'keep-open');
      const seen = await waitFor(child, 'stdout', '[y/N]');
      for (const e of added) assert.ok(seen.includes(e.id), `the prompt lists ${e.id}:\n${seen}`);
      child.stdin!.end(`${answer}\r`);
      const r = await done;
      assert.equal(r.code, 0, r.stdout);
      for (const e of await ls(db.path, '--label', 'bkt')) assert.equal(e.state, expected, `after "${answer}"`);
    }
  });
});

describe('queue prune / history', () => {
  const backends: Array<[string, () => Promise<string>, false | string]> = [
    ['sqlite', async () => h.newDb(), false],
    ['postgres', () => freshPgDatabase(), PG_SKIP],
  ];
  for (const [name, makeDb, skip] of backends) {
    test(`prune (${name}): only ended entries older than the duration; never an open one; one an open entry waits for is kept`, { skip }, async () => {
      const db = await makeDb();
      const [a, b, c] = json<{ entries: Entry[] }>(await ok(q(db, 'add', cfg('bkr-a'), cfg('bkr-b'), cfg('bkr-c')))).entries;
      await ok(q(db, 'cancel', a!.id, b!.id, '--yes'));
      // an open entry waits for b: b stays
      const [d] = json<{ entries: Entry[] }>(await ok(q(db, 'add', cfg('bkr-d'), '--after', b!.id, '--after-any'))).entries;

      const young = json<{ removed: number }>(await ok(q(db, 'prune', '--older-than', '1h')));
      assert.equal(young.removed, 0, 'nothing ended an hour ago');

      const dry = json<{ removed: number; entries: Array<{ id: string }>; kept: Array<{ id: string; reason: string; by: string }> }>(await ok(q(db, 'prune', '--older-than', '0', '--dry-run')));
      assert.deepEqual(dry.entries.map((e) => e.id), [a!.id]);
      assert.deepEqual(dry.kept, [{ id: b!.id, name: 'bkr-b', state: 'cancelled', reason: 'needed_by', by: d!.id }]);
      assert.equal((await ls(db)).length, 4, 'a dry run deletes nothing');

      const pruned = json<{ removed: number }>(await ok(q(db, 'prune', '--older-than', '0')));
      assert.equal(pruned.removed, 1);
      assert.deepEqual((await ls(db)).map((e) => e.id).sort(), [b!.id, c!.id, d!.id].sort());
      const gone = await q(db, 'show', a!.id);
      assert.equal(json<{ error_type: string }>(gone).error_type, 'not_found');
    });
  }

  test('prune without --older-than: config_error, nothing deleted', async () => {
    const db = h.newDb();
    const [a] = json<{ entries: Entry[] }>(await ok(q(db, 'add', cfg('bkn-a')))).entries;
    await ok(q(db, 'cancel', a!.id));
    const r = await q(db, 'prune');
    assert.equal(r.code, 1);
    assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
    assert.equal((await ls(db)).length, 1);
  });

  test('history: ended entries newest first, with outcome, run time and cost at most; --label, --limit', async () => {
    const db = h.newDb();
    const [job] = json<{ entries: Entry[] }>(await ok(q(db, 'add', cfg('bkh-job', 'sleep 5'), '--label', 'bkh'))).entries;
    await ok(q(db, 'run', '--once'));
    h.sim.world.advance(60_000); // the Job runs 5 s and finishes
    await ok(q(db, 'run', '--once'));
    const [late, open] = json<{ entries: Entry[] }>(await ok(q(db, 'add', cfg('bkh-late'), cfg('bkh-open'), '--label', 'bkh'))).entries;
    await ok(q(db, 'cancel', late!.id));

    const hist = json<{ entries: Array<Record<string, unknown>> }>(await ok(q(db, 'history', '--label', 'bkh')));
    assert.deepEqual(hist.entries.map((e) => e.id), [late!.id, job!.id], 'newest end first; the open one is not history');
    assert.ok(!hist.entries.some((e) => e.id === open!.id));
    const done = hist.entries[1]!;
    assert.equal(done.outcome, 'finished');
    assert.equal(typeof done.ran_seconds, 'number');
    // the ceiling: price_to × GPUs per hour over submitted → ended
    const rate = demandOf(deploymentConfig('bkh-job', { tpl: { cmd: 'sleep 5' } }) as unknown as CreateDeploymentBody).pricePerHour!;
    const ranMs = Date.parse(done.ended_at as string) - Date.parse(done.submitted_at as string);
    assert.equal(done.cost_yuan_at_most, Math.round(((rate * ranMs) / 3_600_000) * 100) / 100, JSON.stringify(done));
    assert.equal(hist.entries[0]!.cost_yuan_at_most, null, 'a cancelled entry never ran');

    const one = json<{ entries: unknown[] }>(await ok(q(db, 'history', '--limit', '1')));
    assert.equal(one.entries.length, 1);
    const human = await ok(runCli(['queue', 'history', '--db', db, '--no-json'], { sim: h.sim }));
    assert.match(human.stdout, /OUTCOME/);
    assert.ok(human.stdout.includes(job!.id) && human.stdout.includes('finished'));
  });
});

describe('the same config twice', () => {
  test('queue add warns (the entry it repeats) and says so in JSON; --allow-duplicate does not warn; another config does not', async () => {
    const db = h.newDb();
    const path = cfg('bku-a');
    const [first] = json<{ entries: Entry[] }>(await ok(q(db, 'add', path))).entries;
    const again = await ok(q(db, 'add', path));
    const warnings = again.stderr.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const dup = warnings.find((w) => w.code === 'duplicate');
    assert.ok(dup, again.stderr);
    assert.equal(dup!.duplicate_of, first!.id);
    assert.equal(json<{ duplicates: Array<{ duplicate_of: string }> }>(again).duplicates[0]!.duplicate_of, first!.id);
    const allowed = await ok(q(db, 'add', path, '--allow-duplicate'));
    assert.ok(!allowed.stderr.includes('duplicate'), allowed.stderr);
    const other = await ok(q(db, 'add', cfg('bku-b')));
    assert.ok(!other.stderr.includes('duplicate'), other.stderr);
    assert.equal((await ls(db)).length, 4, 'a warning, not a refusal');
  });

  test('sweep twice: a warning per repeated entry (the first few, then how many more); human text names the entry', async () => {
    const db = h.newDb();
    const tpl = cfg('bkw-{{x}}');
    const sweep = (...extra: string[]) => runCli(['sweep', tpl, '--param', 'x=1,2,3,4,5,6,7', '--db', db, ...extra], { sim: h.sim });
    await ok(sweep('--json'));
    const r = await ok(sweep('--json'));
    const dups = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((w) => w.code === 'duplicate');
    assert.equal(dups.length, 6, r.stderr); // five one by one, then "… and 2 more"
    assert.equal(dups[5]!.more, 2);
    const human = await ok(sweep('--no-json'));
    assert.match(human.stderr, /bkw-1: the same config is already pending as q-/);
  });
});

test('help into a closed pipe: no EPIPE stack trace', () => {
  for (let i = 0; i < 5; i++) {
    for (const args of ['queue prune --help', 'stop --help', 'queue --help']) {
      const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" ${args} | head -1`], { encoding: 'utf8', env: childEnv({}) });
      outputs.push(r.stdout, r.stderr);
      assert.match(r.stdout, /^Usage: autodl/);
      assert.ok(!/EPIPE|Error/.test(r.stderr), r.stderr);
    }
  }
});
