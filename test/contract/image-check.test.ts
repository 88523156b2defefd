// The image check before a submit, through the real SDK against the recorded shapes: a system
// image passes (recorded: base-image-… creates a deployment on both hosts); an unknown one is
// image_not_found listing both kinds; a cluster without the system list cannot decide.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { AutodlClient } from '../../src/api/index.js';
import { AutodlError } from '../../src/errors.js';
import { checkImage, submitAndWait, type SubmitProgress } from '../../src/queue/submit.js';
import { corpusServer } from './helpers.js';

const closers: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(closers.map((c) => c()));
});

async function client(routes: Parameters<typeof corpusServer>[0]) {
  const srv = await corpusServer(routes);
  closers.push(srv.close);
  return { srv, c: new AutodlClient({ token: 'tok-IMAGE-CHECK-0123', host: srv.url, dialect: 'private', retries: 0, sleep: async () => {} }) };
}

const PRIVATE_EMPTY = { 'POST /api/v1/dev/image/private/list': 'private/image-private-list-empty.json' };
const PRIVATE_ONE = { 'POST /api/v1/dev/image/private/list': 'private/image-private-list.json' };
const SYSTEM = { 'POST /api/v2/image/list': 'private/system-image-list.json' };

describe('checkImage', () => {
  test('a system image passes when the account has no private image at all', async () => {
    const { c } = await client({ ...PRIVATE_EMPTY, ...SYSTEM });
    assert.deepEqual(await checkImage(c, 'base-image-90df20b82987'), { found: 'system' });
  });

  test('a private image passes without reading the system list', async () => {
    const { c, srv } = await client({ ...PRIVATE_ONE, ...SYSTEM });
    assert.deepEqual(await checkImage(c, 'image-db8346e037'), { found: 'private' });
    assert.equal(srv.seen.some((s) => s.path === '/api/v2/image/list'), false);
  });

  test('neither: image_not_found lists both kinds (exit 1)', async () => {
    const { c } = await client({ ...PRIVATE_ONE, ...SYSTEM });
    await assert.rejects(checkImage(c, 'base-image-000000000000'), (e: unknown) => {
      assert.ok(e instanceof AutodlError);
      assert.equal(e.errorType, 'image_not_found');
      assert.equal(e.exitCode, 1);
      const avail = e.details.available_images as Array<{ image_uuid: string; name: string; kind: string }>;
      assert.deepEqual(avail[0], { image_uuid: 'image-db8346e037', name: 'image name', kind: 'private' });
      assert.equal(avail.filter((i) => i.kind === 'system').length, 17);
      return true;
    });
  });

  test('no system list (an older cluster answers 404): unverified, and submit goes on with a warning', async () => {
    const { c, srv } = await client({
      ...PRIVATE_EMPTY,
      'GET /api/v1/dev/machine/gpu_stock': 'private/gpu-stock.json',
      'POST /api/v1/dev/deployment': 'private/create.json',
    });
    const r = await checkImage(c, 'base-image-90df20b82987');
    assert.equal(r.found, 'unverified');
    const progress: SubmitProgress[] = [];
    const res = await submitAndWait({
      api: c,
      body: {
        name: 'img-unverified',
        deployment_type: 'Container',
        container_template: { gpu_name_set: ['NVIDIA A40'], gpu_num: 1, cuda_v: 0, image_uuid: 'base-image-90df20b82987', cmd: 'sleep 1' },
      } as never,
      intervalMs: 0,
      timeoutSec: 0,
      onProgress: (p) => progress.push(p),
    });
    assert.equal(res.deployment_uuid, '833f1cd5a764fa3');
    const w = progress.find((p) => p.type === 'warning');
    assert.ok(w && w.type === 'warning' && w.code === 'image_unverified');
    assert.equal(w.image_uuid, 'base-image-90df20b82987');
    assert.equal(srv.seen.filter((s) => s.path === '/api/v1/dev/deployment').length, 1);
  });
});
