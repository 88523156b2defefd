// Contract: the SDK parses every recorded answer of the real platform (test/fixtures/recorded/)
// into its typed result, through the real SDK methods over HTTP, against a loopback server that
// answers the corpus file for that method and path. A corpus file without a check here fails.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { AutodlClient } from '../../src/api/index.js';
import { ApiError } from '../../src/errors.js';
import { chronologicalEvents } from '../../src/api/events.js';
import { deploymentRow, deploymentResources, containerRow } from '../../src/watch/rows.js';
import { evaluateWaitDetailed, needsContainers } from '../../src/watch/wait.js';
import { followedState } from '../../src/queue/worker.js';
import { corpusServer, manifest, reply, type ManifestEntry } from './helpers.js';

const closers: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(closers.map((c) => c()));
});

async function clientFor(e: ManifestEntry) {
  // the GET-recorded deployment list is served to the SDK's POST list too: the SDK must parse that shape
  const srv = await corpusServer({ [e.path]: e.file });
  closers.push(srv.close);
  const client = new AutodlClient({ token: 'tok-CONTRACT-0123456789', host: srv.url, dialect: e.dialect, sleep: async () => {}, retries: 0 });
  return { client, srv };
}

const body = (e: ManifestEntry) => e.request.body ?? {};
const str = (v: unknown) => String(v);

async function refused(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected an ApiError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to be refused');
}

/** What each corpus file must parse into, through which SDK method. */
const checks: Record<string, (client: AutodlClient, e: ManifestEntry) => Promise<void>> = {
  'public/image-private-list.json': async (c) => {
    const p = await c.images.list({ page_index: 1, page_size: 10 });
    assert.deepEqual(p.list.map((i) => [i.image_uuid, i.name, i.image_name]), [
      ['image-8663c9b91d', 'hq_det', 'hq_det'],
      ['image-4af49d99fe', 'vla-0521-idp3', 'vla-0521-idp3'],
    ]);
    assert.equal(p.list[0]!.status, undefined, 'no status on the public host');
  },
  'public/deployment-list-get.json': async (c) => {
    const p = await c.deployments.list();
    assert.deepEqual(p.list.map((d) => d.uuid), ['c776a3a3a0', '8d358fbd8c', '7ca5bc225c']);
    const d = p.list[0]!;
    assert.equal(d.running_num, undefined);
    // every reader copes with the absent counts
    const row = deploymentRow(d, Date.parse('2025-07-03T21:00:00+08:00'));
    assert.equal(row.running_num, null);
    assert.equal(row.replica_num, null);
    assert.equal(row.gpu, 'RTX 4090', 'gpu_name_set at the top level of the item');
    assert.equal(row.age_seconds, 22 * 60 + 13);
    assert.deepEqual(deploymentResources(d).dc_list, ['westDC2']);
    assert.equal(needsContainers({ kind: 'finished' }, d), true, 'no counts: wait reads the containers');
    assert.equal(evaluateWaitDetailed({ kind: 'running' }, d, []).state, 'pending');
    assert.deepEqual(followedState(d, 'submitted'), { to: 'running', note: 'status running (the list reports no counts)' });
    assert.equal(followedState(p.list[2]!, 'running')?.to, 'finished', 'stopped → finished without counts');
    assert.equal(await c.deployments.get('8d358fbd8c').then((x) => x?.uuid), '8d358fbd8c');
  },
  'public/deployment-list.json': async (c) => {
    const d = (await c.deployments.get('c776a3a3a0'))!;
    assert.equal(d.running_num, 1);
    const r = deploymentResources(d);
    assert.equal(r.memory_gb_from, 1);
    assert.equal(r.memory_gb_to, 256);
    assert.deepEqual([r.cuda_v_from, r.cuda_v_to], [118, 128]);
  },
  'public/region-gpu-stock.json': async (c, e) => {
    const s = await c.stock.region(body(e) as { region_sign: string });
    assert.deepEqual(Object.keys(s), ['vGPU-32GB', 'vGPU-48GB', 'RTX 4090D', 'RTX 4090', 'RTX 3090', 'RTX 3080x2']);
    assert.deepEqual(s['RTX 4090D'], { idle: 26, total: 300 });
    assert.deepEqual(s['RTX 4090'], { idle: 68, total: 483 });
  },
  'public/region-gpu-stock-unknown-region.json': async (c, e) => {
    assert.deepEqual(await c.stock.region(body(e) as { region_sign: string }), {});
  },
  'public/container-list-empty.json': async (c) => {
    const p = await c.containers.list({ deployment_uuid: '7ca5bc225c' });
    assert.deepEqual(p.list, []);
    assert.equal(p.result_total, 0);
  },
  'public/container-list.json': async (c, e) => {
    const p = await c.containers.list(body(e) as { deployment_uuid: string });
    const x = p.list[0]!;
    assert.equal(x.uuid, '5dec112cb6-314744b79a-f1156c1ed8-32bdb0791');
    assert.equal(x.memory_size, 64424509440);
    const row = containerRow(x, Date.parse('2025-07-03T20:31:40+08:00'));
    assert.equal(row.data_center, 'westDC2');
    assert.equal(row.price_yuan_per_hour, 1.98);
    assert.equal(row.age_seconds, 60);
    assert.equal(JSON.stringify(row).includes('REDACTED-PLACEHOLDER'), false, 'a row never carries info');
  },
  'public/event-list.json': async (c) => {
    const p = await c.events.list({ deployment_uuid: '7ca5bc225c' });
    assert.deepEqual(p.list.map((x) => x.status), ['removed', 'shutdown', 'shutting_down', 'starting']);
    assert.deepEqual(chronologicalEvents(p.list).map((x) => x.status), ['starting', 'shutting_down', 'shutdown', 'removed']);
  },
  'public/create.json': async (c, e) => {
    const r = await c.deployments.create(body(e) as never);
    assert.deepEqual(r, { deployment_uuid: 'c776a3a3a0' });
  },
  'public/create-error-image.json': async (c, e) => {
    const err = await refused(c.deployments.create(body(e) as never));
    assert.equal(err.info.code, 'RecordNotFoundError');
    assert.equal(err.info.msg, '私有镜像不存在');
    assert.equal(err.info.requestId, undefined);
  },
  'public/error-no-permission.json': async (c) => {
    const err = await refused(c.deployments.list());
    assert.equal(err.info.code, 'BadRequest');
    assert.equal(err.info.msg, '无当前资源访问权限');
  },
  'public/create-error-no-stock.json': async (c, e) => {
    const err = await refused(c.deployments.create(body(e) as never));
    assert.equal(err.info.msg, '暂无库存');
  },
  'public/replica-num.json': async (c, e) => {
    assert.equal(await c.deployments.setReplicas(str(body(e).deployment_uuid), 2), undefined);
  },
  'public/operate-stop.json': async (c, e) => {
    assert.equal(await c.deployments.stop(str(body(e).deployment_uuid)), undefined);
  },
  'public/delete.json': async (c, e) => {
    assert.equal(await c.deployments.delete(str(body(e).deployment_uuid)), undefined);
  },
  'public/ddp-overview-empty.json': async (c, e) => {
    assert.deepEqual(await c.deployments.ddpOverview(str(e.request.query?.deployment_uuid)), []);
  },
  'private/gpu-stock.json': async (c) => {
    assert.deepEqual(await c.stock.get(), {
      'NVIDIA A40': { idle: 4, total: 6 },
      'NVIDIA GeForce RTX 4090': { idle: 7, total: 8 },
    });
  },
  'private/system-image-list.json': async (c) => {
    const all: string[] = [];
    for await (const i of c.images.listAllSystem()) {
      assert.equal(typeof i.name, 'string');
      assert.equal(typeof i.cuda_version, 'string');
      all.push(i.image_uuid);
    }
    assert.equal(all.length, 17);
    assert.ok(all.includes('base-image-14e83aa2cfa7'));
  },
  'private/image-private-list.json': async (c) => {
    const p = await c.images.list();
    assert.deepEqual(p.list.map((i) => [i.image_uuid, i.name, i.image_name, i.status]), [['image-db8346e037', 'image name', 'image name', 'finished']]);
    assert.equal(p.max_page, 1, 'no max_page in the reply: derived');
  },
  'private/image-private-list-empty.json': async (c) => {
    const all = [];
    for await (const i of c.images.listAll()) all.push(i);
    assert.deepEqual(all, []);
  },
  'private/deployment-list.json': async (c) => {
    const p = await c.deployments.list();
    const d = p.list[0]!;
    assert.equal(d.uuid, '53a677bb3e281b8');
    const r = deploymentResources(d);
    assert.equal(r.memory_gb_from, 1, 'template memory in bytes (1073741824) shown as 1 GB');
    assert.equal(r.memory_gb_to, 256);
    assert.equal(r.image_name, 'xxxx');
    assert.equal(r.cuda_v, 118);
    const row = deploymentRow(d, Date.parse('2023-01-05T21:34:07+08:00'));
    assert.deepEqual([row.running_num, row.finished_num, row.replica_num], [0, 2, 1]);
    assert.equal(row.gpu, 'Tesla V100-SXM2-32GB');
  },
  'private/container-list.json': async (c, e) => {
    const p = await c.containers.list(body(e) as { deployment_uuid: string });
    const x = p.list[0]!;
    // the container uuid's first part is not its deployment: deployment_uuid is read, never derived
    assert.equal(x.deployment_uuid, 'da497aea1eb8343');
    assert.equal(x.uuid.startsWith(x.deployment_uuid), false);
    const row = containerRow(x, Date.parse('2022-12-13T16:44:03+08:00'));
    assert.equal(row.data_center, '', 'no data_center on the private cloud');
    assert.equal(row.age_seconds, 60);
  },
  'private/event-list.json': async (c) => {
    const p = await c.events.list({ deployment_uuid: 'da497aea1eb8343' });
    assert.equal(p.list.length, 1);
    assert.equal(p.max_page, 1, 'no page fields at all: derived');
  },
  'private/event-list-job.json': async (c) => {
    const p = await c.events.list({ deployment_uuid: '833f1cd5a764fa3' });
    assert.deepEqual(chronologicalEvents(p.list).map((x) => x.status), ['created', 'starting', 'running', 'shutdown']);
  },
  'private/create.json': async (c, e) => {
    assert.deepEqual(await c.deployments.create(body(e) as never), { deployment_uuid: '833f1cd5a764fa3' });
  },
  'private/create-error-quota.json': async (c, e) => {
    const err = await refused(c.deployments.create(body(e) as never));
    assert.equal(err.info.code, 'GpuStockReqNum');
  },
  'private/set-replicas.json': async (c, e) => {
    assert.equal(await c.deployments.setReplicas(str(body(e).deployment_uuid), 10), undefined);
  },
  'private/operate-stop.json': async (c, e) => {
    assert.equal(await c.deployments.stop(str(body(e).deployment_uuid)), undefined);
  },
  'private/delete.json': async (c, e) => {
    assert.equal(await c.deployments.delete(str(body(e).deployment_uuid)), undefined);
  },
  'private/container-stop.json': async (c, e) => {
    assert.equal(await c.containers.stop(body(e) as { deployment_container_uuid: string }), undefined);
  },
  'private/blacklist-add.json': async (c, e) => {
    assert.equal(await c.blacklist.add(body(e) as { deployment_container_uuid: string }), undefined);
  },
};

describe('the corpus manifest', () => {
  test('every manifest entry names an existing envelope file; no real secret in any', () => {
    assert.ok(manifest.length >= 30);
    for (const e of manifest) {
      const r = reply(e.file);
      assert.equal(typeof r.code, 'string', e.file);
      assert.ok(['public', 'private'].includes(e.dialect), e.file);
      assert.ok(['recorded', 'rebuilt', 'doc-sample'].includes(e.kind), e.file);
      assert.ok(e.source.repo.includes('/') && e.source.path !== '', e.file);
      assert.equal(e.expect === 'error', r.code !== 'Success', `${e.file}: expect error ⇔ a non-Success code`);
      const text = JSON.stringify(r);
      for (const m of text.matchAll(/"root_password":"([^"]*)"/g)) assert.equal(m[1], 'REDACTED-PLACEHOLDER', e.file);
    }
  });
  test('every corpus file has a parse check here', () => {
    assert.deepEqual(
      manifest.map((e) => e.file).filter((f) => !(f in checks)),
      [],
    );
  });
});

describe('the SDK parses every recorded answer', () => {
  for (const e of manifest) {
    test(`${e.file} (${e.kind}, ${e.source.name}): ${e.method} ${e.path}`, async () => {
      const { client, srv } = await clientFor(e);
      await checks[e.file]!(client, e);
      assert.ok(srv.seen.length > 0, 'the SDK called the server');
      assert.ok(srv.seen.every((s) => s.path === e.path), 'on the recorded path');
      // the method the SDK uses for that path: the recorded one (the GET-only list is answered to the POST list)
      if (e.file !== 'public/deployment-list-get.json') assert.ok(srv.seen.every((s) => s.method === e.method), `method ${srv.seen.map((s) => s.method).join(',')}`);
    });
  }
});
