// Fault injection, over HTTP admin and in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { withSim, P, privateBody } from './helpers.js';
import type { Deployment, Page } from '../../src/api/types.js';

async function admin(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: { code: string; msg: string; data: unknown } }> {
  const res = await fetch(new URL(path, url), { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, json: (await res.json()) as { code: string; msg: string; data: unknown } };
}

test('http_error 500/502/503 with count, then normal replies', async () => {
  await withSim({}, async (sim, api) => {
    for (const status of [500, 502, 503]) {
      const r = await admin(sim.url, 'POST', '/__sim/faults', { method: 'GET', path: P.stock, kind: 'http_error', status, count: 2 });
      assert.equal(r.status, 200);
      assert.equal((await api.call('GET', P.stock)).status, status);
      assert.equal((await api.call('GET', P.stock)).status, status);
      assert.equal((await api.call('GET', P.stock)).status, 200);
    }
    assert.equal(sim.stats.count('GET', P.stock), 9, 'faulted requests are counted');
  });
});

test('http_429 carries Retry-After', async () => {
  await withSim({}, async (sim, api) => {
    sim.faults.add({ method: 'POST', path: P.create, kind: 'http_429', retry_after: 7 });
    const r = await api.call('POST', P.create, privateBody());
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '7');
    assert.equal(sim.world.allDeployments().length, 0, 'nothing applied');
    await api.ok('POST', P.create, privateBody());
    assert.equal(sim.world.allDeployments().length, 1);
  });
});

test('envelope_error: HTTP 200, chosen code/msg, create not applied while stock is free', async () => {
  await withSim({}, async (sim, api) => {
    sim.faults.add({ method: 'POST', path: P.create, kind: 'envelope_error', count: 3, code: 'NoStock', msg: '暂无库存' });
    for (let i = 0; i < 3; i++) {
      const r = await api.call('POST', P.create, privateBody());
      assert.equal(r.status, 200);
      assert.equal(r.body.code, 'NoStock');
      assert.equal(r.body.msg, '暂无库存');
    }
    assert.equal(sim.world.allDeployments().length, 0);
    assert.ok(sim.world.stock().get('RTX 4090')!.idle > 0);
  });
});

test('slow replies after delay_ms', async () => {
  await withSim({}, async (sim, api) => {
    sim.faults.add({ method: 'GET', path: P.stock, kind: 'slow', delay_ms: 150 });
    const t0 = performance.now();
    const slow = await api.call('GET', P.stock);
    // a lower bound only (the delay is a floor, never a ceiling): not a timing threshold
    assert.ok(performance.now() - t0 >= 140, 'reply came after the delay');
    assert.equal(slow.body.code, 'Success', 'then replies normally');
    const r = await api.call('GET', P.stock);
    assert.equal(r.body.code, 'Success');
  });
});

/** Raw request so that the client cannot retry behind our back. */
function rawPost(url: string, path: string, token: string, body: unknown): Promise<'reset' | number> {
  return new Promise((resolve) => {
    const u = new URL(path, url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { authorization: token, 'content-type': 'application/json', connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve('reset'));
    req.end(JSON.stringify(body));
  });
}

test('reset destroys the socket and applies nothing; commit_then_reset applies then destroys', async () => {
  await withSim({}, async (sim, api) => {
    sim.faults.add({ method: 'POST', path: P.create, kind: 'reset' });
    assert.equal(await rawPost(sim.url, P.create, api.token!, privateBody({ name: 'lost' })), 'reset');
    assert.equal(sim.world.allDeployments().length, 0);

    await fetch(new URL('/__sim/faults', sim.url), { method: 'POST', body: JSON.stringify({ method: 'POST', path: P.create, kind: 'commit_then_reset', count: 1 }) });
    assert.equal(await rawPost(sim.url, P.create, api.token!, privateBody({ name: 'committed' })), 'reset');
    const all = sim.world.allDeployments();
    assert.equal(all.length, 1, 'the deployment exists although the reply was lost');
    assert.equal(all[0]!.name, 'committed');
    const listed = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10, name: 'committed' });
    assert.equal(listed.result_total, 1);
    assert.equal(sim.stats.count('POST', P.create), 2);
  });
});

test('non_json replies HTML', async () => {
  await withSim({}, async (sim, api) => {
    sim.faults.add({ method: '*', path: P.list, kind: 'non_json', status: 502 });
    const res = await fetch(new URL(P.list, sim.url), { method: 'POST', headers: { authorization: api.token! }, body: '{}' });
    assert.equal(res.status, 502);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const text = await res.text();
    assert.match(text, /^<html>/);
    assert.throws(() => JSON.parse(text));
  });
});

test('probability faults are seeded and reproducible; DELETE clears; bad specs rejected', async () => {
  const pattern = async (seed: number) => {
    let out = '';
    await withSim({ seed }, async (sim, api) => {
      sim.faults.add({ method: 'GET', path: P.stock, kind: 'http_error', status: 503, probability: 0.5 });
      for (let i = 0; i < 30; i++) out += (await api.call('GET', P.stock)).status === 503 ? 'x' : '.';
      const cleared = await admin(sim.url, 'DELETE', '/__sim/faults');
      assert.equal(cleared.status, 200);
      assert.equal((await api.call('GET', P.stock)).status, 200);
      assert.equal((await admin(sim.url, 'POST', '/__sim/faults', { method: 'GET', path: P.stock, kind: 'explode' })).status, 400);
      assert.equal((await admin(sim.url, 'POST', '/__sim/faults', { method: 'GET', path: P.stock, kind: 'http_error', probability: 2 })).status, 400);
      const listed = await admin(sim.url, 'GET', '/__sim/faults');
      assert.deepEqual(listed.json.data, []);
    });
    return out;
  };
  const a = await pattern(42);
  const b = await pattern(42);
  assert.equal(a, b);
  assert.ok(a.includes('x') && a.includes('.'), a);
});
