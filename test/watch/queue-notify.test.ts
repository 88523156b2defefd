// Queue notifications (issue 5, §6): the worker's events become "submitted", "all_running",
// "job_finished" and "failed" notifications, sent to the sinks of the user config; a sink
// that fails never stops the worker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allRunning, queueNotification } from '../../src/notify/queue.js';
import type { DeploymentCounts } from '../../src/queue/submitter.js';
import { DEMO_IMAGE_UUID } from '../../src/sim/index.js';
import { ensureBuilt, json, runCli, startSim, tempHome, writeConfig, type Home, type SimHandle } from '../cli/helpers.js';

const counts = (o: Partial<DeploymentCounts>): DeploymentCounts => ({
  deployment_type: 'Job',
  status: 'running',
  replica_num: 4,
  parallelism_num: 2,
  starting_num: 0,
  running_num: 0,
  finished_num: 0,
  failed_num: 0,
  ...o,
});

describe('allRunning', () => {
  test('ReplicaSet: every replica running, nothing starting', () => {
    assert.equal(allRunning(counts({ deployment_type: 'ReplicaSet', replica_num: 3, running_num: 3 })), true);
    assert.equal(allRunning(counts({ deployment_type: 'ReplicaSet', replica_num: 3, running_num: 2 })), false);
    assert.equal(allRunning(counts({ deployment_type: 'ReplicaSet', replica_num: 3, running_num: 3, starting_num: 1 })), false);
  });
  test('Job: as many running as parallelism allows for what is left', () => {
    assert.equal(allRunning(counts({ running_num: 2 })), true);
    assert.equal(allRunning(counts({ running_num: 1 })), false);
    assert.equal(allRunning(counts({ running_num: 1, finished_num: 3 })), true, 'one left: one running is all');
    assert.equal(allRunning(counts({ running_num: 0, finished_num: 4 })), false, 'a finished Job is not running');
  });
});

describe('queueNotification', () => {
  test('maps worker events, and says "all running" once per entry', () => {
    const seen = new Set<string>();
    const sub = queueNotification({ type: 'created', id: 'q-1', deployment_uuid: 'u1', deployment_name: 'a-q1' }, seen);
    assert.equal(sub?.kind, 'submitted');
    const obs = { type: 'observed' as const, id: 'q-1', deployment_uuid: 'u1', deployment_name: 'a-q1', deployment: counts({ running_num: 2 }) };
    assert.equal(queueNotification(obs, seen)?.kind, 'all_running');
    assert.equal(queueNotification(obs, seen), undefined);
    assert.equal(queueNotification({ type: 'state', id: 'q-1', from: 'running', to: 'finished', note: 'finished 4/4' }, seen)?.kind, 'job_finished');
    assert.equal(queueNotification({ type: 'state', id: 'q-1', from: 'running', to: 'finished', note: 'deployment stopped' }, seen), undefined);
    assert.equal(queueNotification({ type: 'state', id: 'q-2', from: 'running', to: 'failed', note: 'containers failed: 1' }, seen)?.kind, 'failed');
    assert.equal(queueNotification({ type: 'failed', id: 'q-3', error_type: 'submission_error', details: {} }, seen)?.kind, 'failed');
    // the platform's own reason is named (a quota refusal of the private cloud)
    const quota = queueNotification(
      { type: 'failed', id: 'q-4', error_type: 'submission_error', details: { platform_reason: { code: 'GpuStockReqNum', msg: '额度不足', kind: 'quota' } } },
      seen,
    );
    assert.match(quota!.message, /refused the create 3 times in a row: 额度不足 \(code GpuStockReqNum\)/);
    assert.equal(queueNotification({ type: 'tick', worker: 'w', pending: 0, alive: 0, planned: 0, waiting: {} }, seen), undefined);
  });
});

describe('queue run sends notifications (end to end)', () => {
  let sim: SimHandle;
  let receiver: Server;
  let hookUrl: string;
  let home: Home;
  const received: Array<{ kind: string; message: string }> = [];
  let failFirst = 0;
  const dirs: string[] = [];

  before(async () => {
    ensureBuilt();
    sim = await startSim();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failFirst > 0) {
          failFirst--;
          res.writeHead(500).end('no');
          return;
        }
        received.push(JSON.parse(body) as { kind: string; message: string });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    home = tempHome();
    mkdirSync(join(home.env.XDG_CONFIG_HOME!, 'autodl'), { recursive: true });
    writeFileSync(join(home.env.XDG_CONFIG_HOME!, 'autodl', 'config.json'), JSON.stringify({ notify: [{ type: 'webhook', url: hookUrl }] }), { mode: 0o600 });
  });
  after(async () => {
    await sim.close();
    receiver.close();
    home.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('submitted → all_running → job_finished, through a sink that fails once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodl-qn-'));
    dirs.push(dir);
    const db = join(dir, 'queue.db');
    const cfg = writeConfig('notify-job.json', {
      name: 'notify-job',
      deployment_type: 'Job',
      replica_num: 2,
      parallelism_num: 2,
      container_template: { gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, image_uuid: DEMO_IMAGE_UUID, cmd: 'sleep 60' },
    });
    const run = (...a: string[]) => runCli(['queue', ...a, '--db', db, '--json'], { sim, home });
    assert.equal((await run('add', cfg)).code, 0);

    failFirst = 1; // the first delivery fails with HTTP 500: retried, the worker goes on
    const r1 = await run('run', '--once');
    assert.equal(r1.code, 0, r1.stderr);
    assert.deepEqual(received.map((e) => e.kind), ['submitted']);

    sim.world.advance(30_000); // both containers running
    assert.equal((await run('run', '--once')).code, 0);
    assert.deepEqual(received.map((e) => e.kind), ['submitted', 'all_running']);

    sim.world.advance(120_000); // both finished
    const r3 = await run('run', '--once');
    assert.equal(r3.code, 0, r3.stderr);
    assert.deepEqual(received.map((e) => e.kind), ['submitted', 'all_running', 'job_finished']);
    const ls = await run('ls', '--all');
    assert.equal(json<{ entries: Array<{ state: string }> }>(ls).entries[0]?.state, 'finished');
  });

  test('a sink that never answers well only warns; the worker still submits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodl-qn-'));
    dirs.push(dir);
    const db = join(dir, 'queue.db');
    const cfg = writeConfig('notify-rs.json', {
      name: 'notify-rs',
      deployment_type: 'ReplicaSet',
      replica_num: 1,
      container_template: { gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, image_uuid: DEMO_IMAGE_UUID, cmd: 'sleep infinity' },
    });
    const run = (...a: string[]) => runCli(['queue', ...a, '--db', db, '--json'], { sim, home });
    assert.equal((await run('add', cfg)).code, 0);
    failFirst = 100;
    const before = received.length;
    const r = await run('run', '--once');
    failFirst = 0;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(received.length, before);
    assert.match(r.stderr, /"type":"warning".*submitted/);
    assert.equal(json<{ created: number }>(r).created, 1);
  });
});

describe('policy notifications (issue 16)', () => {
  test('a stop or a warning by a policy is a `policy` notification; a dependency failure is told once, as failed', () => {
    const stop = queueNotification({ type: 'policy', id: 'q-aaaaaaaa', action: 'stop', reason: 'max_runtime', detail: 'ran 4h of 4h', deployment_uuid: 'd1' }, new Set());
    assert.equal(stop?.kind, 'policy');
    assert.match(stop!.message, /q-aaaaaaaa: stopped by policy max_runtime \(ran 4h of 4h\)/);
    assert.deepEqual(stop!.deployment, { uuid: 'd1' });
    const warn = queueNotification({ type: 'policy', id: 'q-aaaaaaaa', action: 'warn', reason: 'max_cost', detail: 'spent ¥10.00 of ¥10.00' }, new Set());
    assert.match(warn!.message, /warning by policy max_cost/);
    assert.equal(queueNotification({ type: 'policy', id: 'q-bbbbbbbb', action: 'fail', reason: 'dependency_failed', detail: 'q-aaaaaaaa failed' }, new Set()), undefined);
    assert.equal(queueNotification({ type: 'state', id: 'q-bbbbbbbb', from: 'pending', to: 'failed', note: 'dependency_failed: q-aaaaaaaa failed' }, new Set())?.kind, 'failed');
  });

  test('a resubmission by the retry policy is a `policy` notification with its cause, run and blacklisted hosts', () => {
    const n = queueNotification(
      { type: 'retry', id: 'q-cccccccc', n: 2, max: 3, cause: 'host_error', detail: 'containers failed: 1; failed repeatedly on h1', deployment_uuid: 'd9', next_deployment_name: 'train-qcccccccc-r2', blacklisted: ['h1'] },
      new Set(),
    );
    assert.equal(n?.kind, 'policy');
    assert.match(n!.message, /q-cccccccc: resubmitted by its retry policy \(host_error, retry 2 of 3\): containers failed: 1; failed repeatedly on h1; blacklisted h1/);
    assert.deepEqual(n!.deployment, { uuid: 'd9' });
    assert.equal(n!.entry?.name, 'train-qcccccccc-r2');
    assert.equal(queueNotification({ type: 'blacklisted', id: 'q-cccccccc', machine_id: 'h1', failures: 2, expire_in_minutes: 1440 }, new Set()), undefined, 'told once, with the retry');
  });
});
