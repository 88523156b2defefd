// Every endpoint over real HTTP, in both dialects.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { withSim, P, privateBody, publicBody, DEMO_IMAGE_UUID } from './helpers.js';
import type {
  BlacklistEntry,
  Container,
  ContainerEvent,
  DdpOverview,
  Deployment,
  Dialect,
  Page,
  PrivateImage,
  PrivateStockWire,
  PublicStockWire,
  SystemImage,
} from '../../src/api/types.js';

for (const dialect of ['private', 'public'] as const satisfies readonly Dialect[]) {
  const body = dialect === 'private' ? privateBody : publicBody;
  describe(`endpoints, ${dialect} dialect`, () => {
    test('request_id only in the public dialect; envelope shape', async () => {
      await withSim({ dialect }, async (_sim, api) => {
        const r = await api.call('GET', P.stock);
        assert.equal(r.status, 200);
        assert.equal(r.body.code, 'Success');
        assert.equal(r.body.msg, '');
        if (dialect === 'public') assert.match(String(r.body.request_id), /^[0-9a-f]{32}$/);
        else assert.equal('request_id' in r.body, false);
      });
    });

    test('1 private images and 14 system images', async () => {
      await withSim({ dialect }, async (_sim, api) => {
        const imgs = await api.ok<Page<PrivateImage>>('POST', P.images, { page_index: 1, page_size: 10 });
        // recorded shapes: public {id, image_name, image_uuid}; private {id, image_uuid, name, status}
        const nameKey = dialect === 'public' ? 'image_name' : 'name';
        assert.ok(imgs.list.some((i) => i.image_uuid === DEMO_IMAGE_UUID && (i as unknown as Record<string, unknown>)[nameKey] === 'pytorch-2.1-cuda11.8'));
        assert.equal(imgs.result_total, imgs.list.length);
        const sys = await api.ok<Page<SystemImage>>('POST', P.sysImages, { page_index: 1, page_size: 5 });
        assert.equal(sys.list.length, 5);
        assert.ok(sys.result_total > 5);
        assert.equal(sys.max_page, Math.ceil(sys.result_total / 5));
        for (const s of sys.list) assert.match(s.cuda_version, /^\d+\.\d+$/);
      });
    });

    test('2-9: create, list, events, containers, stop container, replicas, stop, delete', async () => {
      await withSim({ dialect }, async (sim, api) => {
        const { deployment_uuid: rs } = await api.ok<{ deployment_uuid: string }>(
          'POST',
          P.create,
          body({ name: 'svc', deployment_type: 'ReplicaSet', replica_num: 2 }, { cmd: 'sleep infinity' }),
        );
        sim.world.advance(10_000);
        let d = (await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, deployment_uuid: rs })).list[0]!;
        assert.equal(d.uuid, rs);
        assert.equal(d.deployment_type, 'ReplicaSet');
        assert.equal(d.running_num, 2);
        assert.equal(d.image_uuid, DEMO_IMAGE_UUID);
        assert.ok((d.price_estimates ?? 0) > 0);
        assert.equal(typeof d.template, 'object');

        const cs = await api.ok<Page<Container>>('POST', P.containers, { deployment_uuid: rs, page_index: 1, page_size: 10 });
        assert.equal(cs.result_total, 2);
        const c = cs.list[0]!;
        if (dialect === 'private') assert.ok(c.uuid.startsWith(`${rs}-${c.machine_id}-`));
        else {
          // public: four dash-separated parts, not led by the deployment uuid (recorded)
          assert.match(c.uuid, /^[0-9a-f]{10}-[0-9a-f]{10}-[0-9a-f]{10}-[0-9a-f]{9}$/);
          assert.ok(!c.uuid.startsWith(rs));
        }
        assert.equal(c.gpu_name, 'RTX 4090');
        assert.ok(c.memory_size > 1024 ** 3, 'memory in bytes');
        assert.ok(c.info.root_password.length > 0);
        assert.match(c.info.ssh_command, /^ssh -p \d+ root@/);

        const ev = await api.ok<Page<ContainerEvent>>('POST', P.events, { deployment_uuid: rs, page_index: 1, page_size: 100 });
        const statuses = ev.list.filter((e) => e.deployment_container_uuid === c.uuid).map((e) => e.status);
        // newest first; each host lists only some moves (recorded)
        assert.deepEqual(statuses, dialect === 'private' ? ['running', 'starting', 'created'] : ['running', 'starting']);

        await api.ok('PUT', P.stopContainer, { deployment_container_uuid: c.uuid, decrease_one_replica_num: true });
        await api.ok('PUT', P.replicas, { deployment_uuid: rs, replica_num: 3 });
        sim.world.advance(10_000);
        d = (await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, deployment_uuid: rs })).list[0]!;
        assert.equal(d.replica_num, 3);
        assert.equal(d.running_num, 3);

        await api.ok('PUT', P.operate, { deployment_uuid: rs, operate: 'stop' });
        d = (await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, deployment_uuid: rs })).list[0]!;
        assert.equal(d.status, 'stopped');
        assert.notEqual(d.stopped_at, null);
        const stoppedList = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, status: 'stopped' });
        assert.equal(stoppedList.result_total, 1);

        await api.ok('DELETE', P.del, { deployment_uuid: rs });
        const after = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10 });
        assert.equal(after.result_total, 0);
      });
    });

    test('9 delete accepts the uuid in the query string', async () => {
      await withSim({ dialect }, async (_sim, api) => {
        const { deployment_uuid } = await api.ok<{ deployment_uuid: string }>('POST', P.create, body());
        await api.ok('DELETE', P.del, undefined, { deployment_uuid });
        const after = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10 });
        assert.equal(after.result_total, 0);
      });
    });

    test('10-11 blacklist add and list; 15 ddp overview', async () => {
      await withSim({ dialect }, async (sim, api) => {
        const { deployment_uuid } = await api.ok<{ deployment_uuid: string }>('POST', P.create, body({}, { cmd: 'sleep infinity' }));
        sim.world.advance(9000);
        const c = (await api.ok<Page<Container>>('POST', P.containers, { deployment_uuid, page_index: 1, page_size: 10 })).list[0]!;
        await api.ok('POST', P.blacklist, { deployment_container_uuid: c.uuid, comment: 'slow disk', expire_in_minutes: 60 });
        const bl = await api.ok<Page<BlacklistEntry>>('GET', P.blacklist);
        assert.equal(bl.list.length, 1);
        assert.equal(bl.list[0]!.machine_id, c.machine_id);
        assert.equal(bl.list[0]!.data_center, c.data_center);
        assert.equal(bl.list[0]!.msg, 'slow disk');
        const alias = await api.ok<Page<BlacklistEntry>>('POST', `${P.blacklist}/list`, {});
        assert.equal(alias.list.length, 1);
        sim.world.advance(61 * 60_000);
        assert.equal((await api.ok<Page<BlacklistEntry>>('GET', P.blacklist)).list.length, 0, 'expired entries vanish');

        const ddp = await api.ok<DdpOverview[]>('GET', P.ddp, undefined, { deployment_uuid });
        assert.equal(ddp[0]!.gpu_type, 'RTX 4090');
        assert.ok(ddp[0]!.balance < ddp[0]!.total, 'balance decreases with use');
        assert.ok(ddp[0]!.dc_list.includes(c.data_center));
      });
    });

    test('12-13 stock shapes and region stock', async () => {
      await withSim({ dialect }, async (sim, api) => {
        const raw = await api.ok<PrivateStockWire | PublicStockWire>('GET', P.stock);
        const norm = (d: PrivateStockWire | PublicStockWire) =>
          Array.isArray(d) ? Object.assign({}, ...d) as PrivateStockWire : d;
        if (dialect === 'private') assert.ok(!Array.isArray(raw));
        else {
          assert.ok(Array.isArray(raw));
          for (const el of raw) assert.equal(Object.keys(el).length, 1);
        }
        const all = norm(raw);
        const total4090 = sim.world.hosts().filter((h) => h.gpu_name === 'RTX 4090').reduce((s, h) => s + h.gpu_num, 0);
        assert.deepEqual(
          all['RTX 4090'],
          dialect === 'private'
            ? { gpu_name: 'RTX 4090', idle_gpu_num: total4090, total_gpu_num: total4090 }
            : { idle_gpu_num: total4090, total_gpu_num: total4090, chip_corp: 'nvidia', cpu_arch: 'x86' },
        );

        const west = norm(await api.ok<PrivateStockWire | PublicStockWire>('POST', P.regionStock, { region_sign: 'west' }));
        const westHosts = sim.world.hosts().filter((h) => h.data_center.startsWith('westDC'));
        assert.deepEqual(Object.keys(west).sort(), [...new Set(westHosts.map((h) => h.gpu_name))].sort());
        assert.equal(west['RTX 4090']!.total_gpu_num, westHosts.filter((h) => h.gpu_name === 'RTX 4090').reduce((s, h) => s + h.gpu_num, 0));
        const bj = norm(await api.ok<PrivateStockWire | PublicStockWire>('POST', P.regionStock, { dc_list: ['beijingDC3'] }));
        assert.deepEqual(Object.keys(bj), [dialect === 'private' ? 'A800-80GB' : 'V100-SXM2-32GB']);
        // an unknown region_sign is an empty Success (recorded: bj-B2)
        const bad = await api.call('POST', P.regionStock, { region_sign: 'atlantis' });
        assert.equal(bad.status, 200);
        assert.equal(bad.body.code, 'Success');
        assert.deepEqual(bad.body.data, dialect === 'private' ? {} : []);

        sim.world.occupy('RTX 4090', 5);
        const after = norm(await api.ok<PrivateStockWire | PublicStockWire>('GET', P.stock));
        assert.equal(after['RTX 4090']!.idle_gpu_num, total4090 - 5);
      });
    });
  });
}

describe('pagination', () => {
  test('deployments across many pages, with page_index and offset', async () => {
    await withSim({ world: { hosts: [{ machine_id: 'm1', data_center: 'westDC2', gpu_name: 'RTX 4090', gpu_num: 8, cpu_num: 64, memory_gb: 256, max_cuda: 122, price_per_gpu: 1000 }] } }, async (_sim, api) => {
      const uuids: string[] = [];
      for (let i = 0; i < 23; i++) {
        uuids.push((await api.ok<{ deployment_uuid: string }>('POST', P.create, privateBody({ name: `d-${i}` }))).deployment_uuid);
      }
      const seen: string[] = [];
      let page = 1;
      let maxPage = 0;
      do {
        const pg = await api.ok<Page<Deployment>>('POST', P.list, { page_index: page, page_size: 5 });
        assert.equal(pg.result_total, 23);
        assert.equal(pg.page_index, page);
        maxPage = pg.max_page;
        seen.push(...pg.list.map((d) => d.uuid));
        page++;
      } while (page <= maxPage);
      assert.equal(maxPage, 5);
      assert.deepEqual([...seen].sort(), [...uuids].sort());
      assert.equal(new Set(seen).size, 23);
      const off = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 5, offset: 20 });
      assert.deepEqual(off.list.map((d) => d.uuid), seen.slice(20));
      const beyond = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 9, page_size: 5 });
      assert.equal(beyond.list.length, 0);
      const byName = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 50, name: 'd-1' });
      assert.deepEqual(byName.list.map((d) => d.name).sort(), ['d-1', 'd-10', 'd-11', 'd-12', 'd-13', 'd-14', 'd-15', 'd-16', 'd-17', 'd-18', 'd-19'].sort(), 'name filter is a substring match');
    });
  });

  test('events: newest first, offset slices that order; GET paging from the query string', async () => {
    await withSim({}, async (sim, api) => {
      const { deployment_uuid } = await api.ok<{ deployment_uuid: string }>('POST', P.create, privateBody({ deployment_type: 'Job', replica_num: 3, parallelism_num: 3 }, { cmd: 'sleep 5' }));
      sim.world.advance(20_000);
      const all = await api.ok<Page<ContainerEvent>>('POST', P.events, { deployment_uuid, page_index: 1, page_size: 1000 });
      // private lists created, starting, running, shutdown per container (XR-Lee/Gemcp), newest first
      assert.equal(all.result_total, 3 * 4, 'four listed moves per container');
      const times = all.list.map((e) => Date.parse(e.created_at));
      for (let i = 1; i < times.length; i++) assert.ok(times[i - 1]! >= times[i]!, 'newest first');
      assert.equal(all.list[0]!.status, 'shutdown');
      assert.equal(all.list.at(-1)!.status, 'created');
      // offset and page_index slice the newest-first list
      const got: ContainerEvent[] = [];
      for (;;) {
        const pg = await api.ok<Page<ContainerEvent>>('POST', P.events, { deployment_uuid, page_index: 1, page_size: 4, offset: got.length });
        got.push(...pg.list);
        if (pg.list.length < 4) break;
      }
      assert.deepEqual(got, all.list);
      const one = all.list[0]!.deployment_container_uuid;
      const filtered = await api.ok<Page<ContainerEvent>>('POST', P.events, { deployment_uuid, deployment_container_uuid: one, page_index: 1, page_size: 100 });
      assert.deepEqual(filtered.list.map((e) => e.status), ['shutdown', 'running', 'starting', 'created']);
      const bl = await api.ok<Page<BlacklistEntry>>('GET', P.blacklist, undefined, { page_index: '1', page_size: '3' });
      assert.equal(bl.page_size, 3);
    });
  });
});
