// watch / wait / cost / ssh / notify-test end to end: the real CLI against the simulator on a
// manual clock. The test advances the clock while the child polls.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutodlClient } from '../../src/api/client.js';
import type { Container, DeploymentType, CreateDeploymentBody } from '../../src/api/types.js';
import { assertTokenNeverPrinted, deploymentConfig, collect, ensureBuilt, json, runCli, spawnCli, startSim, tempHome, waitFor, type RunResult, type SimHandle } from '../cli/helpers.js';

let sim: SimHandle;
let api: AutodlClient;

before(async () => {
  ensureBuilt();
  sim = await startSim();
  api = new AutodlClient({ token: sim.token, host: sim.url, retries: 0 });
});

after(async () => {
  await sim.close();
  assertTokenNeverPrinted();
});

async function create(name: string, type: DeploymentType, replicas: number, cmd: string): Promise<string> {
  const { deployment_uuid } = await api.deployments.create(
    deploymentConfig(name, { type, replicas, tpl: { gpu_name_set: ['RTX 3090'], cmd } }) as unknown as CreateDeploymentBody,
  );
  return deployment_uuid;
}

function containers(uuid: string): Container[] {
  return sim.world.listContainers(sim.world.tenantFor(sim.token)!, uuid, {});
}

/** Start `autodl wait …`, wait until it has polled once (its progress line), do `act`, collect the result. */
async function waitWhile(args: string[], act: () => Promise<void> | void): Promise<RunResult> {
  const child = spawnCli(['wait', ...args, '--interval', '0.05', '--json'], { sim });
  const done = collect(child);
  await waitFor(child, 'stderr', '"type":"waiting"');
  await act();
  return done;
}

function ndjson(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('wait', () => {
  test('--for finished: a Job is finished by its counts (exit 0)', async () => {
    const uuid = await create('w-job', 'Job', 2, 'sleep 30');
    const r = await waitWhile([uuid, '--for', 'finished'], () => sim.world.advance(120_000));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const res = json<{ status: string; condition: string; deployment_uuid: string; observed: Record<string, unknown> }>(r);
    assert.equal(res.status, 'success');
    assert.equal(res.condition, 'finished');
    assert.equal(res.deployment_uuid, uuid);
    assert.equal(res.observed.finished_num, 2);
    assert.equal(res.observed.status, 'running', 'a finished Job still says running: completion came from the counts');
  });

  test('--for running: a ReplicaSet with all replicas running (exit 0)', async () => {
    const uuid = await create('w-rs', 'ReplicaSet', 2, 'sleep infinity');
    const r = await waitWhile([uuid, '--for', 'running'], () => sim.world.advance(30_000));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const res = json<{ observed: { running_num: number; replica_num: number } }>(r);
    assert.equal(res.observed.running_num, 2);
    assert.equal(res.observed.replica_num, 2);
  });

  test('--for running by name, for a Job (every current container running)', async () => {
    await create('w-job-run', 'Job', 1, 'sleep 3600');
    const r = await waitWhile(['w-job-run', '--for', 'running'], () => sim.world.advance(30_000));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(json<{ observed: { running_num: number } }>(r).observed.running_num, 1);
  });

  test('--for replicas=3 after a scale (exit 0)', async () => {
    const uuid = await create('w-scale', 'ReplicaSet', 2, 'sleep infinity');
    sim.world.advance(30_000);
    const r = await waitWhile([uuid, '--for', 'replicas=3'], async () => {
      await api.deployments.setReplicas(uuid, 3);
      sim.world.advance(30_000);
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const res = json<{ condition: string; observed: { running_num: number } }>(r);
    assert.equal(res.condition, 'replicas=3');
    assert.equal(res.observed.running_num, 3);
  });

  test('--for deleted (exit 0); an unknown uuid is already deleted', async () => {
    const uuid = await create('w-del', 'ReplicaSet', 1, 'sleep infinity');
    const r = await waitWhile([uuid, '--for', 'deleted'], () => api.deployments.delete(uuid));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(json<{ observed: unknown }>(r).observed, { exists: false });
    const gone = await runCli(['wait', 'f00f00f00f00f00', '--for', 'deleted', '--json'], { sim });
    assert.equal(gone.code, 0, gone.stdout + gone.stderr);
  });

  test('unreachable: deleted while waiting for running (exit 3)', async () => {
    const uuid = await create('w-unr', 'ReplicaSet', 1, 'sleep infinity');
    const r = await waitWhile([uuid, '--for', 'running'], () => api.deployments.delete(uuid));
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const res = json<{ status: string; error_type: string; details: { reason: string; last_state: { exists: boolean } } }>(r);
    assert.equal(res.status, 'error');
    assert.equal(res.error_type, 'unreachable');
    assert.match(res.details.reason, /deleted/);
    assert.equal(res.details.last_state.exists, false);
  });

  test('unreachable: a stopped deployment waiting for running; a ReplicaSet waiting for finished', async () => {
    const uuid = await create('w-stopped', 'ReplicaSet', 1, 'sleep infinity');
    await api.deployments.stop(uuid);
    const a = await runCli(['wait', uuid, '--for', 'running', '--json'], { sim });
    assert.equal(a.code, 3, a.stdout + a.stderr);
    assert.equal(json<{ error_type: string }>(a).error_type, 'unreachable');
    const rs = await create('w-rs-fin', 'ReplicaSet', 1, 'sleep infinity');
    const b = await runCli(['wait', rs, '--for', 'finished', '--json'], { sim });
    assert.equal(b.code, 3);
    assert.match(json<{ details: { reason: string } }>(b).details.reason, /ReplicaSet/);
  });

  test('timeout: exit 2 with elapsed/timeout seconds and the last observed state', async () => {
    const uuid = await create('w-timeout', 'ReplicaSet', 1, 'sleep infinity'); // never advanced: stays starting
    const r = await runCli(['wait', uuid, '--for', 'running', '--timeout', '0.3', '--interval', '0.05', '--json'], { sim });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const res = json<{ error_type: string; details: { elapsed_seconds: number; timeout_seconds: number; last_state: { status: string; running_num: number } } }>(r);
    assert.equal(res.error_type, 'timeout');
    assert.equal(res.details.timeout_seconds, 0.3);
    assert.ok(res.details.elapsed_seconds >= 0.3, String(res.details.elapsed_seconds));
    assert.equal(res.details.last_state.status, 'running');
    assert.equal(res.details.last_state.running_num, 0);
  });

  test('a few failed polls in a row are warnings, not the end of the wait', async () => {
    const uuid = await create('w-faults', 'ReplicaSet', 1, 'sleep infinity');
    const r = await waitWhile([uuid, '--for', 'running'], () => {
      sim.faults.add({ method: 'POST', path: '/api/v1/dev/deployment/list', kind: 'envelope_error', count: 2 });
      sim.world.advance(30_000);
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('"type":"warning"'));
    assert.equal(warnings.length, 2, r.stderr);
    assert.equal(json<{ status: string }>(r).status, 'success');
  });

  test('a bad --for is a config_error (exit 1) before any request', async () => {
    const n = sim.requests();
    const r = await runCli(['wait', 'x', '--for', 'ready', '--json'], { sim });
    assert.equal(r.code, 1);
    assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
    assert.equal(sim.requests(), n);
  });

  test('human mode: one line on stdout', async () => {
    const uuid = await create('w-human', 'ReplicaSet', 1, 'sleep infinity');
    sim.world.advance(30_000);
    const r = await runCli(['wait', uuid, '--for', 'running', '--no-json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^deployment ${uuid}: running \\(after [\\d.]+s\\)\\n$`));
  });
});

describe('watch', () => {
  test('--json on one deployment: snapshots, then its new events as they come; Ctrl-C exits 0', async () => {
    const uuid = await create('watch-one', 'ReplicaSet', 1, 'sleep infinity');
    const child = spawnCli(['watch', uuid, '--json', '--interval', '0.05'], { sim });
    const done = collect(child);
    await waitFor(child, 'stdout', '"type":"snapshot"');
    const running = waitFor(child, 'stdout', /"type":"snapshot"[^\n]*"status":"running"[^\n]*"machine_id"/);
    const event = waitFor(child, 'stdout', /"type":"event"[^\n]*"status":"running"/);
    sim.world.advance(30_000);
    await event;
    await running;
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    const lines = ndjson(r.stdout);
    assert.ok(lines.every((l) => typeof l.type === 'string'));
    const events = lines.filter((l) => l.type === 'event');
    assert.deepEqual(
      events.map((e) => e.status),
      // the private event list names created, starting, running (no oss_merged: recorded)
      ['created', 'starting', 'running'],
      'the events after the first snapshot, in order, each once',
    );
    assert.ok(events.every((e) => e.deployment_uuid === uuid && String(e.deployment_container_uuid).startsWith(uuid)));
    const last = lines.filter((l) => l.type === 'snapshot').at(-1) as { deployment: { running_num: number }; containers: Array<Record<string, unknown>> };
    assert.equal(last.deployment.running_num, 1);
    const c = last.containers[0]!;
    for (const k of ['status', 'machine_id', 'data_center', 'gpu_name', 'age_seconds', 'price_yuan_per_hour']) assert.ok(k in c, k);
    assert.ok(!r.stdout.includes('root_password') && !r.stdout.includes('ssh_command'), 'no container info in watch output');
  });

  test('--count N: all deployments, exactly N snapshots, exit 0', async () => {
    const r = await runCli(['watch', '--json', '--count', '3', '--interval', '0.05'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const snaps = ndjson(r.stdout).filter((l) => l.type === 'snapshot');
    assert.equal(snaps.length, 3);
    assert.deepEqual(snaps.map((s) => s.seq), [1, 2, 3]);
    assert.ok(Array.isArray(snaps[0]!.deployments) && (snaps[0]!.deployments as unknown[]).length > 0);
  });

  test('a deleted deployment ends the watch with a "deleted" line', async () => {
    const uuid = await create('watch-del', 'ReplicaSet', 1, 'sleep infinity');
    const child = spawnCli(['watch', uuid, '--json', '--interval', '0.05'], { sim });
    const done = collect(child);
    await waitFor(child, 'stdout', '"type":"snapshot"');
    await api.deployments.delete(uuid);
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ndjson(r.stdout).at(-1), { type: 'deleted', deployment_uuid: uuid });
  });

  test('plain lines without a terminal (--no-json): the table, then one line per change', async () => {
    const uuid = await create('watch-plain', 'ReplicaSet', 1, 'sleep infinity');
    const child = spawnCli(['watch', uuid, '--no-json', '--interval', '0.05'], { sim });
    const done = collect(child);
    await waitFor(child, 'stdout', 'CONTAINER');
    const changed = waitFor(child, 'stdout', /→ running/);
    sim.world.advance(30_000);
    await changed;
    child.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 0);
    assert.ok(!r.stdout.includes('\x1b['), 'no ANSI codes without a terminal');
    assert.match(r.stdout, /~ \S+ {2}\S+ → running/);
  });
});

describe('cost', () => {
  test('estimate = price × hours for a known clock advance; burn rate = price', async () => {
    const uuid = await create('cost-1', 'ReplicaSet', 1, 'sleep infinity');
    sim.world.advance(30_000);
    const [c] = containers(uuid);
    assert.equal(c!.status, 'running');
    sim.world.advance(2 * 3_600_000);
    const at = new Date(sim.world.now()).toISOString();
    const hours = (sim.world.now() - Date.parse(c!.started_at!)) / 3_600_000;
    const r = await runCli(['cost', uuid, '--at', at, '--json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const res = json<{ estimate: boolean; total_yuan: number; burn_rate_yuan_per_hour: number; deployments: Array<{ uuid: string; spent_yuan: number; containers: number }> }>(r);
    assert.equal(res.estimate, true);
    assert.ok(Math.abs(res.total_yuan - (c!.price / 1000) * hours) < 0.001, `${res.total_yuan} vs ${(c!.price / 1000) * hours}`);
    assert.ok(hours > 2);
    assert.equal(res.burn_rate_yuan_per_hour, c!.price / 1000);
    assert.deepEqual(res.deployments.map((d) => [d.uuid, d.containers]), [[uuid, 1]]);

    const since = await runCli(['cost', uuid, '--at', at, '--since', '1h', '--json'], { sim });
    assert.ok(Math.abs(json<{ total_yuan: number }>(since).total_yuan - c!.price / 1000) < 0.001);

    const all = await runCli(['cost', '--at', at, '--json'], { sim });
    const allRes = json<{ total_yuan: number; deployments: Array<{ uuid: string }> }>(all);
    assert.ok(allRes.deployments.length > 1 && allRes.deployments.some((d) => d.uuid === uuid));
    assert.ok(allRes.total_yuan >= res.total_yuan);

    const human = await runCli(['cost', uuid, '--at', at, '--no-json'], { sim });
    assert.equal(human.code, 0);
    assert.match(human.stdout, /estimate/);
  });

  test('a bad --since is a config_error', async () => {
    const r = await runCli(['cost', '--since', 'last tuesday', '--json'], { sim });
    assert.equal(r.code, 1);
    assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
  });
});

describe('ssh', () => {
  let uuid: string;
  let c: Container;
  before(async () => {
    uuid = await create('ssh-1', 'ReplicaSet', 1, 'sleep infinity');
    sim.world.advance(30_000);
    c = containers(uuid)[0]!;
  });

  test('prints the SSH command, never the password without --show-password', async () => {
    const r = await runCli(['ssh', c.uuid, '--json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const res = json<Record<string, unknown>>(r);
    assert.equal(res.ssh_command, c.info.ssh_command);
    assert.equal(res.port, c.info.custom_port);
    assert.ok(!(r.stdout + r.stderr).includes(c.info.root_password));
    const h = await runCli(['ssh', c.uuid, '--no-json'], { sim });
    assert.equal(h.stdout, `${c.info.ssh_command}\n`);
    assert.ok(!(h.stdout + h.stderr).includes(c.info.root_password));
  });

  test('--show-password shows it', async () => {
    const r = await runCli(['ssh', c.uuid, '--show-password', '--json'], { sim });
    assert.equal(json<Record<string, unknown>>(r).root_password, c.info.root_password);
    const h = await runCli(['ssh', c.uuid, '--show-password', '--no-json'], { sim });
    assert.ok(h.stdout.includes(`password: ${c.info.root_password}`));
  });

  test('--exec runs ssh with the command\'s arguments; a missing ssh is a clean error', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'autodl-fake-ssh-'));
    writeFileSync(join(bin, 'ssh'), '#!/bin/sh\necho "fake-ssh $*"\nexit 0\n');
    chmodSync(join(bin, 'ssh'), 0o755);
    const ok = await runCli(['ssh', c.uuid, '--exec'], { sim, env: { PATH: bin } });
    assert.equal(ok.code, 0, ok.stderr);
    // the argv is rebuilt from user, host and port, with `--` before the destination
    assert.equal(ok.stdout, `fake-ssh -p ${c.info.custom_port} -- root@${c.info.proxy_host}\n`);
    const empty = mkdtempSync(join(tmpdir(), 'autodl-no-ssh-'));
    const missing = await runCli(['ssh', c.uuid, '--exec', '--json'], { sim, env: { PATH: empty } });
    assert.equal(missing.code, 3);
    const res = json<{ error_type: string; message: string }>(missing);
    assert.equal(res.error_type, 'api_error');
    assert.match(res.message, /ssh/);
  });

  test('an unknown container is not_found (exit 3)', async () => {
    const r = await runCli(['ssh', `${uuid}-nohost-00000000`, '--json'], { sim });
    assert.equal(r.code, 3);
    assert.equal(json<{ error_type: string }>(r).error_type, 'not_found');
  });
});

describe('notify-test', () => {
  let server: Server;
  let base = '';
  const bodies: Array<{ path: string; body: string }> = [];
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        bodies.push({ path: req.url ?? '', body });
        res.writeHead(req.url?.startsWith('/reject') ? 400 : 200, { 'content-type': 'application/json' });
        res.end('{"errcode":0,"errmsg":"ok"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('sends a test event to every sink in the user config', async () => {
    const home = tempHome();
    mkdirSync(join(home.env.XDG_CONFIG_HOME, 'autodl'), { recursive: true });
    writeFileSync(
      join(home.env.XDG_CONFIG_HOME, 'autodl', 'config.json'),
      JSON.stringify({ notify: [{ type: 'webhook', url: `${base}/hook` }, { type: 'wecom', url: `${base}/wecom?key=k` }] }),
    );
    const r = await runCli(['notify-test', '--json'], { home });
    home.cleanup();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const res = json<{ results: Array<{ type: string; ok: boolean }> }>(r);
    assert.deepEqual(res.results.map((x) => [x.type, x.ok]), [['webhook', true], ['wecom', true]]);
    assert.equal(JSON.parse(bodies.find((b) => b.path === '/hook')!.body).kind, 'test');
    assert.equal(JSON.parse(bodies.find((b) => b.path.startsWith('/wecom'))!.body).msgtype, 'text');
  });

  test('wait --notify: all_running to the configured sinks when met; failed when unreachable', async () => {
    const home = tempHome();
    mkdirSync(join(home.env.XDG_CONFIG_HOME, 'autodl'), { recursive: true });
    writeFileSync(join(home.env.XDG_CONFIG_HOME, 'autodl', 'config.json'), JSON.stringify({ notify: [{ type: 'webhook', url: `${base}/wait-hook` }] }));
    const uuid = await create('w-notify', 'ReplicaSet', 1, 'sleep infinity');
    sim.world.advance(30_000);
    const r = await runCli(['wait', uuid, '--for', 'running', '--notify', '--json'], { sim, home });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const got = bodies.filter((b) => b.path === '/wait-hook').map((b) => JSON.parse(b.body) as { kind: string; deployment: { uuid: string; name: string } });
    assert.equal(got.length, 1);
    assert.equal(got[0]!.kind, 'all_running');
    assert.deepEqual(got[0]!.deployment, { uuid, name: 'w-notify' });
    await api.deployments.stop(uuid);
    const u = await runCli(['wait', uuid, '--for', 'finished', '--notify', '--json'], { sim, home });
    home.cleanup();
    assert.equal(u.code, 3);
    const last = JSON.parse(bodies.filter((b) => b.path === '/wait-hook').at(-1)!.body) as { kind: string; error_type: string };
    assert.equal(last.kind, 'failed');
    assert.equal(last.error_type, 'unreachable');
  });

  test('--url that rejects: exit 3 with per-sink results; no sinks at all: config_error', async () => {
    const r = await runCli(['notify-test', '--url', `${base}/reject`, '--json']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const res = json<{ error_type: string; details: { results: Array<{ ok: boolean; status: number }> } }>(r);
    assert.equal(res.error_type, 'api_error');
    assert.equal(res.details.results[0]!.status, 400);
    const none = await runCli(['notify-test', '--json'], { home: tempHome() });
    assert.equal(none.code, 1);
    assert.equal(json<{ error_type: string }>(none).error_type, 'config_error');
  });
});
