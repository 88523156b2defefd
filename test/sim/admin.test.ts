// Admin API, stats, background load, clocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withSim, P, privateBody } from './helpers.js';
import { startSimulator, World, DEFAULT_HOSTS } from '../../src/sim/index.js';
import { MAX_ADVANCE_MS } from '../../src/sim/server.js';
import type { Page, Deployment, PrivateStockWire } from '../../src/api/types.js';

async function admin<T = unknown>(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; data: T; code: string }> {
  const res = await fetch(new URL(path, url), { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const j = (await res.json()) as { code: string; data: T };
  return { status: res.status, data: j.data, code: j.code };
}

test('stats count API requests per METHOD path, not admin calls', async () => {
  await withSim({}, async (sim, api) => {
    assert.equal(sim.stats.total, 0);
    await api.call('GET', P.stock);
    await api.call('GET', P.stock);
    await api.call('POST', P.list, { page_index: 1, page_size: 10 });
    await api.withToken(undefined).call('POST', P.create, privateBody());
    await admin(sim.url, 'GET', '/__sim/clock');
    const s = await admin<{ total: number; byRoute: Record<string, number> }>(sim.url, 'GET', '/__sim/stats');
    assert.equal(s.data.total, 4);
    assert.deepEqual(s.data.byRoute, { [`GET ${P.stock}`]: 2, [`POST ${P.list}`]: 1, [`POST ${P.create}`]: 1 });
    assert.equal(sim.stats.count('POST', P.create), 1);
  });
});

test('clock, hosts, occupy/free, deployments, reset over HTTP', async () => {
  await withSim({}, async (sim, api) => {
    const c0 = await admin<{ now: number; mode: string }>(sim.url, 'GET', '/__sim/clock');
    assert.equal(c0.data.mode, 'manual');
    const adv = await admin<{ now: number }>(sim.url, 'POST', '/__sim/clock/advance', { ms: 90_000 });
    assert.equal(adv.data.now - c0.data.now, 90_000);
    assert.equal(sim.world.now(), adv.data.now);
    assert.equal((await admin(sim.url, 'POST', '/__sim/clock/advance', { ms: -1 })).status, 400);

    const hosts = await admin<Array<{ machine_id: string; idle_gpu_num: number }>>(sim.url, 'GET', '/__sim/hosts');
    assert.equal(hosts.data.length, DEFAULT_HOSTS.length);
    const occ = await admin<{ occupied: number }>(sim.url, 'POST', '/__sim/occupy', { gpu_name: 'A800-80GB', count: 100 });
    assert.equal(occ.data.occupied, 12);
    let stock = (await api.ok<PrivateStockWire>('GET', P.stock))['A800-80GB']!;
    assert.equal(stock.idle_gpu_num, 0);
    const fr = await admin<{ freed: number }>(sim.url, 'POST', '/__sim/free', { gpu_name: 'A800-80GB', count: 5 });
    assert.equal(fr.data.freed, 5);
    stock = (await api.ok<PrivateStockWire>('GET', P.stock))['A800-80GB']!;
    assert.equal(stock.idle_gpu_num, 5);
    assert.equal((await admin<{ occupied: number }>(sim.url, 'POST', '/__sim/occupy', { machine_id: 'c2e9b4d106', count: 1 })).data.occupied, 1);

    const put = await admin(sim.url, 'PUT', '/__sim/hosts', { hosts: [{ machine_id: 'only', data_center: 'westDC2', gpu_name: 'H20', gpu_num: 2, cpu_num: 32, memory_gb: 128, max_cuda: 124, price_per_gpu: 3000 }] });
    assert.equal(put.status, 200);
    assert.deepEqual(Object.keys(await api.ok<PrivateStockWire>('GET', P.stock)), ['H20']);
    assert.equal((await admin(sim.url, 'PUT', '/__sim/hosts', { hosts: [{ machine_id: 'x' }] })).status, 400);

    const { deployment_uuid } = await api.ok<{ deployment_uuid: string }>('POST', P.create, privateBody({ name: 'one' }, { gpu_name_set: ['H20'] }));
    await api.ok('POST', P.create, privateBody({ name: 'two' }, { gpu_name_set: ['H20'] }));
    await api.ok('DELETE', P.del, { deployment_uuid });
    const deps = await admin<Array<Deployment & { tenant: string; deleted: boolean }>>(sim.url, 'GET', '/__sim/deployments');
    assert.deepEqual(deps.data.map((d) => d.name), ['two']);
    assert.equal(deps.data[0]!.tenant, 'demo');
    const withDeleted = await admin<Array<{ name: string; deleted: boolean }>>(sim.url, 'GET', '/__sim/deployments?include_deleted=1');
    assert.deepEqual(withDeleted.data.map((d) => [d.name, d.deleted]), [['one', true], ['two', false]]);

    sim.faults.add({ method: 'GET', path: P.stock, kind: 'http_error', count: 5 });
    assert.equal((await admin(sim.url, 'POST', '/__sim/reset')).status, 200);
    assert.equal(sim.stats.total, 0, 'reset clears stats');
    assert.equal((await api.call('GET', P.stock)).status, 200, 'reset clears faults');
    assert.equal((await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10 })).result_total, 0);
    assert.equal((await admin(sim.url, 'GET', '/__sim/nope')).status, 404);
  });
});

function stockTrace(seed: number): string[] {
  const w = new World({ seed, backgroundLoad: true });
  const out: string[] = [];
  for (let i = 0; i < 48; i++) {
    out.push(JSON.stringify([...w.stock()]));
    w.advance(5 * 60_000);
  }
  return out;
}

test('background load: reproducible with the same seed, moving, scarce; off → all idle', async () => {
  const a = stockTrace(7);
  const b = stockTrace(7);
  assert.deepEqual(a, b);
  assert.notDeepEqual(stockTrace(8), a, 'another seed, another schedule');
  assert.ok(new Set(a).size > 10, 'stock moves over time');
  const w = new World({ seed: 7, backgroundLoad: true });
  let idle = 0;
  let total = 0;
  for (const s of w.stock().values()) {
    idle += s.idle;
    total += s.total;
  }
  assert.ok(idle < total / 2, `scarce: ${idle}/${total}`);
  const off = new World({ seed: 7, backgroundLoad: false });
  off.advance(3600_000);
  for (const s of off.stock().values()) assert.equal(s.idle, s.total);

  // same through HTTP, and a deployment waits for background GPUs to be freed
  const sim = await startSimulator({ seed: 7, backgroundLoad: true });
  try {
    const res = await fetch(new URL(P.stock, sim.url), { headers: { authorization: 'autodl-sim-demo-token' } });
    const j = (await res.json()) as { data: PrivateStockWire };
    assert.deepEqual(Object.fromEntries(Object.entries(j.data).map(([k, v]) => [k, { idle: v.idle_gpu_num, total: v.total_gpu_num }])), Object.fromEntries(JSON.parse(a[0]!) as Array<[string, unknown]>));
  } finally {
    await sim.close();
  }
});

test('speed clock: world time follows real time × speed', async () => {
  const sim = await startSimulator({ clock: { speed: 1_000_000 } });
  try {
    const t0 = sim.world.now();
    await new Promise((r) => setTimeout(r, 5));
    const c = await admin<{ now: number; mode: string }>(sim.url, 'GET', '/__sim/clock');
    assert.equal(c.data.mode, 'speed');
    assert.ok(c.data.now - t0 >= 1_000_000, 'at least 1 real ms × 1e6 passed');
  } finally {
    await sim.close();
  }
});

test('many deployments stay fast to simulate (200 Jobs through one world)', async () => {
  const w = new World({});
  const t = w.tenantFor('autodl-sim-demo-token')!;
  for (let i = 0; i < 200; i++) {
    w.createDeployment(t, {
      name: `q-${i}`,
      deployment_type: 'Job',
      replica_num: 2,
      parallelism_num: 1,
      reuse_container: i % 2 === 0,
      reuse_container_scope: 'all',
      template: { gpuNames: ['RTX 4090', 'RTX 3090'], gpuNum: 1, cudaMin: 118, imageUuid: 'image-6b5ad2b1ce', cmd: 'sleep 60' },
      rawTemplate: {},
    });
  }
  w.advance(24 * 3600_000);
  const all = w.allDeployments();
  assert.equal(all.length, 200);
  assert.ok(all.every((d) => d.finished_num === 2), 'every Job finished eventually');
  assert.equal(w.activeContainerCount(), 0);
});

test('clock advance is bounded per call (30 days): 1e16 ms is refused at once, the clock unchanged; the bound itself is exact', async () => {
  await withSim({ backgroundLoad: true }, async (sim, api) => {
    const c0 = await admin<{ now: number }>(sim.url, 'GET', '/__sim/clock');
    for (const ms of [1e16, 8.64e15, MAX_ADVANCE_MS + 1]) {
      const r = await fetch(new URL('/__sim/clock/advance', sim.url), { method: 'POST', body: JSON.stringify({ ms }) });
      const j = (await r.json()) as { msg: string };
      assert.equal(r.status, 400, `ms ${ms}`);
      assert.match(j.msg, /at most 2592000000 \(30 days\)/);
    }
    assert.equal(sim.world.now(), c0.data.now, 'refused advances moved nothing');
    // the largest advance, while another tenant's request is in flight: both are answered
    const [adv, stock] = await Promise.all([admin<{ now: number }>(sim.url, 'POST', '/__sim/clock/advance', { ms: MAX_ADVANCE_MS }), api.call('GET', P.stock)]);
    assert.equal(adv.status, 200);
    assert.equal(adv.data.now - c0.data.now, MAX_ADVANCE_MS);
    assert.equal(stock.body.code, 'Success');
    // two advances of one server run one after the other and add up
    const [a, b] = await Promise.all([
      admin<{ now: number }>(sim.url, 'POST', '/__sim/clock/advance', { ms: 86_400_000 }),
      admin<{ now: number }>(sim.url, 'POST', '/__sim/clock/advance', { ms: 86_400_000 }),
    ]);
    assert.equal(Math.max(a.data.now, b.data.now) - adv.data.now, 2 * 86_400_000);
  });
});
