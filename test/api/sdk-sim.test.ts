// End-to-end: the SDK over real HTTP on loopback against the simulator, every endpoint 1–15,
// in both dialects. Time moves only through the simulator's manual clock.
import { test, describe, after, before } from 'node:test';
import type { CreateDeploymentBody } from '../../src/api/types.js';
import assert from 'node:assert/strict';
import { AutodlClient, type Container, type Dialect } from '../../src/api/index.js';
import { ApiError, AutodlError } from '../../src/errors.js';
import { startSimulator, DEMO_TOKEN, DEMO_IMAGE_UUID, SYSTEM_IMAGES, type Simulator } from '../../src/sim/index.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const body = (over: Partial<CreateDeploymentBody> = {}): CreateDeploymentBody => ({
  name: 'e2e-rs',
  deployment_type: 'ReplicaSet',
  replica_num: 2,
  reuse_container: false,
  container_template: {
    gpu_name_set: ['RTX 4090'],
    gpu_num: 1,
    cuda_v: 118,
    dc_list: ['westDC2'],
    cpu_num_from: 1,
    cpu_num_to: 128,
    memory_size_from: 1,
    memory_size_to: 720,
    price_from: 100,
    price_to: 9000,
    image_uuid: DEMO_IMAGE_UUID,
    cmd: 'python serve.py & sleep infinity',
  },
  ...over,
});

for (const dialect of ['private', 'public'] as const satisfies readonly Dialect[]) {
  describe(`SDK against the simulator (${dialect} dialect)`, () => {
    let sim: Simulator;
    let client: AutodlClient;
    let requests: Array<{ method: string; path: string }>;
    before(async () => {
      sim = await startSimulator({ tokens: [DEMO_TOKEN], dialect, clock: 'manual', backgroundLoad: false });
      requests = [];
      client = new AutodlClient({
        token: DEMO_TOKEN,
        host: sim.url,
        dialect,
        sleep: async () => {},
        onRequest: (r) => requests.push({ method: r.method, path: r.path }),
      });
    });
    after(async () => {
      await sim.close();
    });

    test('images (1, 14) and stock (12, 13)', async () => {
      const page = await client.images.list({ page_size: 1 });
      assert.equal(page.list.length, 1);
      const images = await collect(client.images.listAll(1));
      assert.ok(images.some((i) => i.image_uuid === DEMO_IMAGE_UUID && typeof i.name === 'string'));
      assert.equal(images.length, page.result_total);

      const sys = await collect(client.images.listAllSystem(5));
      assert.equal(sys.length, SYSTEM_IMAGES.length);
      assert.ok(sys.every((s) => typeof s.cuda_version === 'string'));
      const sysPage = await client.images.listSystem({ page_index: 2, page_size: 5 });
      assert.deepEqual(sysPage.list.map((s) => s.name), sys.slice(5, 10).map((s) => s.name));

      const stock = await client.stock.get();
      assert.ok(stock['RTX 4090'], JSON.stringify(stock));
      assert.ok(stock['RTX 4090']!.total > 0 && stock['RTX 4090']!.idle === stock['RTX 4090']!.total);
      const west = await client.stock.region({ dc_list: ['westDC2', 'westDC3'] });
      // GPU names per cloud (public: as listed for westDC2 by the platform)
      assert.deepEqual(Object.keys(west).sort(), dialect === 'private' ? ['RTX 3090', 'RTX 4090'] : ['RTX 3080x2', 'RTX 3090', 'RTX 4090', 'RTX 4090D', 'vGPU-32GB', 'vGPU-48GB']);
      assert.ok(west['RTX 4090']!.total < stock['RTX 4090']!.total);
      const bySign = await client.stock.region({ region_sign: 'west' });
      assert.deepEqual(bySign, west);
    });

    test('deployment lifecycle: create, list, get, containers, events, scale, stop container, blacklist, ddp, stop, delete (2–11, 15)', async () => {
      const before = (await client.stock.get())['RTX 4090']!.idle;
      const { deployment_uuid: uuid } = await client.deployments.create(body());
      assert.match(uuid, /\S/);
      sim.world.advance(30_000);

      const dep = await client.deployments.get(uuid);
      assert.ok(dep);
      assert.equal(dep.uuid, uuid);
      assert.equal(dep.status, 'running');
      assert.equal(dep.running_num, 2);
      const listed = await client.deployments.list({ status: 'running' });
      assert.ok(listed.list.some((d) => d.uuid === uuid));
      assert.ok((await collect(client.deployments.listAll({ name: 'e2e-rs' }, 1))).some((d) => d.uuid === uuid));
      assert.equal((await client.stock.get())['RTX 4090']!.idle, before - 2);

      const containers = await collect(client.containers.listAll({ deployment_uuid: uuid }, 1));
      assert.equal(containers.length, 2);
      for (const c of containers) {
        assert.equal(c.deployment_uuid, uuid);
        assert.equal(c.status, 'running');
        assert.equal(c.gpu_name, 'RTX 4090');
        if (dialect === 'public') assert.equal(c.data_center, 'westDC2');
      }
      const running = await client.containers.list({ deployment_uuid: uuid, status: ['running'] });
      assert.equal(running.list.length, 2);

      const events = await collect(client.events.listAll({ deployment_uuid: uuid }, 2));
      // the event list names only some moves: private created/starting/running, public starting/running (recorded)
      assert.ok(events.length >= 2 * (dialect === 'private' ? 3 : 2), `events: ${events.length}`);
      const statuses = new Set(events.map((e) => e.status));
      assert.ok(statuses.has('running') && statuses.has('starting'));
      const firstPage = await client.events.list({ deployment_uuid: uuid }, { page_size: 3 });
      assert.deepEqual(firstPage.list, events.slice(0, 3));

      // follow: everything so far, then what a scale-down adds, each once
      const ac = new AbortController();
      const followed: string[] = [];
      let polls = 0;
      for await (const ev of client.events.follow(uuid, {
        signal: ac.signal,
        sleep: async () => {
          polls++;
          if (polls === 1) {
            await client.deployments.setReplicas(uuid, 1);
            sim.world.advance(30_000);
          } else ac.abort();
        },
      })) {
        followed.push(JSON.stringify(ev));
      }
      assert.ok(followed.length > events.length);
      assert.equal(new Set(followed).size, followed.length, 'no event yielded twice');
      // follow yields oldest first; the list answers newest first (recorded): same events, reversed
      assert.deepEqual(followed.slice(0, events.length), [...events].reverse().map((e) => JSON.stringify(e)));
      const afterScale = await client.deployments.get(uuid);
      assert.equal(afterScale?.replica_num, 1);
      assert.equal(afterScale?.running_num, 1);

      // stop one container: the ReplicaSet replaces it
      const [live] = (await client.containers.list({ deployment_uuid: uuid, status: ['running'] })).list as [Container];
      await client.containers.stop({ deployment_container_uuid: live.uuid });
      sim.world.advance(30_000);
      const now = await collect(client.containers.listAll({ deployment_uuid: uuid }));
      const runningNow = now.filter((c) => c.status === 'running');
      assert.equal(runningNow.length, 1);
      assert.notEqual(runningNow[0]!.uuid, live.uuid);

      // blacklist the host
      await client.blacklist.add({ deployment_container_uuid: runningNow[0]!.uuid, comment: 'flaky', expire_in_minutes: 60 });
      const bl = await client.blacklist.list();
      assert.ok(bl.some((b) => b.machine_id === runningNow[0]!.machine_id && b.msg === 'flaky'), JSON.stringify(bl));

      const ddp = await client.deployments.ddpOverview(uuid);
      assert.ok(Array.isArray(ddp) && ddp.length >= 1);
      assert.equal(ddp[0]!.gpu_type, 'RTX 4090');
      assert.ok(ddp[0]!.balance < ddp[0]!.total);

      await client.deployments.stop(uuid);
      sim.world.advance(30_000);
      assert.equal((await client.deployments.get(uuid))?.status, 'stopped');
      assert.equal((await client.stock.get())['RTX 4090']!.idle, before);

      await client.deployments.delete(uuid);
      assert.equal(await client.deployments.get(uuid), undefined);

      // the GET endpoints really sent GETs, the writes their methods
      const methods = new Map(requests.map((r) => [r.path, r.method]));
      assert.equal(methods.get('/api/v1/dev/deployment/blacklist'), 'GET');
      assert.equal(methods.get('/api/v1/dev/deployment/ddp/overview'), 'GET');
      assert.equal(methods.get('/api/v1/dev/deployment/replica_num'), 'PUT');
      assert.equal(methods.get('/api/v1/dev/deployment'), 'DELETE');
    });

    test('a Job with a CUDA range form is accepted in this dialect too', async () => {
      const b = body({ name: 'e2e-job', deployment_type: 'Job', replica_num: 1, parallelism_num: 1 });
      const ct = { ...b.container_template };
      delete ct.cuda_v;
      ct.cuda_v_from = 117;
      ct.cuda_v_to = 122;
      ct.cmd = 'sleep 5';
      const { deployment_uuid } = await client.deployments.create({ ...b, container_template: ct });
      sim.world.advance(60_000);
      const d = await client.deployments.get(deployment_uuid);
      assert.equal(d?.finished_num, 1);
      await client.deployments.delete(deployment_uuid);
    });

    test('logical failures arrive as typed errors; writes report mayHaveApplied = false', async () => {
      const e = await client.deployments.create(body({ container_template: { ...body().container_template, image_uuid: 'image-nope' } })).then(
        () => assert.fail('expected failure'),
        (x: unknown) => x,
      );
      assert.ok(e instanceof ApiError);
      assert.equal(e.info.kind, 'envelope');
      assert.equal(e.info.code, 'RecordNotFoundError'); // the code the platform answered (recorded)
      assert.equal(e.info.mayHaveApplied, false);
      // the recorded unknown-image envelope has no request_id, even on the public host
      assert.equal(e.info.requestId, undefined);

      const bad = new AutodlClient({ token: 'wrong-token-123456', host: sim.url, dialect, sleep: async () => {} });
      const e2 = await bad.stock.get().then(
        () => assert.fail('expected failure'),
        (x: unknown) => x,
      );
      assert.ok(e2 instanceof ApiError);
      assert.equal(e2.info.httpStatus, 401);
      assert.ok(!JSON.stringify([e2.message, e2.details]).includes('wrong-token-123456'));
    });

    if (dialect === 'public') {
      test('public create without dc_list → validation_error before anything is sent', async () => {
        const n = requests.length;
        const b = body();
        const { dc_list: _drop, ...ct } = b.container_template;
        await assert.rejects(client.deployments.create({ ...b, container_template: ct }), (e: unknown) => e instanceof AutodlError && e.errorType === 'validation_error');
        assert.equal(requests.length, n);
      });
    }
  });
}
