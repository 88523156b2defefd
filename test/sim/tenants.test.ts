// Auth failures and tenant isolation on every endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withSim, P, privateBody, Api, DEMO_TOKEN } from './helpers.js';
import type { BlacklistEntry, Container, ContainerEvent, Deployment, Page, PrivateImage } from '../../src/api/types.js';
import { ENDPOINTS } from '../../src/api/types.js';

const A = 'token-alpha-0001';
const B = 'token-bravo-0002';

test('missing or unknown Authorization → HTTP 401, code Unauthorized, on every endpoint', async () => {
  await withSim({ tokens: [A], dialect: 'public' }, async (sim, api) => {
    for (const ep of Object.values(ENDPOINTS)) {
      for (const tok of [undefined, 'wrong-token', DEMO_TOKEN, `Bearer ${A}`]) {
        const r = await api.withToken(tok).call(ep.method, ep.path, ep.method === 'GET' ? undefined : {});
        assert.equal(r.status, 401, `${ep.method} ${ep.path} with ${String(tok)}`);
        assert.equal(r.body.code, 'Unauthorized');
        assert.equal(r.body.msg, 'token无效');
        assert.equal(typeof r.body.request_id, 'string');
      }
    }
    assert.equal(sim.world.allDeployments().length, 0);
    const ok = await api.call('GET', P.stock);
    assert.equal(ok.status, 200, 'the configured token works');
  });
});

test('tenants are isolated: deployments, containers, events, images, blacklist', async () => {
  await withSim({ tokens: [A, B] }, async (sim) => {
    const a = new Api(sim.url, A);
    const b = new Api(sim.url, B);
    const imgsA = (await a.ok<Page<PrivateImage>>('POST', P.images, { page_index: 1, page_size: 50 })).list.map((i) => i.image_uuid);
    const imgsB = (await b.ok<Page<PrivateImage>>('POST', P.images, { page_index: 1, page_size: 50 })).list.map((i) => i.image_uuid);
    const onlyB = imgsB.filter((u) => !imgsA.includes(u));
    assert.ok(onlyB.length > 0, 'each tenant has its own private images');
    assert.equal((await a.call('POST', P.create, privateBody({}, { image_uuid: onlyB[0] }))).body.code, 'RecordNotFoundError');

    const { deployment_uuid: da } = await a.ok<{ deployment_uuid: string }>('POST', P.create, privateBody({ deployment_type: 'ReplicaSet', replica_num: 1 }, { cmd: 'sleep infinity' }));
    sim.world.advance(10_000);
    const ca = (await a.ok<Page<Container>>('POST', P.containers, { deployment_uuid: da, page_index: 1, page_size: 10 })).list[0]!;
    await a.ok('POST', P.blacklist, { deployment_container_uuid: ca.uuid });

    assert.equal((await b.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10 })).result_total, 0);
    assert.equal((await b.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, deployment_uuid: da })).result_total, 0);
    assert.equal((await b.ok<Page<Container>>('POST', P.containers, { deployment_uuid: da, page_index: 1, page_size: 10 })).result_total, 0);
    assert.equal((await b.ok<Page<ContainerEvent>>('POST', P.events, { deployment_uuid: da, page_index: 1, page_size: 10 })).result_total, 0);
    assert.equal((await b.ok<Page<BlacklistEntry>>('GET', P.blacklist)).list.length, 0);
    assert.equal((await b.call('PUT', P.stopContainer, { deployment_container_uuid: ca.uuid })).body.code, 'NotFound');
    assert.equal((await b.call('PUT', P.replicas, { deployment_uuid: da, replica_num: 3 })).body.code, 'NotFound');
    assert.equal((await b.call('PUT', P.operate, { deployment_uuid: da, operate: 'stop' })).body.code, 'NotFound');
    assert.equal((await b.call('DELETE', P.del, { deployment_uuid: da })).body.code, 'NotFound');
    assert.equal((await b.call('POST', P.blacklist, { deployment_container_uuid: ca.uuid })).body.code, 'NotFound');
    assert.equal((await b.call('GET', P.ddp, undefined, { deployment_uuid: da })).body.code, 'NotFound');

    // A's deployment untouched by B's attempts
    const d = (await a.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10 })).list[0]!;
    assert.equal(d.status, 'running');
    assert.equal(d.replica_num, 1);
    assert.equal(d.running_num, 1);
    assert.equal((await a.ok<Page<BlacklistEntry>>('GET', P.blacklist)).list.length, 1);
    // stock is global: both see A's GPU as taken
    const sa = await a.ok<Record<string, { idle_gpu_num: number }>>('GET', P.stock);
    const sb = await b.ok<Record<string, { idle_gpu_num: number }>>('GET', P.stock);
    assert.deepEqual(sa, sb);
  });
});
