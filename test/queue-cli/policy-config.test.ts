// The queue's policies declared in the config's `queue:` block (issue 16), end to end: the real
// CLI against the in-process simulator, in SQLite and (with AUTODL_TEST_PG_URL) PostgreSQL.
// The flags override the file; `create` ignores the block with a warning and never sends it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { deploymentConfig, json, runCli, writeConfig } from '../cli/helpers.js';
import { freshPgDatabase, PG_URL } from '../queue/pg-helpers.js';
import { queueCliHarness } from './harness.js';

const h = queueCliHarness('autodl-policy-config-');
const withQueue = (name: string, queue: Record<string, unknown>, cmd = 'sleep infinity') =>
  writeConfig(`${name}.json`, { ...deploymentConfig(name, { tpl: { cmd } }), queue });
const q = (db: string, ...args: string[]) => runCli(['queue', ...args, '--db', db, '--json'], { sim: h.sim });

interface Entry {
  id: string;
  name: string;
  label: string | null;
  state: string;
  owner: string | null;
  deployment_uuid: string | null;
  policy: Record<string, unknown> | null;
  enforced: { action: string; reason: string } | null;
}
async function ls(db: string): Promise<Entry[]> {
  const r = await q(db, 'ls', '--all');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  return json<{ entries: Entry[] }>(r).entries;
}

const backends: Array<[string, () => Promise<string>]> = [['SQLite', async () => h.newDb()]];
if (PG_URL) backends.push(['PostgreSQL', freshPgDatabase]);

for (const [backend, newDb] of backends) {
  describe(`the config's queue: block (${backend})`, () => {
    test('queue add: the block becomes the entry policy and owner; a time limit from the file stops the deployment', async () => {
      const db = await newDb();
      const path = withQueue('cfg-ttl', { max_runtime: '1s', max_cost: 5, on_cap: 'warn', owner: 'carol', retry: { max: 2, on: ['failed', 'unscheduled'], unscheduled_after: '2m' } });
      const add = await q(db, 'add', path);
      assert.equal(add.code, 0, add.stderr);
      const [e] = await ls(db);
      assert.deepEqual(e!.policy, { maxRuntimeMs: 1000, maxCost: 5, onCap: 'warn', retry: { max: 2, on: ['failed', 'unscheduled'], unscheduledAfterMs: 120_000 } });
      assert.equal(e!.owner, 'carol');
      assert.equal((await q(db, 'run', '--once')).code, 0);
      const [sent] = await ls(db);
      assert.ok(sent!.deployment_uuid);
      // the block never reaches the platform: the simulator keeps the body it was sent
      const d = h.sim.world.allDeployments(true).find((x) => x.uuid === sent!.deployment_uuid)!;
      assert.equal(JSON.stringify(d).includes('max_runtime'), false);
      await delay(1200); // time limits are measured on the database's clock
      assert.equal((await q(db, 'run', '--once')).code, 0);
      const [done] = await ls(db);
      assert.equal(done!.state, 'finished');
      assert.equal(done!.enforced?.reason, 'max_runtime');
    });

    test('flags override the file: --max-runtime, --owner, --retry replace its fields; --after replaces its list', async () => {
      const db = await newDb();
      assert.equal((await q(db, 'add', withQueue('cfg-train', {}, 'sleep 30'))).code, 0);
      const path = withQueue('cfg-eval', { max_runtime: '4h', owner: 'carol', after: ['no-such-entry'], retry: { max: 1 } }, 'sleep 30');
      // the file's own `after` names nothing in the queue: refused, nothing added
      const bad = await q(db, 'add', path);
      assert.equal(bad.code, 1);
      assert.equal(json<{ error_type: string }>(bad).error_type, 'validation_error');
      assert.equal((await ls(db)).length, 1);
      // a dry run shows what each entry would get (after as written: resolved at add time)
      const dry = await q(db, 'add', path, '--max-runtime', '2h', '--dry-run');
      assert.equal(dry.code, 0, dry.stderr);
      assert.deepEqual(json<Array<{ policy: unknown; owner: string }>>(dry)[0]!.policy, { maxRuntimeMs: 7_200_000, after: ['no-such-entry'], retry: { max: 1, on: ['failed'] } });
      assert.equal((await ls(db)).length, 1, 'a dry run adds nothing');
      const ok = await q(db, 'add', path, '--max-runtime', '2h', '--owner', 'dave', '--retry', '3', '--after', 'cfg-train');
      assert.equal(ok.code, 0, ok.stderr);
      const [train, ev] = await ls(db);
      assert.equal(ev!.owner, 'dave');
      assert.deepEqual(ev!.policy, { maxRuntimeMs: 7_200_000, after: [train!.id], retry: { max: 3, on: ['failed'] } });
    });

    test('retry from the file: a failed Job is resubmitted under a fresh mark; the reason is in queue ls / show / JSON / NDJSON', async () => {
      const db = await newDb();
      const add = await q(db, 'add', withQueue('cfg-retry', { retry: { max: 1, on: ['failed'] } }, 'exit 1'));
      assert.equal(add.code, 0, add.stderr);
      assert.equal((await q(db, 'run', '--once')).code, 0);
      const [first] = await ls(db);
      assert.ok(first!.deployment_uuid);
      h.sim.world.advance(60_000); // the container has exited 1
      const run = await runCli(['queue', 'run', '--once', '--db', db], { sim: h.sim });
      assert.equal(run.code, 0, run.stderr);
      const events = run.stderr.trim().split('\n').map((l) => JSON.parse(l) as { type: string; cause?: string; n?: number; next_deployment_name?: string });
      const retry = events.find((x) => x.type === 'retry');
      assert.ok(retry && retry.cause === 'failed' && retry.n === 1, run.stderr);
      assert.match(retry.next_deployment_name!, /^cfg-retry-q[0-9a-z]{8}-r1$/);
      const entries = json<{ entries: Array<Entry & { retries: number; retry_log: Array<{ cause: string; deployment_uuid: string; at: string }> | null; deployment_name: string }> }>(await q(db, 'ls', '--all')).entries;
      const e = entries[0]!;
      assert.equal(e.retries, 1);
      assert.equal(e.retry_log![0]!.cause, 'failed');
      assert.equal(e.retry_log![0]!.deployment_uuid, first!.deployment_uuid);
      assert.match(e.retry_log![0]!.at, /^\d{4}-\d\d-\d\dT/);
      assert.equal(e.deployment_name, retry.next_deployment_name);
      const table = await runCli(['queue', 'ls', '--all', '--db', db, '--no-json'], { sim: h.sim });
      assert.match(table.stdout, /retry 1\/1 \(failed\)/);
      const show = await runCli(['queue', 'show', e.id, '--db', db, '--no-json'], { sim: h.sim });
      assert.match(show.stdout, /#1 failed: containers failed/);
      assert.match(show.stdout, /resubmit 1 of 1 \(failed\)/);
      // the second run fails too: retries used, the entry fails, and no third deployment is made
      assert.equal((await q(db, 'run', '--once')).code, 0);
      h.sim.world.advance(60_000);
      assert.equal((await q(db, 'run', '--once')).code, 0);
      const [last] = await ls(db);
      assert.equal(last!.state, 'failed');
      assert.equal(h.sim.world.allDeployments(true).filter((d) => d.name.startsWith('cfg-retry-q')).length, 2);
    });

    test('sweep: label_budget and after label:<l> from the file, every combination under them', async () => {
      const db = await newDb();
      assert.equal((await q(db, 'add', withQueue('cfg-prep', {}, 'sleep 30'), '--label', 'prep')).code, 0);
      const path = writeConfig('cfg-sweep.json', {
        ...deploymentConfig('cfg-sw-{{lr}}', { tpl: { cmd: 'echo {{lr}}; sleep 30' } }),
        sweep: { lr: ['1', '2'] },
        queue: { label_budget: 12.5, after: ['label:prep'], after_any: true },
      });
      const r = await runCli(['sweep', path, '--label', 'sw', '--db', db, '--json'], { sim: h.sim });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const all = await ls(db);
      const prep = all.find((x) => x.label === 'prep')!;
      const sw = all.filter((x) => x.label === 'sw');
      assert.equal(sw.length, 2);
      for (const e of sw) assert.deepEqual(e.policy, { labelBudget: 12.5, after: [prep.id], afterAny: true });
    });
  });
}

describe("the config's queue: block: errors and other commands", () => {
  test('a bad block is a validation_error naming the field and its line; nothing is added', async () => {
    const db = h.newDb();
    const yaml = [
      'name: cfg-bad',
      'deployment_type: Container',
      'container_template:',
      '  gpu_name_set: [RTX 4090]',
      '  gpu_num: 1',
      '  cuda_v: 118',
      '  image_uuid: image-6b5ad2b1ce',
      '  cmd: sleep 10',
      'queue:',
      '  max_runtime: soon',
      '  grace: 5m',
      '  retry: {max: 2, on: [crashed]}',
      '  owner: "bad owner"',
    ].join('\n');
    const r = await q(db, 'add', writeConfig('bad.yaml', yaml));
    assert.equal(r.code, 1, r.stdout);
    const out = json<{ error_type: string; details: { errors: Array<{ path: string; line?: number; message: string }> } }>(r);
    assert.equal(out.error_type, 'validation_error');
    const paths = out.details.errors.map((e) => e.path);
    assert.ok(paths.includes('queue.retry.on[0]'), JSON.stringify(out.details.errors));
    assert.ok(paths.includes('queue.owner'), JSON.stringify(out.details.errors));
    assert.equal(out.details.errors.find((e) => e.path === 'queue.owner')!.line, 13);
    assert.equal((await ls(db)).length, 0);
    // a duration that parses as a string but is no duration, and a grace without a limit
    const r2 = await q(db, 'add', withQueue('cfg-bad2', { max_runtime: 'soon' }));
    assert.deepEqual(json<{ details: { errors: Array<{ path: string }> } }>(r2).details.errors.map((e) => e.path), ['queue.max_runtime']);
    const r3 = await q(db, 'add', withQueue('cfg-bad3', { grace: '5m' }));
    assert.deepEqual(json<{ details: { errors: Array<{ path: string }> } }>(r3).details.errors.map((e) => e.path), ['queue.grace']);
  });

  test('create ignores the block with a warning and sends a body without it', async () => {
    const r = await runCli(['create', withQueue('cfg-create', { max_runtime: '1h' }), '--json'], { sim: h.sim });
    assert.equal(r.code, 0, r.stderr);
    const warn = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { code?: string; path?: string });
    assert.ok(warn.some((w) => w.code === 'queue_block_ignored' && w.path === 'queue'), r.stderr);
    const uuid = json<{ deployment_uuid: string }>(r).deployment_uuid;
    assert.ok(h.sim.world.allDeployments(true).some((d) => d.uuid === uuid));
    const zh = await runCli(['create', withQueue('cfg-create-zh', { max_runtime: '1h' }), '--no-json', '--lang', 'zh'], { sim: h.sim });
    assert.equal(zh.code, 0, zh.stderr);
    assert.match(zh.stderr, /create 忽略它/);
  });

  test('submit records the policy on its entry (a worker of the account enforces it)', async () => {
    const db = h.newDb();
    const r = await runCli(['submit', withQueue('cfg-submit', { max_runtime: '3h', owner: 'erin', after: ['x'] }), '--db', db, '--json'], { sim: h.sim });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /queue\.after is ignored by submit/);
    const [e] = await ls(db);
    assert.equal(e!.owner, 'erin');
    assert.deepEqual(e!.policy, { maxRuntimeMs: 3 * 3_600_000 });
  });
});
