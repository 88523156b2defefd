// The lists page without building every item (issue 14 §1): pin what a page says at sizes
// larger than a page — order (newest first), page_index/offset slicing, result_total and
// max_page, every filter, deletions and stops in between, the starting/running counts — so
// that an index behind the list cannot change what it answers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { withSim, P, privateBody, publicBody, type Api } from './helpers.js';
import type { Container, ContainerEvent, Deployment, Page } from '../../src/api/types.js';

const HOST = { machine_id: 'm1', data_center: 'westDC2', gpu_name: 'RTX 4090', gpu_num: 64, cpu_num: 512, memory_gb: 2048, max_cuda: 122, price_per_gpu: 1000 };

/** Every page of a list, by page_index (pageSize each), checking the page fields on the way. */
async function allPages<T>(api: Api, path: string, body: Record<string, unknown>, pageSize: number, total: number): Promise<T[]> {
  const out: T[] = [];
  const maxPage = Math.ceil(total / pageSize);
  for (let page = 1; page <= maxPage + 1; page++) {
    const pg = await api.ok<Page<T>>('POST', path, { ...body, page_index: page, page_size: pageSize });
    assert.equal(pg.result_total, total, `result_total on page ${page}`);
    assert.equal(pg.max_page, maxPage, `max_page on page ${page}`);
    assert.equal(pg.page_index, page);
    assert.equal(pg.list.length, page <= maxPage ? Math.min(pageSize, total - (page - 1) * pageSize) : 0, `items on page ${page}`);
    out.push(...pg.list);
  }
  return out;
}

describe('paging at more than a page', () => {
  test('deployment list: newest first, exact pages, offset, filters, deletions and stops', async () => {
    await withSim({ world: { hosts: [HOST] } }, async (sim, api) => {
      const created: string[] = [];
      for (let i = 0; i < 37; i++) {
        const body = privateBody({ name: i % 3 === 0 ? `alpha-${i}` : `beta-${i}` }, { cmd: 'sleep infinity' });
        created.push((await api.ok<{ deployment_uuid: string }>('POST', P.create, body)).deployment_uuid);
      }
      const deleted = new Set([created[0]!, created[17]!, created[36]!]);
      const stopped = new Set([created[5]!, created[20]!, created[30]!]);
      for (const u of deleted) await api.ok('DELETE', P.del, { deployment_uuid: u });
      for (const u of stopped) await api.ok('PUT', P.operate, { deployment_uuid: u, operate: 'stop' });
      sim.world.advance(30_000);
      const expected = created.filter((u) => !deleted.has(u)).reverse();
      const names = new Map(created.map((u, i) => [u, i % 3 === 0 ? `alpha-${i}` : `beta-${i}`]));

      const paged = await allPages<Deployment>(api, P.list, {}, 10, expected.length);
      assert.deepEqual(paged.map((d) => d.uuid), expected, 'newest first, every page in order, deleted ones left out');
      for (const d of paged) {
        assert.equal(d.status, stopped.has(d.uuid) ? 'stopped' : 'running');
        assert.equal(d.running_num, stopped.has(d.uuid) ? 0 : 1, `running_num of ${d.name}`);
        assert.equal(d.starting_num, 0);
      }

      // offset slices the same order; page_index counts from the offset
      const off = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 2, page_size: 7, offset: 4 });
      assert.deepEqual(off.list.map((d) => d.uuid), expected.slice(11, 18));
      assert.equal(off.max_page, Math.ceil((expected.length - 4) / 7));
      assert.equal(off.result_total, expected.length);
      const past = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, offset: 1000 });
      assert.deepEqual([past.list.length, past.max_page, past.result_total], [0, 0, expected.length]);

      // filters: status, name (substring), both, uuid (also a deleted and a stopped one)
      const running = expected.filter((u) => !stopped.has(u));
      assert.deepEqual((await allPages<Deployment>(api, P.list, { status: 'running' }, 8, running.length)).map((d) => d.uuid), running);
      assert.deepEqual((await allPages<Deployment>(api, P.list, { status: 'stopped' }, 2, stopped.size)).map((d) => d.uuid), expected.filter((u) => stopped.has(u)));
      const alpha = expected.filter((u) => names.get(u)!.includes('alpha'));
      assert.deepEqual((await allPages<Deployment>(api, P.list, { name: 'alpha' }, 4, alpha.length)).map((d) => d.uuid), alpha);
      const alphaStopped = alpha.filter((u) => stopped.has(u));
      assert.deepEqual((await allPages<Deployment>(api, P.list, { name: 'alpha', status: 'stopped' }, 4, alphaStopped.length)).map((d) => d.uuid), alphaStopped);
      for (const u of [created[0]!, created[5]!, created[9]!]) {
        const want = deleted.has(u) ? [] : [u];
        const pg = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, deployment_uuid: u });
        assert.deepEqual(pg.list.map((d) => d.uuid), want);
        assert.equal(pg.result_total, want.length);
        const mismatch = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, deployment_uuid: u, status: stopped.has(u) ? 'running' : 'stopped' });
        assert.equal(mismatch.result_total, 0, 'the uuid filter combines with the status filter');
      }

      // the admin view and the world's full list say the same as the pages
      assert.deepEqual(sim.world.listDeployments(sim.world.tenantFor(api.token)!, {}).map((d) => d.uuid), expected);
    });
  });

  test('GET list (brief items, public): newest first across pages from the query string', async () => {
    await withSim({ dialect: 'public', world: { hosts: [{ ...HOST, data_center: 'westDC2' }] } }, async (_sim, api) => {
      const created: string[] = [];
      for (let i = 0; i < 13; i++) created.push((await api.ok<{ deployment_uuid: string }>('POST', P.create, publicBody({ name: `p-${i}` }, { dc_list: ['westDC2'] }))).deployment_uuid);
      await api.ok('DELETE', P.del, { deployment_uuid: created[6]! });
      const expected = created.filter((_, i) => i !== 6).reverse();
      const got: string[] = [];
      for (let page = 1; page <= 3; page++) {
        const r = await api.call<Page<{ uuid: string }>>('GET', P.list, undefined, { page_index: String(page), page_size: '5' });
        assert.equal(r.body.code, 'Success');
        assert.equal(r.body.data.result_total, 12);
        assert.equal(r.body.data.max_page, 3);
        got.push(...r.body.data.list.map((d) => d.uuid));
      }
      assert.deepEqual(got, expected);
    });
  });

  test('containers and events of a deployment with many containers: pages in order, counts from live containers', async () => {
    await withSim({ world: { hosts: [HOST] } }, async (sim, api) => {
      // a ReplicaSet whose replicas exit after a second and are replaced: history piles up
      const { deployment_uuid } = await api.ok<{ deployment_uuid: string }>(
        'POST',
        P.create,
        privateBody({ deployment_type: 'ReplicaSet', replica_num: 4, reuse_container: true }, { cmd: 'sleep 1' }),
      );
      sim.world.advance(120_000);
      const t = sim.world.tenantFor(api.token)!;
      const everything = sim.world.listContainers(t, deployment_uuid, {});
      assert.ok(everything.length > 20, `history of ${everything.length} containers`);
      const paged = await allPages<Container>(api, P.containers, { deployment_uuid }, 7, everything.length);
      assert.deepEqual(paged.map((c) => c.uuid), everything.map((c) => c.uuid));
      const active = everything.filter((c) => ['creating', 'created', 'starting', 'oss_merged', 'running'].includes(c.status));
      assert.equal(active.length, 4, 'the replica count is held');
      const dep = (await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, deployment_uuid })).list[0]!;
      assert.equal(dep.running_num! + dep.starting_num!, 4);
      assert.equal(dep.running_num, active.filter((c) => c.status === 'running').length);
      const shut = everything.filter((c) => c.status === 'shutdown');
      assert.deepEqual(
        (await allPages<Container>(api, P.containers, { deployment_uuid, status: ['shutdown'] }, 5, shut.length)).map((c) => c.uuid),
        shut.map((c) => c.uuid),
      );
      const events = sim.world.listEvents(t, deployment_uuid);
      const pagedEvents = await allPages<ContainerEvent>(api, P.events, { deployment_uuid }, 9, events.length);
      assert.deepEqual(pagedEvents, events);
      for (let i = 1; i < pagedEvents.length; i++) assert.ok(Date.parse(pagedEvents[i - 1]!.created_at) >= Date.parse(pagedEvents[i]!.created_at), 'newest first');

      // stopping the deployment stops every live container and the counts follow
      await api.ok('PUT', P.operate, { deployment_uuid, operate: 'stop' });
      sim.world.advance(10_000);
      const after = (await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, deployment_uuid })).list[0]!;
      assert.deepEqual([after.status, after.running_num, after.starting_num], ['stopped', 0, 0]);
      const left = sim.world.listContainers(t, deployment_uuid, {}).filter((c) => c.status !== 'shutdown');
      assert.deepEqual(left, [], 'no container left running after the stop');
    });
  });
});

describe('a page builds only its own items', () => {
  test('deployment and container pages put only the page in wire form (counted, not timed)', async () => {
    await withSim({ world: { hosts: [HOST] } }, async (sim, api) => {
      for (let i = 0; i < 45; i++) await api.ok('POST', P.create, privateBody({ name: `w-${i}` }, { cmd: 'sleep infinity' }));
      const { deployment_uuid } = await api.ok<{ deployment_uuid: string }>('POST', P.create, privateBody({ deployment_type: 'ReplicaSet', replica_num: 2, reuse_container: true }, { cmd: 'sleep 1' }));
      sim.world.advance(120_000);
      // count the wire-form builders of this world (private methods, reached through the instance)
      const w = sim.world as unknown as Record<string, (...a: unknown[]) => unknown>;
      const counts = { wireDeployment: 0, wireContainer: 0 };
      for (const k of Object.keys(counts) as Array<keyof typeof counts>) {
        const orig = w[k]!.bind(sim.world);
        w[k] = (...a: unknown[]) => {
          counts[k]++;
          return orig(...a);
        };
      }
      const pg = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 2, page_size: 10 });
      assert.equal(pg.list.length, 10);
      assert.equal(pg.result_total, 46);
      assert.equal(counts.wireDeployment, 10, 'one wire form per listed deployment, not one per deployment of the tenant');
      const cs = await api.ok<Page<Container>>('POST', P.containers, { deployment_uuid, page_index: 1, page_size: 3 });
      assert.equal(cs.list.length, 3);
      assert.ok(cs.result_total > 10, `history of ${cs.result_total} containers`);
      assert.equal(counts.wireContainer, 3, 'one wire form per listed container');
    });
  });
});

describe('advancing a busy deployment reads its live containers only', () => {
  test('a ReplicaSet cycling `sleep 1` replicas: advance and the list never scan its whole history (counted, not timed)', async () => {
    await withSim({ world: { hosts: [HOST] } }, async (sim, api) => {
      const { deployment_uuid } = await api.ok<{ deployment_uuid: string }>('POST', P.create, privateBody({ deployment_type: 'ReplicaSet', replica_num: 3, reuse_container: true }, { cmd: 'sleep 1' }));
      sim.world.advance(60_000);
      const dep = sim.world.tenantFor(api.token)!.deployments.find((d) => d.uuid === deployment_uuid)!;
      const history = dep.containers.length;
      assert.ok(history > 10, `history of ${history} containers`);
      // count every walk over the deployment's full container history from here on
      let scans = 0;
      dep.containers = new Proxy(dep.containers, {
        get(target, key, receiver) {
          if (key === Symbol.iterator || key === 'filter' || key === 'find' || key === 'forEach' || key === 'map') scans++;
          return Reflect.get(target, key, receiver);
        },
      });
      sim.world.advance(60_000);
      const pg = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, deployment_uuid });
      assert.equal(pg.list[0]!.running_num! + pg.list[0]!.starting_num!, 3, 'the replica count is held');
      assert.ok(dep.containers.length > history, 'replicas were replaced meanwhile');
      assert.equal(scans, 0, 'reconcile and the list counts read the live containers, not the history');
    });
  });
});
