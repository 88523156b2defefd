// Deployment types' lifecycles under the manual clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withSim, P, privateBody, type Api } from './helpers.js';
import type { Container, ContainerEvent, Deployment, Page } from '../../src/api/types.js';
import { planCmd } from '../../src/sim/index.js';

async function dep(api: Api, uuid: string): Promise<Deployment> {
  const pg = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, deployment_uuid: uuid });
  assert.equal(pg.list.length, 1);
  return pg.list[0]!;
}
async function containers(api: Api, uuid: string, extra: Record<string, unknown> = {}): Promise<Container[]> {
  return (await api.ok<Page<Container>>('POST', P.containers, { deployment_uuid: uuid, page_index: 1, page_size: 1000, ...extra })).list;
}
async function create(api: Api, over: Record<string, unknown>, tpl: Record<string, unknown> = {}): Promise<string> {
  return (await api.ok<{ deployment_uuid: string }>('POST', P.create, privateBody(over, tpl))).deployment_uuid;
}

test('status flow and default timings: cold 7 s created→running, shutdown 2 s', async () => {
  await withSim({}, async (sim, api) => {
    const uuid = await create(api, { deployment_type: 'Container' }, { cmd: 'sleep 10' });
    const seen: string[] = [];
    for (let t = 0; t <= 25; t++) {
      const c = (await containers(api, uuid))[0]!;
      seen.push(c.status);
      sim.world.advance(1000);
    }
    // creating at 0, created at 1 s, running at 8 s, exits at 18 s, shutdown at 20 s
    assert.equal(seen[0], 'creating');
    assert.equal(seen[1], 'created');
    assert.equal(seen[7], 'oss_merged');
    assert.equal(seen[8], 'running');
    assert.equal(seen[17], 'running');
    assert.equal(seen[18], 'shutting_down');
    assert.equal(seen[20], 'shutdown');
    const d = await dep(api, uuid);
    assert.equal(d.deployment_type, 'Container');
    assert.equal(d.finished_num, 1);
    assert.equal(d.replica_num, 1);
    assert.equal(d.status, 'running');
    assert.equal((await containers(api, uuid)).length, 1, 'a Container deployment runs exactly one container');
  });
});

test('advancing by a large amount processes intermediate transitions in order', async () => {
  await withSim({}, async (sim, api) => {
    const uuid = await create(api, { deployment_type: 'Job', replica_num: 4, parallelism_num: 2 }, { cmd: 'sleep 20' });
    sim.world.advance(3600_000);
    const d = await dep(api, uuid);
    assert.equal(d.finished_num, 4);
    const ev = (await api.ok<Page<ContainerEvent>>('POST', P.events, { deployment_uuid: uuid, page_index: 1, page_size: 1000 })).list;
    const times = ev.map((e) => Date.parse(e.created_at));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'events in time order, newest first (as recorded)');
    const perContainer = new Map<string, string[]>();
    for (const e of ev) perContainer.set(e.deployment_container_uuid, [...(perContainer.get(e.deployment_container_uuid) ?? []), e.status]);
    assert.equal(perContainer.size, 4);
    // the private event list names created, starting, running, shutdown (XR-Lee/Gemcp), newest first
    for (const s of perContainer.values()) assert.deepEqual(s, ['shutdown', 'running', 'starting', 'created']);
  });
});

test('Job: parallelism caps concurrency; completion is finished_num === replica_num with status still running', async () => {
  await withSim({}, async (sim, api) => {
    const uuid = await create(api, { deployment_type: 'Job', replica_num: 5, parallelism_num: 2 }, { cmd: 'sleep 30' });
    let maxActive = 0;
    for (let i = 0; i < 70; i++) {
      const cs = await containers(api, uuid, { released: false });
      const active = cs.filter((c) => c.status !== 'shutting_down').length;
      maxActive = Math.max(maxActive, active);
      sim.world.advance(2000);
    }
    assert.equal(maxActive, 2);
    const d = await dep(api, uuid);
    assert.equal(d.finished_num, 5);
    assert.equal(d.replica_num, 5);
    assert.equal(d.status, 'running');
    assert.equal(d.running_num, 0);
    assert.equal(d.starting_num, 0);
    assert.equal((await containers(api, uuid)).length, 5, 'no container beyond replica_num');
    sim.world.advance(3600_000);
    assert.equal((await containers(api, uuid)).length, 5, 'a finished Job starts no more');
  });
});

test('Job: a non-zero exit counts as failed and is replaced', async () => {
  await withSim({}, async (sim, api) => {
    const uuid = await create(api, { deployment_type: 'Job', replica_num: 1, parallelism_num: 1 }, { cmd: 'sleep 5; exit 3' });
    sim.world.advance(8000 + 5000 + 10);
    let d = await dep(api, uuid);
    assert.equal(d.failed_num, 1);
    assert.equal(d.finished_num, 0);
    sim.world.advance(1000);
    const cs = await containers(api, uuid);
    assert.equal(cs.length, 2, 'replacement started');
    sim.world.advance(14_000);
    d = await dep(api, uuid);
    assert.equal(d.failed_num, 2);
  });
});

test('the &&/|| trap: a Job container never ends; `nohup … &` ends at once', async () => {
  await withSim({}, async (sim, api) => {
    const trap = await create(api, { name: 'trap', deployment_type: 'Job', replica_num: 1 }, { cmd: 'python a.py && echo ok || echo fail' });
    const bg = await create(api, { name: 'bg', deployment_type: 'Job', replica_num: 1 }, { cmd: 'nohup python app.py &' });
    sim.world.advance(7 * 24 * 3600_000);
    const t = await dep(api, trap);
    assert.equal(t.running_num, 1);
    assert.equal(t.finished_num, 0);
    assert.equal((await containers(api, trap))[0]!.status, 'running');
    const b = await dep(api, bg);
    assert.equal(b.finished_num, 1);
    const bc = (await containers(api, bg))[0]!;
    assert.equal(bc.status, 'shutdown');
    assert.equal(Date.parse(bc.stopped_at!) - Date.parse(bc.started_at!), 2000, 'ended right when it started (plus shutdown)');
  });
});

test('ReplicaSet: scale up, scale down, replacement after a stop, decrease_one_replica_num', async () => {
  await withSim({}, async (sim, api) => {
    const uuid = await create(api, { deployment_type: 'ReplicaSet', replica_num: 2 }, { cmd: 'sleep infinity' });
    sim.world.advance(10_000);
    assert.equal((await dep(api, uuid)).running_num, 2);

    await api.ok('PUT', P.replicas, { deployment_uuid: uuid, replica_num: 4 });
    let d = await dep(api, uuid);
    assert.equal(d.starting_num, 2);
    sim.world.advance(10_000);
    d = await dep(api, uuid);
    assert.equal(d.running_num, 4);

    await api.ok('PUT', P.replicas, { deployment_uuid: uuid, replica_num: 1 });
    sim.world.advance(3000);
    d = await dep(api, uuid);
    assert.equal(d.running_num, 1);
    assert.equal((await containers(api, uuid, { status: ['shutdown'] })).length, 3);

    // a stopped container is replaced
    const live = (await containers(api, uuid, { status: ['running'] }))[0]!;
    await api.ok('PUT', P.stopContainer, { deployment_container_uuid: live.uuid });
    d = await dep(api, uuid);
    assert.equal(d.replica_num, 1);
    assert.equal(d.starting_num, 1, 'replacement scheduled at once');
    sim.world.advance(10_000);
    d = await dep(api, uuid);
    assert.equal(d.running_num, 1);
    assert.equal((await containers(api, uuid)).length, 5);

    // …unless decrease_one_replica_num
    const live2 = (await containers(api, uuid, { status: ['running'] }))[0]!;
    await api.ok('PUT', P.stopContainer, { deployment_container_uuid: live2.uuid, decrease_one_replica_num: true });
    sim.world.advance(10_000);
    d = await dep(api, uuid);
    assert.equal(d.replica_num, 0);
    assert.equal(d.running_num, 0);
    assert.equal((await containers(api, uuid)).length, 5, 'no replacement');
  });
});

test('cmd_before_shutdown: a stopped container stays shutting_down while it runs, at most 5 s (the stop body overrides the template); a cmd that ends by itself skips it', async () => {
  await withSim({}, async (sim, api) => {
    // the documented timeout is 5 s (fxp/skillify: 超时时间 5 秒, then a forced stop)
    const uuid = await create(api, { deployment_type: 'ReplicaSet', replica_num: 2 }, { cmd: 'sleep infinity', cmd_before_shutdown: 'sleep 30' });
    sim.world.advance(10_000);
    const [a, b] = await containers(api, uuid, { status: ['running'] });
    const status = async (c: Container) => (await containers(api, uuid)).find((x) => x.uuid === c.uuid)!.status;
    await api.ok('PUT', P.stopContainer, { deployment_container_uuid: a!.uuid, decrease_one_replica_num: true });
    await api.ok('PUT', P.stopContainer, { deployment_container_uuid: b!.uuid, decrease_one_replica_num: true, cmd_before_shutdown: 'sleep 2' });
    sim.world.advance(3000);
    assert.equal(await status(a!), 'shutting_down', 'the template hook still runs');
    assert.equal(await status(b!), 'shutting_down', '2 s + the 2 s shutdown');
    sim.world.advance(1500);
    assert.equal(await status(b!), 'shutdown', 'the override ended first');
    assert.equal(await status(a!), 'shutting_down');
    sim.world.advance(3000);
    assert.equal(await status(a!), 'shutdown', 'the 30 s hook is cut at 5 s, + 2 s');

    // a hook that never ends is cut after 5 s too; a Job whose cmd ends by itself never runs it
    const forever = await create(api, { deployment_type: 'Container' }, { cmd: 'sleep infinity', cmd_before_shutdown: 'python save.py && sleep infinity' });
    const job = await create(api, { deployment_type: 'Job', replica_num: 1 }, { cmd: 'sleep 10', cmd_before_shutdown: 'sleep 600' });
    sim.world.advance(10_000);
    const [f] = await containers(api, forever);
    await api.ok('PUT', P.stopContainer, { deployment_container_uuid: f!.uuid });
    sim.world.advance(6000);
    assert.equal((await containers(api, forever))[0]!.status, 'shutting_down');
    sim.world.advance(2000);
    assert.equal((await containers(api, forever))[0]!.status, 'shutdown');
    // the Job's cmd ended at 18 s: shutdown at 20 s without the hook, at 25 s with it
    sim.world.advance(5000);
    assert.equal((await dep(api, job)).finished_num, 1);
    assert.equal((await containers(api, job))[0]!.status, 'shutdown', 'the Job ended on its own: no hook');
  });
});

test('set replica count is ReplicaSet-only', async () => {
  await withSim({}, async (_sim, api) => {
    const job = await create(api, { deployment_type: 'Job', replica_num: 2 });
    const r = await api.call('PUT', P.replicas, { deployment_uuid: job, replica_num: 3 });
    assert.equal(r.status, 200);
    assert.notEqual(r.body.code, 'Success');
    const c = await create(api, { deployment_type: 'Container' });
    assert.notEqual((await api.call('PUT', P.replicas, { deployment_uuid: c, replica_num: 3 })).body.code, 'Success');
  });
});

test('stop and delete: GPUs released, stopped containers in_cache after delete, reuse is faster', async () => {
  await withSim({}, async (sim, api) => {
    const hosts = () => sim.world.hosts().filter((h) => h.gpu_name === 'RTX 4090');
    const used = () => hosts().reduce((s, h) => s + h.used_by_tenants, 0);
    const a = await create(api, { name: 'a', deployment_type: 'ReplicaSet', replica_num: 2, reuse_container: true }, { cmd: 'sleep infinity', gpu_num: 2 });
    sim.world.advance(10_000);
    assert.equal(used(), 4);
    await api.ok('PUT', P.operate, { deployment_uuid: a, operate: 'stop' });
    assert.equal(used(), 4, 'still held while shutting down');
    sim.world.advance(2000);
    assert.equal(used(), 0);
    await api.ok('DELETE', P.del, { deployment_uuid: a });
    const cached = await containers(api, a);
    assert.deepEqual(cached.map((c) => c.status), ['in_cache', 'in_cache']);
    assert.equal((await api.call('PUT', P.operate, { deployment_uuid: a, operate: 'stop' })).body.code, 'NotFound');

    const b = await create(api, { name: 'b', deployment_type: 'Container', reuse_container: true }, { cmd: 'sleep infinity', gpu_num: 2 });
    sim.world.advance(1000 + 4000);
    const cb = (await containers(api, b))[0]!;
    assert.equal(cb.status, 'running', 'reused container starts in ~4 s');
    assert.ok(cached.some((c) => c.machine_id === cb.machine_id), 'on the host of a cached container');

    const c = await create(api, { name: 'c', deployment_type: 'Container', reuse_container: false }, { cmd: 'sleep infinity' });
    sim.world.advance(5000);
    assert.notEqual((await containers(api, c))[0]!.status, 'running', 'cold start is slower');
  });
});

test('container list filters', async () => {
  await withSim({}, async (sim, api) => {
    const uuid = await create(api, { deployment_type: 'ReplicaSet', replica_num: 3 }, { cmd: 'sleep infinity', gpu_num: 2 });
    sim.world.advance(10_000);
    const all = await containers(api, uuid);
    assert.equal(all.length, 3);
    const one = all[0]!;
    assert.deepEqual((await containers(api, uuid, { container_uuid: one.uuid })).map((c) => c.uuid), [one.uuid]);
    assert.equal((await containers(api, uuid, { gpu_name: 'RTX 3090' })).length, 0);
    assert.equal((await containers(api, uuid, { gpu_name: 'RTX 4090' })).length, 3);
    assert.equal((await containers(api, uuid, { price_from: one.price, price_to: one.price })).length, all.filter((c) => c.price === one.price).length);
    assert.equal((await containers(api, uuid, { cpu_num_from: 1000 })).length, 0);
    assert.equal((await containers(api, uuid, { memory_size_from: 1 })).length, 3, 'memory filter in GB');
    assert.equal((await containers(api, uuid, { memory_size_from: one.memory_size + 1 })).length, all.filter((c) => c.memory_size > one.memory_size).length, 'memory filter in bytes');
    await api.ok('PUT', P.stopContainer, { deployment_container_uuid: one.uuid, decrease_one_replica_num: true });
    sim.world.advance(3000);
    assert.deepEqual((await containers(api, uuid, { released: true })).map((c) => c.uuid), [one.uuid]);
    assert.equal((await containers(api, uuid, { released: false })).length, 2);
    assert.equal((await containers(api, uuid, { status: ['running', 'shutdown'] })).length, 3);
    assert.equal((await containers(api, uuid, { date_from: '2026-07-01 08:00:00', date_to: '2026-07-01 08:00:05' })).length, 3);
    assert.equal((await containers(api, uuid, { date_from: '2026-07-02' })).length, 0);
  });
});

test('cmd convention', () => {
  assert.deepEqual(planCmd('sleep 30', 60), { kind: 'exit', afterMs: 30_000, code: 0, reason: 'sleep' });
  assert.deepEqual(planCmd('sleep 2m; exit 4', 60), { kind: 'exit', afterMs: 120_000, code: 4, reason: 'sleep' });
  assert.deepEqual(planCmd('exit 2', 60), { kind: 'exit', afterMs: 0, code: 2, reason: 'exit' });
  assert.equal(planCmd('python app.py & sleep infinity', 60).kind, 'forever');
  assert.deepEqual(planCmd('a && b || c', 60), { kind: 'forever', reason: 'and_or_trap' });
  assert.equal(planCmd('a && b && c', 60).kind, 'exit');
  assert.deepEqual(planCmd('nohup python app.py > log 2>&1 &', 60), { kind: 'exit', afterMs: 0, code: 0, reason: 'background_only' });
  assert.deepEqual(planCmd('python train.py', 45), { kind: 'exit', afterMs: 45_000, code: 0, reason: 'default' });
  assert.deepEqual(planCmd('python train.py; exit 1', 45), { kind: 'exit', afterMs: 45_000, code: 1, reason: 'default' });
});
