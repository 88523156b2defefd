// Placement constraints, impossible templates, unknown images, parameter errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withSim, P, privateBody, publicBody, type Api } from './helpers.js';
import type { Container, Page } from '../../src/api/types.js';
import type { HostConfig } from '../../src/sim/index.js';

const HOSTS: HostConfig[] = [
  { machine_id: 'old3090', data_center: 'westDC2', gpu_name: 'RTX 3090', gpu_num: 8, cpu_num: 128, memory_gb: 720, max_cuda: 116, price_per_gpu: 1000 },
  { machine_id: 'new3090', data_center: 'beijingDC1', gpu_name: 'RTX 3090', gpu_num: 8, cpu_num: 64, memory_gb: 256, max_cuda: 122, price_per_gpu: 1500 },
  { machine_id: 'small4090d', data_center: 'neimengDC1', gpu_name: 'RTX 4090 D', gpu_num: 8, cpu_num: 96, memory_gb: 120, max_cuda: 122, price_per_gpu: 1800 },
];

async function placedOn(sim: { world: { advance(ms: number): void } }, api: Api, body: Record<string, unknown>): Promise<Container[]> {
  const { deployment_uuid } = await api.ok<{ deployment_uuid: string }>('POST', P.create, body);
  sim.world.advance(100);
  return (await api.ok<Page<Container>>('POST', P.containers, { deployment_uuid, page_index: 1, page_size: 100 })).list;
}

test('CUDA: private cuda_v needs host max_cuda >= cuda_v', async () => {
  await withSim({ world: { hosts: HOSTS } }, async (sim, api) => {
    const cs = await placedOn(sim, api, privateBody({ deployment_type: 'ReplicaSet', replica_num: 3 }, { gpu_name_set: ['RTX 3090'], cuda_v: 120 }));
    assert.equal(cs.length, 3);
    assert.ok(cs.every((c) => c.machine_id === 'new3090'));
    const cheap = await placedOn(sim, api, privateBody({}, { gpu_name_set: ['RTX 3090'], cuda_v: 113 }));
    assert.equal(cheap[0]!.machine_id, 'old3090', 'cheapest eligible host first');
  });
});

test('CUDA: public cuda_v_from against host max_cuda; dc_list restricts hosts', async () => {
  await withSim({ dialect: 'public', world: { hosts: HOSTS } }, async (sim, api) => {
    const cs = await placedOn(sim, api, publicBody({}, { gpu_name_set: ['RTX 3090'], cuda_v_from: 118, cuda_v_to: 128, dc_list: ['westDC2', 'beijingDC1'] }));
    assert.equal(cs[0]!.machine_id, 'new3090');
    const west = await placedOn(sim, api, publicBody({}, { gpu_name_set: ['RTX 3090'], cuda_v_from: 113, cuda_v_to: 128, dc_list: ['westDC2'] }));
    assert.equal(west[0]!.data_center, 'westDC2');
    const none = await api.call('POST', P.create, publicBody({}, { gpu_name_set: ['RTX 3090'], cuda_v_from: 120, cuda_v_to: 128, dc_list: ['westDC2'] }));
    assert.equal(none.status, 200);
    assert.notEqual(none.body.code, 'Success');
    const noDc = await api.call('POST', P.create, publicBody({}, { dc_list: undefined }));
    assert.equal(noDc.body.code, 'InvalidParameter', 'dc_list is required in the public dialect');
  });
});

test('cpu and memory floors: gpu_num × per-GPU share must fall in range (RTX 4090 D 16 GB floor)', async () => {
  await withSim({ world: { hosts: HOSTS } }, async (sim, api) => {
    const t = { gpu_name_set: ['RTX 4090 D'], cuda_v: 118 };
    const fail = await api.call('POST', P.create, privateBody({}, { ...t, memory_size_from: 16 }));
    assert.equal(fail.body.code, 'NoMatchingMachine');
    assert.match(fail.body.msg, /内存/);
    const ok = await placedOn(sim, api, privateBody({}, { ...t, memory_size_from: 8 }));
    assert.equal(ok[0]!.memory_size, 15 * 1024 ** 3);
    assert.equal(ok[0]!.cpu_num, 12);
    const two = await placedOn(sim, api, privateBody({}, { ...t, gpu_num: 2, memory_size_from: 16, cpu_num_from: 24, cpu_num_to: 24 }));
    assert.equal(two[0]!.memory_size, 30 * 1024 ** 3);
    assert.equal(two[0]!.cpu_num, 24);
    assert.equal(two[0]!.price, 2 * 1800);
    const cpuCap = await api.call('POST', P.create, privateBody({}, { ...t, cpu_num_to: 8 }));
    assert.equal(cpuCap.body.code, 'NoMatchingMachine');
    assert.match(cpuCap.body.msg, /CPU/);
    const bytes = await api.call('POST', P.create, privateBody({}, { ...t, memory_size_from: 8 * 1024 ** 3 }));
    assert.equal(bytes.body.code, 'NoMatchingMachine', 'memory given in bytes is an impossible floor');
  });
});

test('price range compares price_per_gpu', async () => {
  await withSim({ world: { hosts: HOSTS } }, async (sim, api) => {
    const cs = await placedOn(sim, api, privateBody({}, { gpu_name_set: ['RTX 3090'], cuda_v: 113, gpu_num: 2, price_from: 1200, price_to: 1600 }));
    assert.equal(cs[0]!.machine_id, 'new3090');
    assert.equal(cs[0]!.price, 3000);
    const r = await api.call('POST', P.create, privateBody({}, { gpu_name_set: ['RTX 3090'], cuda_v: 113, price_to: 900 }));
    assert.equal(r.body.code, 'NoMatchingMachine');
    assert.match(r.body.msg, /价格/);
  });
});

test('impossible templates fail the create with a clear msg; no capacity now → created and scheduled later', async () => {
  await withSim({ world: { hosts: HOSTS } }, async (sim, api) => {
    const noGpu = await api.call('POST', P.create, privateBody({}, { gpu_name_set: ['H100'] }));
    assert.equal(noGpu.status, 200);
    assert.equal(noGpu.body.code, 'NoMatchingMachine');
    assert.match(noGpu.body.msg, /H100/);
    const tooMany = await api.call('POST', P.create, privateBody({}, { gpu_name_set: ['RTX 3090'], gpu_num: 9, cuda_v: 113 }));
    assert.equal(tooMany.body.code, 'NoMatchingMachine');
    const cuda = await api.call('POST', P.create, privateBody({}, { gpu_name_set: ['RTX 3090'], cuda_v: 128 }));
    assert.match(cuda.body.msg, /CUDA/);
    assert.equal(sim.world.allDeployments().length, 0, 'failed creates leave nothing');

    assert.equal(sim.world.occupy('RTX 4090 D', 100), 8);
    const { deployment_uuid } = await api.ok<{ deployment_uuid: string }>('POST', P.create, privateBody({}, { gpu_name_set: ['RTX 4090 D'], gpu_num: 2 }));
    sim.world.advance(60_000);
    let cs = await api.ok<Page<Container>>('POST', P.containers, { deployment_uuid, page_index: 1, page_size: 10 });
    assert.equal(cs.result_total, 0, 'unscheduled while no capacity');
    assert.equal(sim.world.free('RTX 4090 D', 1), 1);
    sim.world.advance(1000);
    cs = await api.ok<Page<Container>>('POST', P.containers, { deployment_uuid, page_index: 1, page_size: 10 });
    assert.equal(cs.result_total, 0, 'one GPU is not enough for gpu_num 2');
    sim.world.free('RTX 4090 D', 1);
    sim.world.advance(1000);
    cs = await api.ok<Page<Container>>('POST', P.containers, { deployment_uuid, page_index: 1, page_size: 10 });
    assert.equal(cs.result_total, 1, 'scheduled once capacity appears');
  });
});

test('gpu_num must fit on ONE host', async () => {
  await withSim({ world: { hosts: HOSTS } }, async (sim, api) => {
    sim.world.occupy('RTX 3090', 12); // old3090 full, 4 left on new3090
    const { deployment_uuid } = await api.ok<{ deployment_uuid: string }>('POST', P.create, privateBody({}, { gpu_name_set: ['RTX 3090'], cuda_v: 113, gpu_num: 5 }));
    sim.world.advance(1000);
    const cs = await api.ok<Page<Container>>('POST', P.containers, { deployment_uuid, page_index: 1, page_size: 10 });
    assert.equal(cs.result_total, 0);
  });
});

test('blacklisted host is avoided by later placements until expiry', async () => {
  await withSim({ world: { hosts: HOSTS } }, async (sim, api) => {
    const first = await placedOn(sim, api, privateBody({ name: 'x' }, { gpu_name_set: ['RTX 3090'], cuda_v: 113, cmd: 'sleep infinity' }));
    assert.equal(first[0]!.machine_id, 'old3090');
    await api.ok('POST', P.blacklist, { deployment_container_uuid: first[0]!.uuid, expire_in_minutes: 10 });
    const second = await placedOn(sim, api, privateBody({ name: 'y' }, { gpu_name_set: ['RTX 3090'], cuda_v: 113, cmd: 'sleep infinity' }));
    assert.equal(second[0]!.machine_id, 'new3090');
    sim.world.occupyHost('new3090', 100);
    sim.world.occupyHost('old3090', 100);
    assert.equal(sim.world.freeHost('old3090', 1), 1);
    const third = await api.ok<{ deployment_uuid: string }>('POST', P.create, privateBody({ name: 'z' }, { gpu_name_set: ['RTX 3090'], cuda_v: 113 }));
    sim.world.advance(1000);
    let cs = await api.ok<Page<Container>>('POST', P.containers, { deployment_uuid: third.deployment_uuid, page_index: 1, page_size: 10 });
    assert.equal(cs.result_total, 0, 'the only free card is on the blacklisted host');
    sim.world.advance(10 * 60_000);
    cs = await api.ok<Page<Container>>('POST', P.containers, { deployment_uuid: third.deployment_uuid, page_index: 1, page_size: 10 });
    assert.equal(cs.result_total, 1, 'placed once the entry expired');
    assert.equal(cs.list[0]!.machine_id, 'old3090');
  });
});

test('blacklist expire_in_minutes bounds', async () => {
  await withSim({}, async (sim, api) => {
    const cs = await placedOn(sim, api, privateBody());
    for (const bad of [0, 43201, 1.5, '60']) {
      const r = await api.call('POST', P.blacklist, { deployment_container_uuid: cs[0]!.uuid, expire_in_minutes: bad });
      assert.equal(r.body.code, 'InvalidParameter', `expire_in_minutes ${String(bad)}`);
    }
    await api.ok('POST', P.blacklist, { deployment_container_uuid: cs[0]!.uuid, expire_in_minutes: 43200 });
    await api.ok('POST', P.blacklist, { deployment_container_uuid: cs[0]!.uuid });
    const list = await api.ok<Page<{ expired_time: string; created_at: string }>>('GET', P.blacklist);
    assert.equal(list.list.length, 1, 'same host twice → one entry');
    assert.equal(Date.parse(list.list[0]!.expired_time) - Date.parse(list.list[0]!.created_at), 1440 * 60_000, 'default 24 h');
  });
});

test('unknown image and invalid fields → platform-style envelopes, never HTTP 500', async () => {
  await withSim({}, async (_sim, api) => {
    const img = await api.call('POST', P.create, privateBody({}, { image_uuid: 'image-doesnotexist' }));
    assert.equal(img.status, 200);
    assert.equal(img.body.code, 'RecordNotFoundError'); // the recorded code
    assert.match(img.body.msg, /镜像不存在/);
    const cases: Array<[string, Record<string, unknown>]> = [
      ['missing name', privateBody({ name: undefined })],
      ['empty name', privateBody({ name: '' })],
      ['gpu_num 0', privateBody({}, { gpu_num: 0 })],
      ['gpu_num string', privateBody({}, { gpu_num: '1' })],
      ['bad type', privateBody({ deployment_type: 'Pod' })],
      ['replica missing (Job)', privateBody({ replica_num: undefined })],
      ['replica missing (ReplicaSet)', privateBody({ deployment_type: 'ReplicaSet', replica_num: undefined })],
      ['empty gpu_name_set', privateBody({}, { gpu_name_set: [] })],
      ['gpu_name_set not list', privateBody({}, { gpu_name_set: 'RTX 4090' })],
      ['missing cuda', privateBody({}, { cuda_v: undefined })],
      ['inverted memory range', privateBody({}, { memory_size_from: 64, memory_size_to: 8 })],
      ['no template', { name: 'x', deployment_type: 'Container' }],
      ['template not object', { name: 'x', deployment_type: 'Container', container_template: 5 }],
      ['body is a list', [1, 2] as unknown as Record<string, unknown>],
    ];
    for (const [label, body] of cases) {
      const r = await api.call('POST', P.create, body);
      assert.equal(r.status, 200, label);
      assert.equal(r.body.code, 'InvalidParameter', label);
      assert.match(r.body.msg, /请求参数错误/, label);
    }
    const res = await fetch(new URL(P.create, api.url), { method: 'POST', headers: { authorization: api.token!, 'content-type': 'application/json' }, body: '{not json' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { code: string }).code, 'InvalidParameter');
    const missing = await api.call('PUT', P.operate, { deployment_uuid: 'nope', operate: 'stop' });
    assert.equal(missing.body.code, 'NotFound');
    const badOp = await api.call('PUT', P.operate, { deployment_uuid: 'nope', operate: 'start' });
    assert.equal(badOp.body.code, 'InvalidParameter');
    const ddp = await api.call('GET', P.ddp);
    assert.equal(ddp.body.code, 'InvalidParameter');
    const unknownPath = await api.call('GET', '/api/v1/dev/nothing');
    assert.equal(unknownPath.status, 404);
    assert.equal(unknownPath.body.code, 'NotFound');
    const wrongMethod = await api.call('GET', P.create);
    assert.equal(wrongMethod.status, 405);
  });
});
