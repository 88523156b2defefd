// `autodl queue …` and `autodl sweep`, end to end: the real CLI as subprocesses against the
// in-process simulator (manual clock, no background load). Scarcity is made by occupying
// GPUs in the world; the worker is driven with `queue run --once` or a short --interval.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deploymentConfig, collect, json, outputs, runCli, spawnCli, waitFor, writeConfig } from '../cli/helpers.js';
import { freshPgDatabase, PG_SKIP } from '../queue/pg-helpers.js';
import { queueCliHarness } from './harness.js';

const h = queueCliHarness();
const newDb = () => h.newDb();

function template(name: string, extra: Record<string, unknown> = {}, cmd = 'sleep 600'): Record<string, unknown> {
  return { ...deploymentConfig(name, { tpl: { cmd } }), ...extra };
}

const cfg = (name: string, extra: Record<string, unknown> = {}, cmd?: string) => writeConfig(`${name}.json`, template(name, extra, cmd));

const q = (db: string, ...args: string[]) => runCli(['queue', ...args, '--db', db, '--json'], { sim: h.sim });

interface Entry {
  id: string;
  name: string;
  deployment_name: string;
  state: string;
  priority: number;
  attempts: number;
  deployment_uuid: string | null;
  last_error: string | null;
  lease_owner: string | null;
}

async function ls(db: string, ...extra: string[]): Promise<Entry[]> {
  const r = await q(db, 'ls', ...extra);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return json<{ entries: Entry[] }>(r).entries;
}

async function add(db: string, ...args: string[]): Promise<Entry[]> {
  const r = await q(db, 'add', ...args);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const out = json<{ status: string; entries: Entry[] }>(r);
  assert.equal(out.status, 'success');
  return out.entries;
}

/** Deployments in the simulator (all tenants) whose name is exactly `name`. */
const deploymentsNamed = (name: string) => h.sim.world.allDeployments(true).filter((d) => d.name === name);

/** Leave exactly `n` RTX 4090 cards idle. */
function leaveIdle(n: number): number {
  const idle = h.sim.world.stock().get('RTX 4090')!.idle;
  return h.sim.world.occupy('RTX 4090', idle - n);
}

interface ErrorOut {
  status: string;
  error_type: string;
  message: string;
  details: Record<string, unknown>;
}

describe('queue add / ls / run / show', () => {
  test('add → ls (pending) → run --once creates → ls shows submitted with the deployment uuid', async () => {
    const db = newDb();
    const [e] = await add(db, cfg('qa-one'), '--priority', '3', '--label', 'batch1');
    assert.match(e!.id, /^q-[0-9a-z]{8}$/);
    assert.equal(e!.deployment_name, `qa-one-q${e!.id.slice(2)}`);
    let list = await ls(db);
    assert.equal(list.length, 1);
    assert.equal(list[0]!.state, 'pending');
    assert.equal(list[0]!.priority, 3);
    assert.equal(deploymentsNamed(e!.deployment_name).length, 0, 'adding sends no create');

    const r = await q(db, 'run', '--once');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const sum = json<{ status: string; created: number; stopped: string; pending: number }>(r);
    assert.equal(sum.created, 1);
    assert.equal(sum.stopped, 'once');
    assert.equal(sum.pending, 0);

    list = await ls(db);
    assert.equal(list[0]!.state, 'submitted');
    const deps = deploymentsNamed(e!.deployment_name);
    assert.equal(deps.length, 1);
    assert.equal(list[0]!.deployment_uuid, deps[0]!.uuid);

    // the human table carries the same facts
    const human = await runCli(['queue', 'ls', '--db', db, '--no-json'], { sim: h.sim });
    assert.equal(human.code, 0);
    assert.match(human.stdout, /ID\s+NAME\s+STATE/);
    assert.ok(human.stdout.includes(e!.id) && human.stdout.includes(deps[0]!.uuid) && human.stdout.includes('submitted'));
  });

  test('ls --watch --json: a snapshot, then change lines and a new snapshot when the worker moves an entry; Ctrl-C exits 0', { timeout: 60_000 }, async () => {
    const db = newDb();
    const [e] = await add(db, cfg('lsw-a'));
    const child = spawnCli(['queue', 'ls', '--watch', '--interval', '0.1', '--db', db, '--json'], { sim: h.sim });
    const done = collect(child);
    await waitFor(child, 'stdout', '"type":"snapshot"');
    const moved = waitFor(child, 'stdout', '"to":"submitted"'); // listening before the worker runs
    const run = await q(db, 'run', '--once');
    assert.equal(run.code, 0, run.stderr);
    await moved;
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines[0]!.type, 'snapshot');
    assert.deepEqual((lines[0]!.entries as Entry[]).map((x) => [x.id, x.state]), [[e!.id, 'pending']]);
    const change = lines.find((l) => l.type === 'change' && l.to === 'submitted')!;
    assert.equal(change.id, e!.id);
    assert.equal(change.name, 'lsw-a');
    assert.ok(change.from === 'pending' || change.from === 'submitting', String(change.from));
    const last = lines.filter((l) => l.type === 'snapshot').at(-1)!;
    assert.deepEqual(last.counts, { submitted: 1 });
    // only changes are printed: far fewer snapshots than refreshes
    assert.ok(lines.filter((l) => l.type === 'snapshot').length <= 3, r.stdout);
  });

  test('ls --watch without a terminal: the table, then a line per change; --count ends it', { timeout: 60_000 }, async () => {
    const db = newDb();
    await add(db, cfg('lsw-b'));
    const child = spawnCli(['queue', 'ls', '--watch', '--interval', '0.1', '--count', '200', '--db', db, '--no-json'], { sim: h.sim });
    const done = collect(child);
    await waitFor(child, 'stdout', 'lsw-b');
    const moved = waitFor(child, 'stdout', /lsw-b\s+pending → cancelled/); // listening before the change
    assert.equal((await q(db, 'cancel', (await ls(db))[0]!.id)).code, 0);
    await moved;
    child.kill('SIGINT');
    assert.equal((await done).code, 0);
    const counted = await runCli(['queue', 'ls', '--watch', '--interval', '0.05', '--count', '3', '--db', db, '--json', '--all'], { sim: h.sim });
    assert.equal(counted.code, 0, counted.stderr);
    assert.equal(counted.stdout.trim().split('\n').length, 1, 'nothing changed: one snapshot in three refreshes');
  });

  test('show: the entry, its body and its history pending → submitting → submitted', async () => {
    const db = newDb();
    const [e] = await add(db, cfg('qa-show'));
    assert.equal((await q(db, 'run', '--once')).code, 0);
    const r = await q(db, 'show', e!.id.slice(2)); // the tag alone is accepted too
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = json<{ entry: Entry & { body: { name: string } }; history: Array<{ from_state: string | null; to_state: string; note: string }> }>(r);
    assert.equal(out.entry.id, e!.id);
    assert.equal(out.entry.body.name, 'qa-show');
    assert.deepEqual(
      out.history.map((h) => [h.from_state, h.to_state]),
      [
        [null, 'pending'],
        ['pending', 'submitting'],
        ['submitting', 'submitted'],
      ],
    );
    const missing = await q(db, 'show', 'q-zzzzzzzz');
    assert.equal(missing.code, 3);
    assert.equal(json<ErrorOut>(missing).error_type, 'not_found');
  });

  test('follow: the worker moves a submitted Job to running, then finished, as the clock advances', async () => {
    const db = newDb();
    const [e] = await add(db, cfg('qa-follow', {}, 'sleep 30'));
    assert.equal((await q(db, 'run', '--once')).code, 0);
    h.sim.world.advance(10_000); // creating 1 s + cold start 7 s
    assert.equal((await q(db, 'run', '--once')).code, 0);
    assert.equal((await ls(db))[0]!.state, 'running');
    h.sim.world.advance(60_000);
    assert.equal((await q(db, 'run', '--once')).code, 0);
    assert.equal((await ls(db)).length, 0, 'finished entries are hidden by default');
    const all = await ls(db, '--all');
    assert.equal(all[0]!.id, e!.id);
    assert.equal(all[0]!.state, 'finished');
  });

  test('a config with a sweep: block expands on add; --dry-run adds nothing', async () => {
    const db = newDb();
    const path = writeConfig('qa-sw.json', { ...template('qa-sw-{{x}}', {}, 'echo {{x}}; sleep 60'), sweep: { x: ['a', 'b'] } });
    const dry = await q(db, 'add', path, '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    const specs = json<Array<{ name: string; body: { container_template: { cmd: string } } }>>(dry);
    assert.deepEqual(specs.map((s) => s.name), ['qa-sw-a', 'qa-sw-b']);
    assert.equal(specs[1]!.body.container_template.cmd, 'echo b; sleep 60');
    assert.equal((await ls(db, '--all')).length, 0);
    const added = await add(db, path);
    assert.deepEqual(added.map((x) => x.name), ['qa-sw-a', 'qa-sw-b']);
  });

  test('a bad config adds nothing, even next to a good one (validation_error, exit 1)', async () => {
    const db = newDb();
    const bad = writeConfig('qa-bad.json', { ...template('qa-bad'), replica_num: 'two' });
    const r = await q(db, 'add', cfg('qa-good'), bad);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(json<ErrorOut>(r).error_type, 'validation_error');
    assert.equal((await ls(db, '--all')).length, 0);
  });
});

describe('cancel / retry / priority', () => {
  test('cancel a pending entry: the worker never creates it; a submitted one cannot be cancelled', async () => {
    const db = newDb();
    const [a, b] = await add(db, cfg('qc-a'), cfg('qc-b'));
    const c = await q(db, 'cancel', a!.id);
    assert.equal(c.code, 0, c.stderr + c.stdout);
    assert.deepEqual(json<{ entries: Array<{ id: string; state: string }> }>(c).entries, [{ id: a!.id, state: 'cancelled' }]);
    assert.equal((await q(db, 'run', '--once')).code, 0);
    assert.equal(deploymentsNamed(a!.deployment_name).length, 0);
    assert.equal(deploymentsNamed(b!.deployment_name).length, 1);
    const all = await ls(db, '--all');
    assert.deepEqual(all.map((x) => [x.id, x.state]), [
      [a!.id, 'cancelled'],
      [b!.id, 'submitted'],
    ]);
    // default ls hides cancelled; --state selects
    assert.deepEqual((await ls(db, '--state', 'cancelled')).map((x) => x.id), [a!.id]);

    const late = await q(db, 'cancel', b!.id);
    assert.equal(late.code, 1);
    assert.equal(json<ErrorOut>(late).error_type, 'validation_error');
    const unknown = await q(db, 'cancel', 'q-00000000');
    assert.equal(unknown.code, 3);
    assert.equal(json<ErrorOut>(unknown).error_type, 'not_found');
  });

  test('three refused creates → failed (submission_error details); retry puts it back and the next tick creates it', async () => {
    const db = newDb();
    const [e] = await add(db, cfg('qr-a'));
    h.sim.faults.add({ method: 'POST', path: '/api/v1/dev/deployment', kind: 'envelope_error', code: 'Failed', msg: 'refused', count: 3 });
    for (let i = 0; i < 3; i++) assert.equal((await q(db, 'run', '--once')).code, 0);
    const [failed] = await ls(db, '--state', 'failed');
    assert.equal(failed!.id, e!.id);
    assert.match(failed!.last_error ?? '', /refused/);
    const shown = json<{ entry: { error_details: { suggestion?: string } } }>(await q(db, 'show', e!.id));
    assert.ok(shown.entry.error_details.suggestion);
    assert.equal(deploymentsNamed(e!.deployment_name).length, 0);

    const r = await q(db, 'retry', e!.id);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal((await ls(db))[0]!.state, 'pending');
    assert.equal((await q(db, 'run', '--once')).code, 0);
    const [run2] = await ls(db);
    assert.equal(run2!.state, 'submitted');
    // a run whose creates were sent is over: the next one is created under a fresh mark (-r1)
    assert.equal(run2!.deployment_name, `${e!.deployment_name}-r1`);
    assert.equal(deploymentsNamed(run2!.deployment_name).length, 1);
    assert.equal(deploymentsNamed(e!.deployment_name).length, 0);
    const again = await q(db, 'retry', e!.id);
    assert.equal(again.code, 1, 'a submitted entry cannot be retried');
  });

  // red-team of issue 11 (never lost): a retry of a Job whose containers failed must run it
  // again. The entry keeps its mark, and the look-up before a create (attempts > 1) found the
  // earlier, failed deployment by that mark and took it for this attempt's create: no new
  // deployment, and the next tick followed the old one back to failed.
  test('retry of an entry whose deployment failed: a new deployment is created, the failed one is not taken for it', async () => {
    const db = newDb();
    const [e] = await add(db, cfg('qr-ran', {}, 'sleep 5; exit 1'));
    assert.equal((await q(db, 'run', '--once')).code, 0);
    h.sim.world.advance(60_000); // starts, runs 5 s, exits 1
    assert.equal((await q(db, 'run', '--once')).code, 0);
    const [failed] = await ls(db, '--state', 'failed');
    assert.equal(failed?.id, e!.id, JSON.stringify(await ls(db, '--all')));
    const first = failed!.deployment_uuid;
    assert.ok(first);
    const r = await q(db, 'retry', e!.id);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal((await q(db, 'run', '--once')).code, 0);
    const [again] = await ls(db);
    assert.equal(again!.state, 'submitted');
    assert.notEqual(again!.deployment_uuid, first, 'the retry is a new deployment, not the failed one');
    // the retry runs under a fresh mark: the failed one keeps the old name, the retry has its own
    assert.equal(again!.deployment_name, `${e!.deployment_name}-r1`);
    assert.deepEqual(deploymentsNamed(e!.deployment_name).map((d) => d.uuid), [first], 'the failed one, under the first mark');
    assert.deepEqual(deploymentsNamed(again!.deployment_name).map((d) => d.uuid), [again!.deployment_uuid], 'the retry, under its own');
  });

  test('priority: the higher entry takes the only idle GPU', async () => {
    const db = newDb();
    const [lo, hi] = await add(db, cfg('qp-lo'), cfg('qp-hi'));
    const r = await q(db, 'priority', hi!.id, '5');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    leaveIdle(1);
    assert.equal((await q(db, 'run', '--once')).code, 0);
    assert.equal(deploymentsNamed(hi!.deployment_name).length, 1);
    assert.equal(deploymentsNamed(lo!.deployment_name).length, 0);
  });
});

describe('queue run limits and signals', () => {
  test('--max-gpus 2: only two one-GPU entries are created though stock is plentiful', async () => {
    const db = newDb();
    await add(db, cfg('ql-a'), cfg('ql-b'), cfg('ql-c'));
    const r = await q(db, 'run', '--once', '--max-gpus', '2');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(json<{ created: number }>(r).created, 2);
    const tick = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; waiting?: Record<string, number> })
      .find((x) => x.type === 'tick');
    assert.deepEqual(tick?.waiting, { limit_gpus: 1 });
    const list = await ls(db);
    assert.deepEqual(list.map((x) => x.state).sort(), ['pending', 'submitted', 'submitted']);
    // the limit counts what is alive from earlier ticks too
    const r2 = await q(db, 'run', '--once', '--max-gpus', '2');
    assert.equal(json<{ created: number }>(r2).created, 0);
    const r3 = await q(db, 'run', '--once', '--max-gpus', '3');
    assert.equal(json<{ created: number }>(r3).created, 1);
  });

  test('--max-running 1 with --no-follow', async () => {
    const db = newDb();
    await add(db, cfg('qm-a'), cfg('qm-b'));
    const r = await q(db, 'run', '--once', '--max-running', '1', '--no-follow');
    assert.equal(json<{ created: number; pending: number }>(r).created, 1);
  });

  // red-team of issue 11 (limits never undercount): an entry whose create's reply was lost is
  // held in `submitting` for the settle window — its deployment may exist (here it does: the
  // platform applies the create after the client gave up). The limits counted only
  // submitted/running entries, so the next tick created another entry past --max-running.
  test('--max-running 1 counts an entry held after a lost reply: no second create while the first may exist', async () => {
    const db = newDb();
    const [a, b] = await add(db, cfg('qm-held-a'), cfg('qm-held-b'));
    h.sim.faults.add({ method: 'POST', path: '/api/v1/dev/deployment', kind: 'slow', delay_ms: 2500, count: 1 });
    const run = () => q(db, 'run', '--once', '--max-running', '1', '--request-timeout', '1', '--no-follow');
    const r1 = await run(); // a's create times out after 1 s; not listed yet: held for the settle window
    assert.equal(r1.code, 0, r1.stderr);
    assert.equal((await ls(db)).find((x) => x.id === a!.id)!.state, 'submitting', r1.stderr);
    const r2 = await run(); // the next tick, while a is held
    assert.equal(r2.code, 0, r2.stderr);
    while (deploymentsNamed(a!.deployment_name).length === 0) await new Promise((r) => setTimeout(r, 20)); // a lands
    assert.equal(deploymentsNamed(b!.deployment_name).length, 0, 'b was not created while a (held) may be running: --max-running 1');
    assert.equal((await ls(db)).find((x) => x.id === b!.id)!.state, 'pending');
  });

  test('--stock-interval / --follow-interval: bounded like every interval (exit 1), shown in the start record', async () => {
    const db = newDb();
    await add(db, cfg('qs-a'));
    for (const [flag, v] of [['--stock-interval', '0.001'], ['--follow-interval', '1e9'], ['--stock-interval', 'abc']] as const) {
      const bad = await q(db, 'run', '--once', flag, v);
      assert.equal(bad.code, 1, `${flag} ${v}: ${bad.stderr}`);
      assert.equal(json<ErrorOut>(bad).status, 'error');
    }
    const r = await q(db, 'run', '--once', '--stock-interval', '2', '--follow-interval', '120');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const start = r.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; stock_interval_s?: number; follow_interval_s?: number })
      .find((x) => x.type === 'start');
    assert.equal(start?.stock_interval_s, 2);
    assert.equal(start?.follow_interval_s, 120);
    assert.equal(json<{ created: number }>(r).created, 1);
  });

  test('Ctrl-C while waiting for GPUs: a normal stop (exit 0, no error), nothing created, entries pending with no lease', async () => {
    const db = newDb();
    await add(db, cfg('qi-a'));
    leaveIdle(0);
    const child = spawnCli(['queue', 'run', '--interval', '0.05', '--db', db, '--json'], { sim: h.sim });
    const done = collect(child);
    await waitFor(child, 'stderr', '"type":"tick"');
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const out = json<{ status: string; stopped: string; created: number; pending: number }>(r);
    assert.equal(out.status, 'success');
    assert.equal(out.stopped, 'signal');
    assert.equal(out.created, 0);
    assert.equal(out.pending, 1);
    assert.ok(r.stderr.includes('"type":"stopping"'));
    const [e] = await ls(db);
    assert.equal(e!.state, 'pending');
    assert.equal(e!.lease_owner, null);
    assert.equal(e!.attempts, 0);
    assert.equal(h.sim.world.allDeployments(true).length, 0);
  });
});

describe('sweep', () => {
  const tpl = () => writeConfig('sw-t.yaml', JSON.stringify(template('sw-lr{{lr}}-s{{seed}}', {}, 'python train.py --lr {{lr}} --seed {{seed}}; sleep 600')));

  test('--dry-run expands 2 × 3 = 6 specs with names and cmds substituted, adds nothing', async () => {
    const db = newDb();
    const r = await runCli(['sweep', tpl(), '--param', 'lr=1e-3,1e-4', '--param', 'seed=1,2,3', '--dry-run', '--db', db, '--json'], { sim: h.sim });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const specs = json<Array<{ name: string; params: Record<string, string>; body: { name: string; container_template: { cmd: string } } }>>(r);
    assert.equal(specs.length, 6);
    assert.deepEqual(
      specs.map((s) => s.name),
      ['sw-lr1e-3-s1', 'sw-lr1e-3-s2', 'sw-lr1e-3-s3', 'sw-lr1e-4-s1', 'sw-lr1e-4-s2', 'sw-lr1e-4-s3'],
    );
    // the body as sent: the name marked with the entry's tag (######## before the entry exists; issue 15)
    assert.deepEqual(specs.map((s) => s.body.name), specs.map((s) => `${s.name}-q########`));
    assert.equal(specs[4]!.body.container_template.cmd, 'python train.py --lr 1e-4 --seed 2; sleep 600');
    assert.deepEqual(specs[4]!.params, { lr: '1e-4', seed: '2' });
    assert.ok(specs.every((s) => !s.body.name.includes('{{') && !s.body.container_template.cmd.includes('{{')));
    assert.equal((await ls(db, '--all')).length, 0);
  });

  test('adds 6 entries; one worker submits every one exactly once while GPUs free up', async () => {
    const db = newDb();
    const r = await runCli(['sweep', tpl(), '--param', 'lr=1e-3,1e-4', '--param', 'seed=1,2,3', '--priority', '2', '--db', db, '--json'], { sim: h.sim });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const added = json<{ entries: Entry[] }>(r).entries;
    assert.equal(added.length, 6);
    assert.ok(added.every((e) => e.priority === 2));

    const took = leaveIdle(2);
    const child = spawnCli(['queue', 'run', '--interval', '0.05', '--drain', '--db', db, '--json'], { sim: h.sim });
    const done = collect(child);
    // after the first tick created two, the next ticks see 4 pending and no stock
    await waitFor(child, 'stderr', /"type":"tick"[^\n]*"pending":4[^\n]*"no_stock":4/);
    assert.equal(h.sim.world.allDeployments(true).length, 2);
    h.sim.world.free('RTX 4090', took);
    const out = await done;
    assert.equal(out.code, 0, out.stderr);
    const sum = json<{ created: number; stopped: string; pending: number }>(out);
    assert.equal(sum.stopped, 'drained');
    assert.equal(sum.created, 6);
    for (const e of added) assert.equal(deploymentsNamed(e.deployment_name).length, 1, `one deployment for ${e.deployment_name}`);
    assert.equal(h.sim.world.allDeployments(true).length, 6);
    const list = await ls(db);
    assert.ok(list.every((e) => e.state === 'submitted' && e.attempts === 1));
  });

  test('the sweep: block of the file is used without --param; --param overrides it', async () => {
    const db = newDb();
    const path = writeConfig('sw-file.json', { ...template('swf-{{k}}', {}, 'echo {{k}}; sleep 60'), sweep: { k: ['x', 'y', 'z'] } });
    const a = await runCli(['sweep', path, '--dry-run', '--json', '--db', db], { sim: h.sim });
    assert.deepEqual(json<Array<{ name: string }>>(a).map((s) => s.name), ['swf-x', 'swf-y', 'swf-z']);
    const b = await runCli(['sweep', path, '--param', 'k=w', '--dry-run', '--json', '--db', db], { sim: h.sim });
    assert.deepEqual(json<Array<{ name: string }>>(b).map((s) => s.name), ['swf-w']);
  });

  test('bad parameters: validation_error, exit 1, nothing added', async () => {
    const db = newDb();
    for (const params of [['--param', 'lr'], ['--param', 'lr=1e-3,,1e-4', '--param', 'seed=1'], ['--param', 'lr=1', '--param', 'seed=1', '--param', 'unused=1,2'], ['--param', 'lr=1']]) {
      const r = await runCli(['sweep', tpl(), ...params, '--db', db, '--json'], { sim: h.sim });
      assert.equal(r.code, 1, `${params.join(' ')}: ${r.stdout}`);
      const err = json<ErrorOut>(r);
      assert.equal(err.error_type, 'validation_error', params.join(' '));
      assert.ok(Array.isArray(err.details.errors) && err.details.errors.length > 0);
    }
    assert.equal((await ls(db, '--all')).length, 0);
  });
});

describe('secrets', () => {
  test('the queue database never contains the token', async () => {
    const db = newDb();
    await add(db, cfg('qs-a'), cfg('qs-b'));
    assert.equal((await q(db, 'run', '--once')).code, 0);
    h.sim.faults.add({ method: 'POST', path: '/api/v1/dev/deployment', kind: 'envelope_error', msg: `bad token=${h.sim.token}` });
    await add(db, cfg('qs-c'));
    assert.equal((await q(db, 'run', '--once')).code, 0);
    const dir = join(db, '..');
    const files = readdirSync(dir).filter((f) => f.startsWith('queue.db'));
    assert.ok(files.length >= 1);
    let bytes = 0;
    for (const f of files) {
      const buf = readFileSync(join(dir, f));
      bytes += buf.length;
      assert.equal(buf.indexOf(Buffer.from(h.sim.token)), -1, `token found in ${f}`);
    }
    assert.ok(bytes > 0);
    // the refused create was recorded (redacted), so the check above looked at a real error
    const c = (await ls(db)).find((e) => e.name === 'qs-c');
    assert.match(c!.last_error ?? '', /token=\*\*\*/);
  });
});

describe('a PostgreSQL queue (--db postgres://…)', { skip: PG_SKIP }, () => {
  test('add, two workers at once, ls and show: each entry created once; the URL password never printed', async () => {
    const url = await freshPgDatabase();
    const password = new URL(url).password;
    const added = await add(url, cfg('pg-a'), cfg('pg-b'), cfg('pg-c'));
    assert.equal(added.length, 3);
    const [w1, w2] = await Promise.all([q(url, 'run', '--once'), q(url, 'run', '--once')]);
    assert.equal(w1.code, 0, w1.stderr);
    assert.equal(w2.code, 0, w2.stderr);
    const entries = await ls(url, '--all');
    assert.deepEqual(entries.map((e) => e.state).sort(), ['submitted', 'submitted', 'submitted']);
    for (const e of entries) assert.equal(deploymentsNamed(e.deployment_name).length, 1, `${e.deployment_name} created once`);
    const listing = await q(url, 'ls');
    assert.match(json<{ db: string }>(listing).db, /^postgres(ql)?:\/\/[^:]+:\*\*\*@/);
    const show = await q(url, 'show', entries[0]!.id);
    assert.equal(show.code, 0, show.stderr);
    const leaks = outputs.filter((o) => o.includes(password));
    assert.deepEqual(leaks, [], 'the database password appeared in output');
  });

  test('a server that refuses: config_error, exit 1, the password not shown', async () => {
    const url = new URL(await freshPgDatabase());
    url.password = 'not-the-password-4321';
    const r = await q(url.toString(), 'ls');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
    assert.ok(!(r.stdout + r.stderr).includes('not-the-password-4321'));
  });
});
