// The operations table (src/api/operations.ts) is the one source of method, path, retry
// safety and body/result types; every change can be prepared, and a prepared request is
// the request the change sends.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AutodlClient,
  CHANGING_OPERATIONS,
  ENDPOINTS,
  OPERATIONS,
  OPERATION_NAMES,
  SAFE_ENDPOINTS,
  SAFE_OPERATIONS,
  isSafeEndpoint,
  type PreparedRequest,
  type CreateDeploymentBody,
} from '../../src/api/index.js';
import { ok, startServer, TOKEN, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const CREATE: CreateDeploymentBody = {
  name: 'x',
  deployment_type: 'Job',
  replica_num: 1,
  container_template: { gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, image_uuid: 'image-1', cmd: 'true', dc_list: ['westDC2'] },
};

describe('the operations table', () => {
  test('ENDPOINTS is the table; the safe set is derived from it: reads only, never a change', () => {
    assert.equal(ENDPOINTS, OPERATIONS);
    assert.equal(SAFE_ENDPOINTS, SAFE_OPERATIONS);
    assert.deepEqual(
      [...SAFE_OPERATIONS].sort(),
      ['ddpOverview', 'gpuStock', 'listBlacklist', 'listContainers', 'listDeployments', 'listEvents', 'listPrivateImages', 'listSystemImages', 'regionGpuStock'],
    );
    assert.deepEqual([...CHANGING_OPERATIONS].sort(), ['addBlacklist', 'createDeployment', 'deleteDeployment', 'operateDeployment', 'setReplicas', 'stopContainer']);
    for (const n of OPERATION_NAMES) {
      assert.equal(isSafeEndpoint(n), OPERATIONS[n].safe);
      assert.ok(!(OPERATIONS[n].safe && OPERATIONS[n].changes), `${n} is both safe to retry and a change`);
    }
    // numbered 1..15 as in the API notes, one path per method
    assert.deepEqual(OPERATION_NAMES.map((n) => OPERATIONS[n].n), Array.from({ length: OPERATION_NAMES.length }, (_, i) => i + 1));
    assert.equal(new Set(OPERATION_NAMES.map((n) => `${OPERATIONS[n].method} ${OPERATIONS[n].path}`)).size, OPERATION_NAMES.length);
  });

  test('no second list of safe endpoints in src/api, and src/api imports nothing from src/credentials', () => {
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    for (const f of walk('src/api')) {
      const text = readFileSync(f, 'utf8');
      assert.doesNotMatch(text, /from '\.\.\/credentials\/|from '\.\.\/\.\.\/credentials\//, f);
      if (!f.endsWith('operations.ts')) assert.doesNotMatch(text, /new Set<EndpointName>\(\[|'listPrivateImages',\s*'listDeployments'/, f);
    }
  });
});

describe('prepare: the exact request a change sends', () => {
  const changes: Array<{ name: string; prepare: (c: AutodlClient) => PreparedRequest; send: (c: AutodlClient) => Promise<unknown> }> = [
    { name: 'create', prepare: (c) => c.deployments.prepare.create(CREATE), send: (c) => c.deployments.create(CREATE) },
    { name: 'setReplicas', prepare: (c) => c.deployments.prepare.setReplicas('dep-1', 3), send: (c) => c.deployments.setReplicas('dep-1', 3) },
    { name: 'stop', prepare: (c) => c.deployments.prepare.stop('dep-1'), send: (c) => c.deployments.stop('dep-1') },
    { name: 'delete', prepare: (c) => c.deployments.prepare.delete('dep-1'), send: (c) => c.deployments.delete('dep-1') },
    {
      name: 'stopContainer',
      prepare: (c) => c.containers.prepare.stop({ deployment_container_uuid: 'dep-1-m-1', no_cache: true }),
      send: (c) => c.containers.stop({ deployment_container_uuid: 'dep-1-m-1', no_cache: true }),
    },
    {
      name: 'addBlacklist',
      prepare: (c) => c.blacklist.prepare.add({ deployment_container_uuid: 'dep-1-m-1', comment: 'bad gpu' }),
      send: (c) => c.blacklist.add({ deployment_container_uuid: 'dep-1-m-1', comment: 'bad gpu' }),
    },
  ];

  for (const dialect of ['private', 'public'] as const) {
    for (const ch of changes) {
      test(`${dialect}: ${ch.name}: method, URL and body as sent; token redacted`, async () => {
        const server = await startServer((_r, res) => ok(res, { deployment_uuid: 'dep-new' }));
        servers.push(server);
        const c = new AutodlClient({ token: TOKEN, host: server.url, dialect });
        const p = ch.prepare(c);
        await ch.send(c);
        const sent = server.requests[0]!;
        assert.equal(server.requests.length, 1);
        assert.equal(p.method, sent.method);
        assert.equal(p.url, server.url + sent.url);
        assert.deepEqual(p.body, sent.json);
        assert.equal(sent.headers.authorization, TOKEN);
        assert.deepEqual(p.headers, { Authorization: '***', 'Content-Type': 'application/json' });
        assert.ok(!JSON.stringify(p).includes(TOKEN));
      });
    }
  }

  test('the per-operation forms equal the by-name forms (prepareCall typed, prepare loose)', () => {
    const c = new AutodlClient({ token: TOKEN, host: 'https://api.autodl.com' });
    assert.deepEqual(c.deployments.prepare.setReplicas('d', 2), c.prepareCall('setReplicas', { deployment_uuid: 'd', replica_num: 2 }));
    assert.deepEqual(c.deployments.prepare.setReplicas('d', 2), c.prepare('setReplicas', { deployment_uuid: 'd', replica_num: 2 }));
    assert.deepEqual(c.deployments.prepare.create(CREATE), c.prepare('createDeployment', CREATE));
    // the create body is converted to the client's dialect
    const body = c.deployments.prepare.create(CREATE).body as { container_template: Record<string, unknown> };
    assert.equal(body.container_template.cuda_v_from, 118);
    assert.equal(body.container_template.cuda_v, undefined);
    // a GET's body goes to the query string
    assert.equal(c.prepareCall('ddpOverview', { deployment_uuid: 'a b' }).url, 'https://api.autodl.com/api/v1/dev/deployment/ddp/overview?deployment_uuid=a+b');
    assert.equal(c.prepareCall('gpuStock').body, undefined);
  });

  test('call is typed per operation and returns the decoded result', async () => {
    const server = await startServer((r, res) =>
      r.path === OPERATIONS.gpuStock.path ? ok(res, { 'RTX 4090': { idle_gpu_num: 2, total_gpu_num: 8 } }) : ok(res, { list: [{ uuid: 'd1' }], page_index: 1, page_size: 5, max_page: 1, result_total: 1, offset: 0 }),
    );
    servers.push(server);
    const c = new AutodlClient({ token: TOKEN, host: server.url });
    const stock = await c.call('gpuStock');
    assert.deepEqual(stock, { 'RTX 4090': { idle: 2, total: 8 } });
    const page = await c.call('listDeployments', { page_index: 1, page_size: 5 });
    assert.equal(page.list[0]?.uuid, 'd1');
    assert.equal(page.result_total, 1);
    if (false as boolean) {
      // compile-time only (npm run typecheck): each operation takes its own body
      // @ts-expect-error replica_num is required
      await c.call('setReplicas', { deployment_uuid: 'd' });
      // @ts-expect-error listDeployments needs its page fields
      await c.call('listDeployments', {});
      // @ts-expect-error not an operation
      c.prepareCall('noSuchOperation');
      // @ts-expect-error the result of a list is a page, not an array
      const wrong: string[] = await c.call('listDeployments', { page_index: 1, page_size: 1 });
      void wrong;
    }
  });
});
