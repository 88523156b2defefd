// The simulator answers as the real platform did: one test per fact of
// ../shared/recorded-responses.md (numbers in the titles), over HTTP against the simulator.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { withSim, P, privateBody, publicBody, DEMO_IMAGE_UUID, type Api } from './helpers.js';
import type { Container, ContainerEvent, Deployment, Page } from '../../src/api/types.js';

type Rec = Record<string, unknown>;
const GiB = 1024 ** 3;

async function create(api: Api, body: Rec): Promise<string> {
  return (await api.ok<{ deployment_uuid: string }>('POST', P.create, body)).deployment_uuid;
}

async function containers(api: Api, deployment_uuid: string, extra: Rec = {}): Promise<Page<Container & Rec> & Rec> {
  return api.ok('POST', P.containers, { deployment_uuid, page_index: 1, page_size: 100, ...extra });
}

async function systemImages(api: Api): Promise<Rec[]> {
  return (await api.ok<Page<Rec>>('POST', P.sysImages, { page_index: 1, page_size: 100 })).list;
}

describe('behaviour', () => {
  for (const dialect of ['private', 'public'] as const) {
    const body = dialect === 'private' ? privateBody : publicBody;

    test(`1 a system image creates a deployment (${dialect})`, async () => {
      await withSim({ dialect }, async (sim, api) => {
        const sys = await systemImages(api);
        const img = sys.find((s) => s.cuda_version === '11.8')!;
        const uuid = await create(api, body({ deployment_type: 'Container' }, { image_uuid: img.image_uuid, cmd: 'sleep infinity' }));
        sim.world.advance(10_000);
        const cs = await containers(api, uuid);
        assert.equal(cs.list[0]!.status, 'running');
        assert.equal(cs.list[0]!.image_uuid, img.image_uuid);
        // the template reports the image's name
        const d = (await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, deployment_uuid: uuid })).list[0]!;
        assert.equal(d.template!.image_name, img.name);
      });
    });

    test(`3 container list: 0 and "" mean no filter (${dialect})`, async () => {
      await withSim({ dialect }, async (sim, api) => {
        const uuid = await create(api, body({}, { cmd: 'sleep infinity' }));
        sim.world.advance(10_000);
        // the body a public client sends (Rookie-Package/autodl)
        const cs = await containers(api, uuid, {
          container_uuid: '',
          date_from: '',
          date_to: '',
          gpu_name: '',
          cpu_num_from: 0,
          cpu_num_to: 0,
          memory_size_from: 0,
          memory_size_to: 0,
          price_from: 0,
          price_to: 0,
          released: false,
          status: ['running'],
        });
        assert.equal(cs.list.length, 1);
        assert.equal(cs.list[0]!.status, 'running');
      });
    });

    test(`4 GET deployment list with no body answers Success (${dialect})`, async () => {
      await withSim({ dialect }, async (_sim, api) => {
        const a = await create(api, body({ name: 'first' }));
        const b = await create(api, body({ name: 'second' }));
        const r = await api.call<Page<Rec>>('GET', P.list);
        assert.equal(r.status, 200);
        assert.equal(r.body.code, 'Success');
        assert.deepEqual(
          r.body.data.list.map((d) => d.uuid),
          [b, a],
        );
        // exactly the recorded keys
        for (const d of r.body.data.list) {
          assert.deepEqual(Object.keys(d).sort(), ['created_at', 'dc_list', 'deployment_type', 'gpu_name_set', 'id', 'name', 'region_sign', 'status', 'uid', 'uuid']);
          assert.equal(typeof d.id, 'number');
          assert.equal(typeof d.uid, 'number');
          assert.equal(d.region_sign, '');
          assert.deepEqual(d.gpu_name_set, ['RTX 4090']);
        }
      });
    });

    test(`5 page_index 0 is accepted on the event list (and page instead of page_index) (${dialect})`, async () => {
      await withSim({ dialect }, async (sim, api) => {
        const uuid = await create(api, body({}, { cmd: 'sleep infinity' }));
        sim.world.advance(10_000);
        const zero = await api.call<Page<ContainerEvent>>('POST', P.events, { deployment_uuid: uuid, deployment_container_uuid: '', page_index: 0, page_size: 10 });
        assert.equal(zero.body.code, 'Success');
        assert.ok(zero.body.data.list.length > 0);
        const alias = await api.ok<Page<ContainerEvent>>('POST', P.events, { deployment_uuid: uuid, page: 1, page_size: 1 });
        assert.equal(alias.list.length, 1);
      });
    });

    test(`6 replica_num on a stopped ReplicaSet answers Success and starts nothing (${dialect})`, async () => {
      await withSim({ dialect }, async (sim, api) => {
        const uuid = await create(api, body({ deployment_type: 'ReplicaSet', replica_num: 1 }, { cmd: 'sleep infinity' }));
        sim.world.advance(10_000);
        await api.ok('PUT', P.operate, { deployment_uuid: uuid, operate: 'stop' });
        const r = await api.call('PUT', P.replicas, { deployment_uuid: uuid, replica_num: 2 });
        assert.equal(r.body.code, 'Success');
        sim.world.advance(60_000);
        const d = (await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, deployment_uuid: uuid })).list[0]!;
        assert.equal(d.status, 'stopped');
        assert.equal(d.replica_num, 2);
        assert.equal(d.running_num! + d.starting_num!, 0);
      });
    });

    test(`8 region stock filters by gpu_name_set and cuda_v_from; an unknown region is an empty Success (${dialect})`, async () => {
      await withSim({ dialect }, async (sim, api) => {
        const norm = (d: unknown): Rec => (Array.isArray(d) ? Object.assign({}, ...(d as Rec[])) : (d as Rec));
        // public: the westDC2 region; private: no region (the whole cluster)
        const region: Rec = dialect === 'public' ? { region_sign: 'westDC2' } : {};
        const dcs = dialect === 'public' ? new Set(['westDC2']) : undefined;
        const west = norm(await api.ok('POST', P.regionStock, region));
        assert.ok(Object.keys(west).length > 1);
        const only = norm(await api.ok('POST', P.regionStock, { ...region, gpu_name_set: ['RTX 4090'] }));
        assert.deepEqual(Object.keys(only), ['RTX 4090']);
        // a CUDA floor above every driver of the region leaves nothing; the hosts' maxima decide
        const inRegion = sim.world.hosts().filter((h) => !dcs || dcs.has(h.data_center));
        const maxCuda = Math.max(...inRegion.map((h) => h.max_cuda));
        const none = norm(await api.ok('POST', P.regionStock, { ...region, cuda_v_from: maxCuda + 2, cuda_v_to: 200 }));
        assert.deepEqual(Object.keys(none), []);
        const top = norm(await api.ok('POST', P.regionStock, { ...region, cuda_v_from: maxCuda, cuda_v_to: 200 }));
        assert.deepEqual(Object.keys(top).sort(), [...new Set(inRegion.filter((h) => h.max_cuda >= maxCuda).map((h) => h.gpu_name))].sort());
        const all = norm(await api.ok('POST', P.regionStock, { ...region, cuda_v_from: 0, cuda_v_to: 0 }));
        assert.deepEqual(Object.keys(all).sort(), Object.keys(west).sort());
        const unknown = await api.call('POST', P.regionStock, { region_sign: 'bj-B2' });
        assert.equal(unknown.status, 200);
        assert.equal(unknown.body.code, 'Success');
        assert.deepEqual(unknown.body.data, dialect === 'public' ? [] : {});
      });
    });

    test(`field notes: unknown fields are accepted and ignored (reuse_container inside the template, env_vars) (${dialect})`, async () => {
      await withSim({ dialect }, async (_sim, api) => {
        const r = await api.call('POST', P.create, body({}, { reuse_container: true, env_vars: { A: '1' } }));
        assert.equal(r.body.code, 'Success');
      });
    });
  }

  test('2 cuda_v 0 means no CUDA constraint (private)', async () => {
    await withSim({}, async (sim, api) => {
      // the oldest driver of the world: only cuda_v 0 (or a code at or below it) can reach it
      const oldest = [...sim.world.hosts()].sort((a, b) => a.max_cuda - b.max_cuda)[0]!;
      const uuid = await create(api, privateBody({ deployment_type: 'Container' }, { gpu_name_set: [oldest.gpu_name], cuda_v: 0, cmd: 'sleep infinity', memory_size_from: 1, memory_size_to: 1024 }));
      sim.world.advance(10_000);
      assert.equal((await containers(api, uuid)).list[0]!.status, 'running');
    });
  });

  test('7 public events: newest first, starting/running/shutting_down/shutdown, then removed', async () => {
    await withSim({ dialect: 'public' }, async (sim, api) => {
      const uuid = await create(api, publicBody({ deployment_type: 'Container' }, { cmd: 'sleep 5' }));
      sim.world.advance(30_000);
      let ev = (await api.ok<Page<ContainerEvent>>('POST', P.events, { deployment_uuid: uuid, page_index: 1, page_size: 100 })).list;
      assert.deepEqual(ev.map((e) => e.status), ['shutdown', 'shutting_down', 'running', 'starting']);
      sim.world.advance(200_000);
      ev = (await api.ok<Page<ContainerEvent>>('POST', P.events, { deployment_uuid: uuid, page_index: 1, page_size: 100 })).list;
      assert.equal(ev[0]!.status, 'removed');
    });
  });

  test('9 unknown image on create (public): the recorded envelope, HTTP 200, no request_id', async () => {
    await withSim({ dialect: 'public' }, async (_sim, api) => {
      const r = await api.call('POST', P.create, publicBody({}, { image_uuid: 'image-0000000000' }));
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { code: 'RecordNotFoundError', msg: '私有镜像不存在', data: null });
    });
  });

  test('9 unknown image on create (private): 镜像不存在', async () => {
    await withSim({}, async (_sim, api) => {
      const r = await api.call('POST', P.create, privateBody({}, { image_uuid: 'pytorch-2.1-cuda11.8' }));
      assert.equal(r.status, 200);
      assert.equal(r.body.msg, '镜像不存在');
      assert.notEqual(r.body.code, 'Success');
    });
  });
});

describe('shapes, public dialect', () => {
  test('11 private image items are exactly id, image_name, image_uuid', async () => {
    await withSim({ dialect: 'public' }, async (_sim, api) => {
      const imgs = await api.ok<Page<Rec>>('POST', P.images, { page_index: 1, page_size: 10 });
      for (const i of imgs.list) assert.deepEqual(Object.keys(i).sort(), ['id', 'image_name', 'image_uuid']);
      assert.ok(imgs.list.some((i) => i.image_uuid === DEMO_IMAGE_UUID));
    });
  });

  test('12, 13 stock values carry chip_corp and cpu_arch; westDC2 lists the recorded GPU names', async () => {
    await withSim({ dialect: 'public' }, async (_sim, api) => {
      const data = await api.ok<Array<Record<string, Rec>>>('POST', P.regionStock, { region_sign: 'westDC2' });
      const names = data.map((el) => Object.keys(el)[0]!);
      for (const n of ['RTX 4090D', 'vGPU-32GB', 'vGPU-48GB', 'RTX 3080x2', 'RTX 4090']) assert.ok(names.includes(n), n);
      assert.ok(!names.includes('RTX 4090 D'), 'public says RTX 4090D, no space');
      for (const el of data) {
        const v = Object.values(el)[0]!;
        assert.deepEqual(Object.keys(v).sort(), ['chip_corp', 'cpu_arch', 'idle_gpu_num', 'total_gpu_num']);
      }
    });
  });

  test('14, 15, 16 uuids, container page and items, one RTX 4090 in westDC2', async () => {
    await withSim({ dialect: 'public' }, async (sim, api) => {
      const uuid = await create(api, publicBody({}, { gpu_name_set: ['RTX 4090'], dc_list: ['westDC2'], cmd: 'sleep infinity' }));
      assert.match(uuid, /^[0-9a-f]{10}$/);
      sim.world.advance(10_000);
      const page = await containers(api, uuid);
      assert.deepEqual(Object.keys(page).sort(), ['list', 'max_page', 'offset', 'page', 'page_index', 'page_size', 'result_total']);
      const c = page.list[0]!;
      assert.match(c.uuid, /^[0-9a-f]{10}-[0-9a-f]{10}-[0-9a-f]{10}-[0-9a-f]{9}$/);
      assert.ok(!c.uuid.startsWith(uuid));
      assert.ok(Number.isInteger(c.id));
      assert.equal(typeof c.updated_at, 'string');
      assert.equal(c.cpu_num, 16);
      assert.equal(c.memory_size, 60 * GiB);
      assert.equal(c.price, 1980);
    });
  });

  test('field note: each deployment of the list carries template.region_sign, dc_list and gpu_name_set', async () => {
    await withSim({ dialect: 'public' }, async (_sim, api) => {
      const uuid = await create(api, publicBody({}, { dc_list: ['westDC2'], memory_size_from: 8, memory_size_to: 64 }));
      const d = (await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10 })).list[0]!;
      assert.equal(d.uuid, uuid);
      assert.equal(d.template!.region_sign, '');
      assert.deepEqual(d.template!.dc_list, ['westDC2']);
      assert.deepEqual(d.template!.gpu_name_set, ['RTX 4090']);
      assert.equal(d.template!.memory_size_from, 8 * GiB);
    });
  });
});

describe('shapes, private dialect', () => {
  test('17 GPU stock values repeat the name; recorded private names are present', async () => {
    await withSim({}, async (_sim, api) => {
      const data = await api.ok<Record<string, Rec>>('GET', P.stock);
      for (const [name, v] of Object.entries(data)) {
        assert.deepEqual(Object.keys(v).sort(), ['gpu_name', 'idle_gpu_num', 'total_gpu_num']);
        assert.equal(v.gpu_name, name);
      }
      assert.equal(data['NVIDIA GeForce RTX 4090']!.total_gpu_num, 8);
      assert.equal(data['NVIDIA A40']!.total_gpu_num, 6);
    });
  });

  test('17 names are matched exactly: RTX 4090 and NVIDIA GeForce RTX 4090 are different cards', async () => {
    await withSim({}, async (sim, api) => {
      const uuid = await create(api, privateBody({ deployment_type: 'Container' }, { gpu_name_set: ['NVIDIA GeForce RTX 4090'], cmd: 'sleep infinity' }));
      sim.world.advance(10_000);
      assert.equal((await containers(api, uuid)).list[0]!.gpu_name, 'NVIDIA GeForce RTX 4090');
      const stock = await api.ok<Record<string, Rec>>('GET', P.stock);
      assert.equal(stock['NVIDIA GeForce RTX 4090']!.idle_gpu_num, 7);
      const rtx = sim.world.hosts().filter((h) => h.gpu_name === 'RTX 4090').reduce((s, h) => s + h.gpu_num, 0);
      assert.equal(stock['RTX 4090']!.idle_gpu_num, rtx);
    });
  });

  test('18 system image items: image_uuid, name, url, cuda_version, chip_corp, cpu_arch', async () => {
    for (const dialect of ['private', 'public'] as const) {
      await withSim({ dialect }, async (_sim, api) => {
        for (const s of await systemImages(api)) {
          assert.deepEqual(Object.keys(s).sort(), ['chip_corp', 'cpu_arch', 'cuda_version', 'image_uuid', 'name', 'url']);
          assert.match(String(s.image_uuid), dialect === 'private' ? /^base-image-[0-9a-f]{12}$/ : /^base-image-[0-9a-z]{10}$/);
        }
      });
    }
  });

  test('18 private image items: id, image_uuid, name, status', async () => {
    await withSim({}, async (_sim, api) => {
      const imgs = await api.ok<Page<Rec>>('POST', P.images, { page_index: 1, page_size: 10 });
      for (const i of imgs.list) assert.deepEqual(Object.keys(i).sort(), ['id', 'image_uuid', 'name', 'status']);
    });
  });

  test('19 deployment and container items: id, uid, updated_at, template in bytes with image_name; uuid formats', async () => {
    await withSim({}, async (sim, api) => {
      const uuid = await create(api, privateBody({ deployment_type: 'ReplicaSet', replica_num: 1 }, { memory_size_from: 1, memory_size_to: 256, cmd: 'sleep infinity' }));
      assert.match(uuid, /^[0-9a-f]{15}$/);
      sim.world.advance(10_000);
      const d = (await api.ok<Page<Deployment & Rec>>('POST', P.list, { page_index: 1, page_size: 10 })).list[0]!;
      assert.ok(Number.isInteger(d.id) && Number.isInteger(d.uid));
      assert.equal(typeof d.updated_at, 'string');
      assert.equal(d.template!.memory_size_from, 1073741824);
      assert.equal(d.template!.memory_size_to, 256 * GiB);
      assert.equal(d.template!.image_name, 'pytorch-2.1-cuda11.8');
      assert.equal('region_sign' in d.template!, false, 'no public region fields on the private cloud');
      const c = (await containers(api, uuid)).list[0]!;
      assert.match(c.uuid, new RegExp(`^${uuid}-${c.machine_id}-[0-9a-f]{8}$`));
      assert.ok(Number.isInteger(c.id));
      assert.equal(typeof c.updated_at, 'string');
      const page = await containers(api, uuid);
      assert.equal('page' in page, false);
    });
  });
});

describe('accounts without enterprise verification (fact 9, S)', () => {
  test('images and stock answer; every deployment endpoint answers BadRequest 无当前资源访问权限, even for an unknown uuid', async () => {
    await withSim({ dialect: 'public', tokens: ['personal'], world: { unverifiedTokens: ['personal'] } }, async (_sim, api) => {
      assert.equal((await api.call('POST', P.images, { page_index: 1, page_size: 10 })).body.code, 'Success');
      assert.equal((await api.call('POST', P.regionStock, { region_sign: 'westDC2' })).body.code, 'Success');
      assert.equal((await api.call('GET', P.stock)).body.code, 'Success');
      const refused: Array<[string, string, unknown, Record<string, string>?]> = [
        ['POST', P.list, { page_index: 1, page_size: 10 }],
        ['GET', P.blacklist, undefined],
        ['GET', P.ddp, undefined, { deployment_uuid: 'doesnotexist' }],
        ['POST', P.create, publicBody()],
      ];
      for (const [method, path, body, query] of refused) {
        const r = await api.call(method, path, body, query);
        assert.equal(r.status, 200, `${method} ${path}`);
        assert.equal(r.body.code, 'BadRequest', `${method} ${path}`);
        assert.equal(r.body.msg, '无当前资源访问权限');
      }
    });
  });
});
