// The queue's policies from the command line (issue 16), end to end: the real CLI as
// subprocesses against the in-process simulator.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { deploymentConfig, json, runCli, writeConfig } from '../cli/helpers.js';
import { queueCliHarness } from './harness.js';

const h = queueCliHarness('autodl-policy-cli-');
const newDb = () => h.newDb();
const cfg = (name: string, cmd = 'sleep infinity') => writeConfig(`${name}.json`, deploymentConfig(name, { tpl: { cmd } }));
const q = (db: string, ...args: string[]) => runCli(['queue', ...args, '--db', db, '--json'], { sim: h.sim });

interface Entry {
  id: string;
  name: string;
  state: string;
  owner: string | null;
  deployment_uuid: string | null;
  policy: Record<string, unknown> | null;
  enforced: { action: string; reason: string; detail: string } | null;
  last_error: string | null;
}
async function ls(db: string, ...extra: string[]): Promise<Entry[]> {
  const r = await q(db, 'ls', '--all', ...extra);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return json<{ entries: Entry[] }>(r).entries;
}

describe('queue policies from the command line', () => {
  test('--max-runtime: the worker stops the deployment once it has run that long, and says why', async () => {
    const db = newDb();
    const add = await q(db, 'add', cfg('pol-ttl'), '--max-runtime', '1s', '--owner', 'alice');
    assert.equal(add.code, 0, add.stderr);
    const [e] = await ls(db);
    assert.deepEqual(e!.policy, { maxRuntimeMs: 1000 });
    assert.equal(e!.owner, 'alice');
    assert.equal((await q(db, 'run', '--once')).code, 0);
    assert.ok((await ls(db))[0]!.deployment_uuid);
    await delay(1200); // the worker measures time limits on the database's clock
    const run = await runCli(['queue', 'run', '--once', '--db', db], { sim: h.sim });
    assert.equal(run.code, 0, run.stderr);
    // the worker's NDJSON carries the policy event and the state change with its reason
    const events = run.stderr.trim().split('\n').map((l) => JSON.parse(l) as { type: string; action?: string; reason?: string; note?: string });
    assert.ok(events.some((x) => x.type === 'policy' && x.action === 'stop' && x.reason === 'max_runtime'), run.stderr);
    assert.ok(events.some((x) => x.type === 'state' && /stopped by policy: max_runtime/.test(x.note ?? '')));
    const [done] = await ls(db);
    assert.equal(done!.state, 'finished');
    assert.equal(done!.enforced?.reason, 'max_runtime');
    const d = h.sim.world.allDeployments(true).find((x) => x.uuid === done!.deployment_uuid)!;
    assert.equal(d.status, 'stopped');
    // the table shows the policy and what it did
    const table = await runCli(['queue', 'ls', '--all', '--db', db, '--no-json'], { sim: h.sim });
    assert.match(table.stdout, /POLICY/);
    assert.match(table.stdout, /≤1s stopped: max_runtime/);
    assert.equal((await ls(db, '--owner', 'alice')).length, 1);
    assert.equal((await ls(db, '--owner', 'bob')).length, 0);
  });

  test('--after by name: the eval waits for its train; an unknown reference adds nothing', async () => {
    const db = newDb();
    assert.equal((await q(db, 'add', cfg('pol-train', 'sleep 30'))).code, 0);
    const bad = await q(db, 'add', cfg('pol-eval', 'sleep 30'), '--after', 'no-such-train');
    assert.equal(bad.code, 1);
    assert.equal(json<{ error_type: string }>(bad).error_type, 'validation_error');
    assert.equal((await ls(db)).length, 1, 'nothing added');
    const ok = await q(db, 'add', cfg('pol-eval', 'sleep 30'), '--after', 'pol-train');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await q(db, 'run', '--once')).code, 0);
    let [train, ev] = await ls(db);
    assert.ok(train!.deployment_uuid, 'train created');
    assert.equal(ev!.state, 'pending');
    assert.equal(ev!.deployment_uuid, null, 'eval not created while its train runs');
    h.sim.world.advance(60_000);
    assert.equal((await q(db, 'run', '--once')).code, 0); // follows the train to finished
    assert.equal((await q(db, 'run', '--once')).code, 0); // now the eval may start
    [train, ev] = await ls(db);
    assert.equal(train!.state, 'finished');
    assert.ok(ev!.deployment_uuid, 'eval created after its train finished');
  });

  test('bad policy options are config or validation errors and add nothing', async () => {
    const db = newDb();
    for (const [args, type] of [
      [['--grace', '5m'], 'config_error'],
      [['--after-any'], 'config_error'],
      [['--max-runtime', 'soon'], 'config_error'],
      [['--on-cap', 'explode'], 'config_error'],
      [['--max-runtime', '400d'], 'validation_error'],
    ] as const) {
      const r = await q(db, 'add', cfg('pol-bad'), ...args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
      assert.equal(json<{ error_type: string }>(r).error_type, type, args.join(' '));
    }
    assert.equal((await ls(db)).length, 0);
    const r = await runCli(['queue', 'run', '--once', '--share', 'team', '--db', db, '--json'], { sim: h.sim });
    assert.equal(r.code, 1);
    assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
  });
});

describe('autodl ttl: a deployment made outside the queue under a time limit', () => {
  test('created with `autodl create`, put under 1s by name; the worker stops it; off lifts it; retry is refused', async () => {
    const db = newDb();
    const made = await runCli(['create', cfg('ttl-debug'), '--json'], { sim: h.sim });
    assert.equal(made.code, 0, made.stderr);
    const uuid = json<{ deployment_uuid: string }>(made).deployment_uuid;
    const dry = await runCli(['ttl', 'ttl-debug', '2h', '--dry-run', '--db', db, '--json'], { sim: h.sim });
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(json<{ deployment_uuid: string; stops_at: string }>(dry).deployment_uuid, uuid);
    assert.equal((await ls(db)).length, 0, 'a dry run adds nothing');
    const set = await runCli(['ttl', 'ttl-debug', '1s', '--db', db, '--json'], { sim: h.sim });
    assert.equal(set.code, 0, set.stderr);
    const out = json<{ adopted: boolean; entry: Entry }>(set);
    assert.equal(out.adopted, true);
    assert.equal(out.entry.state, 'submitted');
    assert.equal(out.entry.deployment_uuid, uuid);
    // again: the same entry, its limit replaced (not a second entry)
    const again = json<{ adopted: boolean; entry: Entry }>(await runCli(['ttl', uuid, '1s', '--db', db, '--json'], { sim: h.sim }));
    assert.equal(again.adopted, false);
    assert.equal(again.entry.id, out.entry.id);
    await delay(1200);
    const run = await runCli(['queue', 'run', '--once', '--db', db], { sim: h.sim });
    assert.equal(run.code, 0, run.stderr);
    const [e] = await ls(db);
    assert.equal(e!.state, 'finished');
    assert.equal(e!.enforced?.reason, 'max_runtime');
    assert.equal(h.sim.world.allDeployments(true).find((d) => d.uuid === uuid)!.status, 'stopped');
    assert.equal(h.sim.world.allDeployments(true).filter((d) => d.name.startsWith('ttl-debug')).length, 1, 'nothing was created');
    const retry = await q(db, 'retry', e!.id);
    assert.equal(retry.code, 1);
    assert.equal(json<{ error_type: string }>(retry).error_type, 'validation_error');
    const missing = await runCli(['ttl', 'no-such-deployment', '1h', '--db', db, '--json'], { sim: h.sim });
    assert.equal(json<{ error_type: string }>(missing).error_type, 'not_found');
  });

  test('off lifts the limit of an adopted deployment before it is reached', async () => {
    const db = newDb();
    const made = await runCli(['create', cfg('ttl-keep'), '--json'], { sim: h.sim });
    const uuid = json<{ deployment_uuid: string }>(made).deployment_uuid;
    assert.equal((await runCli(['ttl', 'ttl-keep', '1s', '--db', db, '--json'], { sim: h.sim })).code, 0);
    const off = json<{ entry: Entry }>(await runCli(['ttl', 'ttl-keep', 'off', '--db', db, '--json'], { sim: h.sim }));
    assert.equal(off.entry.policy, null);
    await delay(1200);
    assert.equal((await q(db, 'run', '--once')).code, 0);
    assert.notEqual(h.sim.world.allDeployments(true).find((d) => d.uuid === uuid)!.status, 'stopped');
  });
});
