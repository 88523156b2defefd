// Read commands end to end: a subprocess `node dist/autodl.cjs …` against the simulator.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlacklistEntry, Container, ContainerEvent, Deployment, PrivateImage, Stock, SystemImage } from '../../src/api/types.js';
import { DEMO_IMAGE_UUID } from '../../src/sim/index.js';
import { assertTokenNeverPrinted, deploymentConfig, ensureBuilt, json, runCli, startSim, writeConfig, type SimHandle } from './helpers.js';

const job = (name: string, extra: Record<string, unknown> = {}) => deploymentConfig(name, { type: 'ReplicaSet', replicas: 2, tpl: extra });

let sim: SimHandle;
let depUuid: string;

before(async () => {
  ensureBuilt();
  sim = await startSim();
  const r = await runCli(['create', writeConfig('rs.json', job('read-rs')), '--json'], { sim });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  depUuid = json<{ deployment_uuid: string }>(r).deployment_uuid;
  sim.world.advance(60_000); // containers reach running
});

after(async () => {
  await sim.close();
  assertTokenNeverPrinted();
});

describe('images', () => {
  test('private images as a JSON array of the SDK shape', async () => {
    const r = await runCli(['images', '--json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const list = json<PrivateImage[]>(r);
    assert.ok(Array.isArray(list));
    assert.ok(list.some((i) => i.image_uuid === DEMO_IMAGE_UUID));
    for (const i of list) assert.equal(typeof i.status, 'string');
  });

  test('--system lists base images with their CUDA version', async () => {
    const r = await runCli(['images', '--system', '--json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const list = json<SystemImage[]>(r);
    assert.ok(list.length > 0);
    assert.ok(list.every((i) => typeof i.cuda_version === 'string' && i.image_uuid !== DEMO_IMAGE_UUID));
  });

  test('table with --no-json: header and one row per image, no colour codes off a TTY', async () => {
    const r = await runCli(['images', '--no-json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID\s+UUID\s+NAME\s+STATUS$/);
    assert.equal(lines.length, 1 + sim.world.listImages(sim.world.tenantFor(sim.token)!).length);
    assert.ok(!r.stdout.includes('\x1b['));
  });
});

describe('stock', () => {
  test('JSON: idle/total per GPU type, equal to the world', async () => {
    const r = await runCli(['stock'], { sim }); // stdout is a pipe: JSON by default
    assert.equal(r.code, 0, r.stderr);
    const stock = json<Stock>(r);
    const world = sim.world.stock();
    assert.deepEqual(Object.keys(stock).sort(), [...world.keys()].sort());
    for (const [name, s] of world) assert.deepEqual(stock[name], { idle: s.idle, total: s.total });
  });

  test('--gpu filters by exact names', async () => {
    const r = await runCli(['stock', '--gpu', 'RTX 3090', 'L20'], { sim });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(Object.keys(json<Stock>(r)).sort(), ['L20', 'RTX 3090']);
  });

  test('--region needs the public dialect (config_error)', async () => {
    const r = await runCli(['stock', '--region', 'westDC2'], { sim });
    assert.equal(r.code, 1);
    const e = json<{ status: string; error_type: string; details: { dialect: string } }>(r);
    assert.equal(e.error_type, 'config_error');
    assert.equal(e.details.dialect, 'private');
  });

  test('table: right-aligned counts', async () => {
    const r = await runCli(['stock', '--no-json', '--gpu', 'RTX 4090'], { sim });
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^GPU\s+IDLE\s+TOTAL$/);
    const s = sim.world.stock().get('RTX 4090')!;
    assert.match(lines[1]!, new RegExp(`^RTX 4090\\s+${s.idle}\\s+${s.total}$`));
  });
});

describe('deployments / describe / containers / events', () => {
  test('deployments (alias ls) with --name and --status filters', async () => {
    const all = json<Deployment[]>(await runCli(['deployments'], { sim }));
    assert.ok(all.some((d) => d.uuid === depUuid && d.name === 'read-rs'));
    const byName = json<Deployment[]>(await runCli(['ls', '--name', 'read-rs'], { sim }));
    assert.deepEqual(byName.map((d) => d.uuid), [depUuid]);
    const stopped = json<Deployment[]>(await runCli(['ls', '--status', 'stopped'], { sim }));
    assert.ok(!stopped.some((d) => d.uuid === depUuid));
  });

  test('describe: deployment, containers and events; by uuid or by name', async () => {
    for (const ref of [depUuid, 'read-rs']) {
      const r = await runCli(['describe', ref], { sim });
      assert.equal(r.code, 0, r.stderr);
      const d = json<{ deployment: Deployment; containers: Container[]; events: ContainerEvent[] }>(r);
      assert.equal(d.deployment.uuid, depUuid);
      assert.equal(d.containers.length, 2);
      assert.ok(d.events.length > 0 && d.events.length <= 10);
      assert.ok(d.events.every((e) => e.deployment_container_uuid.startsWith(depUuid)));
    }
    const few = json<{ events: ContainerEvent[] }>(await runCli(['describe', depUuid, '--events', '2'], { sim }));
    assert.equal(few.events.length, 2);
  });

  test('describe of an unknown deployment → not_found, exit 3', async () => {
    const r = await runCli(['describe', 'no-such-deployment'], { sim });
    assert.equal(r.code, 3);
    const e = json<{ error_type: string; details: { deployment: string } }>(r);
    assert.equal(e.error_type, 'not_found');
    assert.equal(e.details.deployment, 'no-such-deployment');
  });

  test('describe on a table shows the three sections', async () => {
    const r = await runCli(['describe', depUuid, '--no-json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Deployment$/m);
    assert.match(r.stdout, /^Containers \(2\)$/m);
    assert.match(r.stdout, /^Latest events$/m);
    assert.ok(r.stdout.includes(depUuid));
  });

  test('containers: never the root password, in JSON or in a table', async () => {
    const r = await runCli(['containers', depUuid], { sim });
    assert.equal(r.code, 0, r.stderr);
    const list = json<Container[]>(r);
    assert.equal(list.length, 2);
    for (const c of list) {
      assert.equal(c.deployment_uuid, depUuid);
      assert.equal(typeof c.info.ssh_command, 'string');
      assert.ok(!('root_password' in c.info));
    }
    assert.ok(!r.stdout.includes('root_password'));
    // the real passwords, straight from the world, appear in no output
    const raw = sim.world.listContainers(sim.world.tenantFor(sim.token)!, depUuid, {});
    const table = await runCli(['containers', depUuid, '--no-json'], { sim });
    for (const c of raw) {
      assert.ok(c.info.root_password.length > 0);
      assert.ok(!r.stdout.includes(c.info.root_password));
      assert.ok(!table.stdout.includes(c.info.root_password));
    }
    assert.equal(table.stdout.trimEnd().split('\n').length, 3);
  });

  test('containers filters: --status, --gpu, --container, --released', async () => {
    const running = json<Container[]>(await runCli(['containers', depUuid, '--status', 'running'], { sim }));
    assert.equal(running.length, 2);
    const none = json<Container[]>(await runCli(['containers', depUuid, '--status', 'shutdown'], { sim }));
    assert.equal(none.length, 0);
    const wrongGpu = json<Container[]>(await runCli(['containers', depUuid, '--gpu', 'L20'], { sim }));
    assert.equal(wrongGpu.length, 0);
    const one = json<Container[]>(await runCli(['containers', depUuid, '--container', running[0]!.uuid], { sim }));
    assert.deepEqual(one.map((c) => c.uuid), [running[0]!.uuid]);
    const released = json<Container[]>(await runCli(['containers', depUuid, '--released'], { sim }));
    assert.equal(released.length, 0);
    const bad = await runCli(['containers', depUuid, '--cpu-from', 'lots'], { sim });
    assert.equal(bad.code, 1);
    assert.equal(json<{ error_type: string }>(bad).error_type, 'config_error');
  });

  test('events: all of them, and only one container with --container', async () => {
    const all = json<ContainerEvent[]>(await runCli(['events', depUuid], { sim }));
    const containers = new Set(all.map((e) => e.deployment_container_uuid));
    assert.equal(containers.size, 2);
    const first = [...containers][0]!;
    const one = json<ContainerEvent[]>(await runCli(['events', depUuid, '--container', first], { sim }));
    assert.ok(one.length > 0);
    assert.ok(one.every((e) => e.deployment_container_uuid === first));
    assert.equal(one.length, all.filter((e) => e.deployment_container_uuid === first).length);
  });

  test('blacklist ls: JSON array', async () => {
    const r = await runCli(['blacklist', 'ls'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const list = json<BlacklistEntry[]>(r);
    assert.ok(Array.isArray(list));
  });
});

describe('public dialect', () => {
  let pub: SimHandle;
  before(async () => {
    pub = await startSim({ dialect: 'public' });
  });
  after(async () => {
    await pub.close();
  });

  test('stock --region and --dc: only those data centres', async () => {
    const all = json<Stock>(await runCli(['--dialect', 'public', 'stock'], { sim: pub }));
    const west = json<Stock>(await runCli(['--dialect', 'public', 'stock', '--region', 'westDC2'], { sim: pub }));
    assert.deepEqual(west, Object.fromEntries([...pub.world.stock(new Set(['westDC2']))].sort(([a], [b]) => a.localeCompare(b))));
    assert.ok(Object.keys(west).length < Object.keys(all).length);
    const dcs = json<Stock>(await runCli(['--dialect', 'public', 'stock', '--dc', 'westDC3', 'yangzhouDC1'], { sim: pub }));
    assert.deepEqual(dcs, Object.fromEntries([...pub.world.stock(new Set(['westDC3', 'yangzhouDC1']))].sort(([a], [b]) => a.localeCompare(b))));
    const both = await runCli(['--dialect', 'public', 'stock', '--region', 'westDC2', '--dc', 'westDC3'], { sim: pub });
    assert.equal(both.code, 1);
    assert.equal(json<{ error_type: string }>(both).error_type, 'config_error');
  });

  test('create with the private CUDA form is converted to the range form and accepted', async () => {
    const path = writeConfig('pub.json', job('pub-rs', { dc_list: ['westDC2'] }));
    const r = await runCli(['--dialect', 'public', 'create', path], { sim: pub });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const uuid = json<{ deployment_uuid: string }>(r).deployment_uuid;
    pub.world.advance(60_000);
    const list = json<Container[]>(await runCli(['--dialect', 'public', 'containers', uuid], { sim: pub }));
    assert.equal(list.length, 2);
    assert.ok(list.every((c) => c.data_center === 'westDC2'));
  });
});
