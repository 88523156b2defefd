// Issue 2's "done when": all 15 endpoints driven through the SDK against `autodl sim`
// started as a SEPARATE PROCESS (the bundled CLI), in both dialects. The clock is manual
// and moved through the admin endpoint, as an outside test harness would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { AutodlClient } from '../../src/api/index.js';
import { ENDPOINTS, type Dialect, type EndpointName, type CreateDeploymentBody } from '../../src/api/types.js';
import { CLI, ensureBuilt } from '../cli/helpers.js';

const TOKEN = `proc-token-${process.pid}`;
const IMAGE = 'image-6b5ad2b1ce'; // the documented demo image (docs/simulator.md)

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

for (const dialect of ['private', 'public'] as const satisfies readonly Dialect[]) {
  describe(`SDK against \`autodl sim\` in its own process (${dialect})`, () => {
    let child: ChildProcess;
    let url: string;
    let client: AutodlClient;
    const hit = new Set<string>();
    const advance = async (ms: number) => {
      const r = await fetch(`${url}/__sim/clock/advance`, { method: 'POST', body: JSON.stringify({ ms }), headers: { 'Content-Type': 'application/json' } });
      assert.equal(r.status, 200);
    };

    before(async () => {
      ensureBuilt();
      child = spawn(process.execPath, [CLI, 'sim', '--port', '0', '--manual', '--no-background', '--token', TOKEN, '--dialect', dialect], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      url = line.trim();
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      client = new AutodlClient({
        token: TOKEN,
        host: url,
        dialect,
        sleep: async () => {},
        onRequest: (r) => hit.add(`${r.method} ${r.path}`),
      });
    });
    after(async () => {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0, 'the simulator exits cleanly on SIGTERM');
    });

    test('every endpoint 1–15', async () => {
      // 1, 14: images
      const images = await collect(client.images.listAll(1));
      assert.ok(images.some((i) => i.image_uuid === IMAGE));
      const sys = await client.images.listSystem({ page_size: 3 });
      assert.ok(sys.list.length > 0 && sys.list.every((s) => typeof s.cuda_version === 'string'));
      // 12, 13: stock
      const stock = await client.stock.get();
      const before4090 = stock['RTX 4090']!;
      assert.ok(before4090.total > 0 && before4090.idle === before4090.total);
      const region = await client.stock.region({ dc_list: ['westDC2'] });
      assert.ok(Object.keys(region).length > 0);

      // 2: create (a ReplicaSet of 2)
      const body: CreateDeploymentBody = {
        name: `proc-${dialect}`,
        deployment_type: 'ReplicaSet',
        replica_num: 2,
        container_template: {
          gpu_name_set: ['RTX 4090'],
          gpu_num: 1,
          cuda_v: 118,
          dc_list: ['westDC2'],
          image_uuid: IMAGE,
          cmd: 'sleep infinity',
        },
      };
      const { deployment_uuid: uuid } = await client.deployments.create(body);
      await advance(30_000);
      assert.equal((await client.stock.get())['RTX 4090']!.idle, before4090.idle - 2);

      // 3: list + get
      const all = await collect(client.deployments.listAll({ name: `proc-${dialect}` }));
      assert.deepEqual(all.map((d) => d.uuid), [uuid]);
      const d = await client.deployments.get(uuid);
      assert.equal(d?.running_num, 2);

      // 5: containers; 4: events
      const cs = await collect(client.containers.listAll({ deployment_uuid: uuid }));
      assert.equal(cs.filter((c) => c.status === 'running').length, 2);
      // public container uuids do not start with the deployment uuid (recorded): check the link field
      assert.ok(cs.every((c) => c.deployment_uuid === uuid && (dialect === 'public' || c.uuid.startsWith(`${uuid}-`)) && c.memory_size > 1024 ** 3));
      const events = await collect(client.events.listAll({ deployment_uuid: uuid }, 3));
      assert.ok(events.filter((e) => e.status === 'running').length === 2);

      // 7: scale to 3
      await client.deployments.setReplicas(uuid, 3);
      await advance(30_000);
      assert.equal((await client.deployments.get(uuid))?.running_num, 3);

      // 6: stop one container, decreasing the count
      await client.containers.stop({ deployment_container_uuid: cs[0]!.uuid, decrease_one_replica_num: true });
      await advance(30_000);
      const after6 = await client.deployments.get(uuid);
      assert.equal(after6?.replica_num, 2);
      assert.equal(after6?.running_num, 2);

      // 10, 11: blacklist a host, list it
      await client.blacklist.add({ deployment_container_uuid: cs[1]!.uuid, comment: 'proc test', expire_in_minutes: 30 });
      const bl = await client.blacklist.list();
      assert.ok(bl.some((b) => b.machine_id === cs[1]!.machine_id));

      // 15: duration packages
      const ddp = await client.deployments.ddpOverview(uuid);
      assert.ok(Array.isArray(ddp));

      // 8: stop; 9: delete
      await client.deployments.stop(uuid);
      await advance(30_000);
      assert.equal((await client.deployments.get(uuid))?.status, 'stopped');
      await client.deployments.delete(uuid);
      assert.equal(await client.deployments.get(uuid), undefined);
      assert.equal((await client.stock.get())['RTX 4090']!.idle, before4090.idle);

      // every endpoint of the table was called, with its method
      const missing = (Object.keys(ENDPOINTS) as EndpointName[]).filter((k) => !hit.has(`${ENDPOINTS[k].method} ${ENDPOINTS[k].path}`));
      assert.deepEqual(missing, []);
    });
  });
}
