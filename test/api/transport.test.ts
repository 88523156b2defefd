import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { AutodlClient } from '../../src/api/index.js';
import { createClient, type CreateClientOptions } from '../../src/credentials/factory.js';
import { ApiError, AutodlError } from '../../src/errors.js';
import { closedPort, ok, send, startServer, TOKEN, type Handler, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function setup(handler: Handler, opts: CreateClientOptions = {}) {
  const server = await startServer(handler);
  servers.push(server);
  const sleeps: number[] = [];
  const client = createClient({
    token: TOKEN,
    host: server.url,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...opts,
  });
  return { server, client, sleeps };
}

const CREATE = {
  name: 'x',
  deployment_type: 'Job' as const,
  replica_num: 1,
  parallelism_num: 1,
  container_template: { gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, image_uuid: 'image-abc', cmd: 'sleep 1' },
};

async function rejects(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

describe('transport: headers, envelope, errors', () => {
  test('sends raw token, JSON content type, POST body; returns data', async () => {
    const { server, client } = await setup((_r, res) => ok(res, { RTX: { idle_gpu_num: 1, total_gpu_num: 2 } }));
    const stock = await client.stock.region({ dc_list: ['westDC2'] });
    assert.deepEqual(stock, { RTX: { idle: 1, total: 2 } });
    const r = server.requests[0]!;
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/api/v1/dev/machine/region/gpu_stock');
    assert.equal(r.headers.authorization, TOKEN);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.deepEqual(r.json, { dc_list: ['westDC2'] });
  });

  test('GET parameters go to the query string, never a body', async () => {
    const { server, client } = await setup((r, res) =>
      r.path.endsWith('/ddp/overview')
        ? ok(res, [{ gpu_type: 'RTX', total: 10, balance: 5, dc_list: ['westDC2'] }])
        : ok(res, { list: [{ machine_id: 'm1' }] }),
    );
    const ddp = await client.deployments.ddpOverview('dep-1 &x=y');
    assert.equal(ddp.length, 1);
    assert.equal(ddp[0]!.balance, 5);
    const r = server.requests[0]!;
    assert.equal(r.method, 'GET');
    assert.equal(r.query.get('deployment_uuid'), 'dep-1 &x=y');
    assert.equal(r.query.get('x'), null);
    assert.equal(r.body, '');
    const bl = await client.blacklist.list();
    assert.deepEqual(bl, [{ machine_id: 'm1' }]);
    assert.equal(server.requests[1]!.method, 'GET');
    assert.equal(server.requests[1]!.body, '');
  });

  test('non-Success envelope → ApiError kind envelope with code, msg, request_id, status', async () => {
    const { client, server } = await setup((_r, res) =>
      ok(res, null, { code: 'NoStock', msg: '暂无库存', request_id: 'req-1' }),
    );
    const e = await rejects(client.deployments.list());
    assert.equal(e.info.kind, 'envelope');
    assert.equal(e.info.code, 'NoStock');
    assert.equal(e.info.msg, '暂无库存');
    assert.equal(e.info.requestId, 'req-1');
    assert.equal(e.info.httpStatus, 200);
    assert.equal(e.errorType, 'api_error');
    assert.equal(e.exitCode, 3);
    assert.match(e.message, /暂无库存/);
    assert.equal(server.requests.length, 1, 'a logical failure is not retried');
  });

  test('HTTP 4xx with an envelope body → kind http carrying code/msg; not retried', async () => {
    const { client, server } = await setup((_r, res) => send(res, 400, { code: 'BadRequest', msg: '请求参数错误', data: null }));
    const e = await rejects(client.images.list());
    assert.equal(e.info.kind, 'http');
    assert.equal(e.info.httpStatus, 400);
    assert.equal(e.info.code, 'BadRequest');
    assert.equal(e.info.msg, '请求参数错误');
    assert.equal(server.requests.length, 1);
  });

  test('non-JSON reply → kind non_json; JSON without code → non_json', async () => {
    const a = await setup((_r, res) => send(res, 200, '<html>gateway</html>'));
    const e1 = await rejects(a.client.stock.get());
    assert.equal(e1.info.kind, 'non_json');
    assert.match(e1.message, /gateway/);
    const b = await setup((_r, res) => send(res, 200, [1, 2, 3]));
    const e2 = await rejects(b.client.stock.get());
    assert.equal(e2.info.kind, 'non_json');
  });

  test('Success without data where data is needed → ApiError, no crash', async () => {
    const { client } = await setup((_r, res) => send(res, 200, { code: 'Success', msg: '' }));
    const e1 = await rejects(client.stock.get());
    assert.equal(e1.info.kind, 'envelope');
    assert.match(e1.message, /without data/);
    const e2 = await rejects(client.deployments.list());
    assert.equal(e2.info.kind, 'envelope');
    const e3 = await rejects(client.deployments.create(CREATE));
    assert.equal(e3.info.mayHaveApplied, true, 'create answered Success without a uuid may have applied');
    assert.deepEqual(await client.blacklist.list(), [], 'a null list is an empty list');
  });

  test('wrong types inside data do not crash: page fields and stock coerced', async () => {
    const { client } = await setup((r, res) =>
      r.path.endsWith('gpu_stock')
        ? ok(res, { A: { idle_gpu_num: '3', total_gpu_num: null }, B: 'junk', C: { idle_gpu_num: -1, total_gpu_num: 4 } })
        : ok(res, { list: null, page_index: '1', max_page: 'x' }),
    );
    assert.deepEqual(await client.stock.get(), { A: { idle: 3, total: 0 }, C: { idle: 0, total: 4 } });
    const p = await client.deployments.list();
    assert.deepEqual(p.list, []);
    assert.equal(p.page_index, 1);
    assert.equal(typeof p.max_page, 'number');
  });
});

describe('transport: retries for reads only', () => {
  test('5xx on a read is retried with growing backoff, then recovers', async () => {
    const { client, server, sleeps } = await setup((_r, res, n) =>
      n <= 2 ? send(res, 503, '<html>busy</html>') : ok(res, { list: [], max_page: 0 }),
    );
    const p = await client.images.list();
    assert.deepEqual(p.list, []);
    assert.equal(server.requests.length, 3);
    assert.equal(sleeps.length, 2);
    // random() = 0.5 → 0.75 × base·2^(n-1)
    assert.deepEqual(sleeps, [150, 300]);
  });

  test('retries exhausted → ApiError with attempts = retries + 1', async () => {
    const { client, server, sleeps } = await setup((_r, res) => send(res, 502, 'bad gateway'), { retries: 2 });
    const e = await rejects(client.deployments.list());
    assert.equal(e.info.kind, 'http');
    assert.equal(e.info.httpStatus, 502);
    assert.equal(e.info.attempts, 3);
    assert.equal(server.requests.length, 3);
    assert.equal(sleeps.length, 2);
  });

  test('backoff is capped', async () => {
    const { client, sleeps } = await setup((_r, res) => send(res, 500, 'x'), {
      retries: 8,
      retryBaseMs: 200,
      retryMaxMs: 1000,
      random: () => 0.999,
    });
    await rejects(client.stock.get());
    assert.equal(sleeps.length, 8);
    assert.ok(sleeps.every((s) => s <= 1000), `sleeps ${sleeps.join(',')}`);
    assert.ok(sleeps[7]! > 900);
  });

  test('429 + Retry-After is honoured (and capped)', async () => {
    const { client, server, sleeps } = await setup((_r, res, n) =>
      n === 1
        ? send(res, 429, { code: 'TooMany', msg: 'slow down', data: null }, { 'Retry-After': '2' })
        : n === 2
          ? send(res, 429, 'x', { 'Retry-After': '999' })
          : ok(res, {}),
      { maxRetryAfterMs: 10_000 },
    );
    assert.deepEqual(await client.stock.get(), {});
    assert.equal(server.requests.length, 3);
    assert.deepEqual(sleeps, [2000, 10_000]);
  });

  test('create is never retried: 5xx → mayHaveApplied true, one request', async () => {
    const { client, server, sleeps } = await setup((_r, res) => send(res, 500, 'oops'));
    const e = await rejects(client.deployments.create(CREATE));
    assert.equal(server.requests.length, 1);
    assert.equal(sleeps.length, 0);
    assert.equal(e.info.kind, 'http');
    assert.equal(e.info.mayHaveApplied, true);
    assert.match(e.message, /may have been applied/);
  });

  test('writes on 429 / envelope refusal → mayHaveApplied false, one request', async () => {
    const { client, server } = await setup((_r, res, n) =>
      n === 1 ? send(res, 429, 'x', { 'Retry-After': '1' }) : ok(res, null, { code: 'BadRequest', msg: 'no' }),
    );
    const e1 = await rejects(client.deployments.stop('d1'));
    assert.equal(e1.info.mayHaveApplied, false);
    assert.equal(e1.info.retryAfterSeconds, 1);
    const e2 = await rejects(client.blacklist.add({ deployment_container_uuid: 'c1' }));
    assert.equal(e2.info.mayHaveApplied, false);
    assert.equal(server.requests.length, 2);
  });

  test('timeout on a read → kind timeout (retried); on create → mayHaveApplied', async () => {
    const { client, server } = await setup(() => {
      /* never answer */
    }, { timeoutMs: 50, retries: 1 });
    const e = await rejects(client.stock.get());
    assert.equal(e.info.kind, 'timeout');
    assert.equal(e.info.attempts, 2);
    assert.equal(server.requests.length, 2);
    const e2 = await rejects(client.deployments.create(CREATE));
    assert.equal(e2.info.kind, 'timeout');
    assert.equal(e2.info.mayHaveApplied, true);
    assert.equal(server.requests.length, 3);
  });

  test('socket reset: a read is retried and recovers; a create reports mayHaveApplied', async () => {
    const { client, server } = await setup((r, res, n) => {
      if (r.path.endsWith('/deployment') && r.method === 'POST') {
        res.socket?.destroy();
        return;
      }
      if (n === 1) res.socket?.destroy();
      else ok(res, { list: [{ uuid: 'd1' }], max_page: 1 });
    });
    const p = await client.deployments.list();
    assert.equal(p.list.length, 1);
    assert.equal(server.requests.length, 2);
    const e = await rejects(client.deployments.create(CREATE));
    assert.equal(e.info.kind, 'network');
    assert.equal(e.info.mayHaveApplied, true);
    assert.equal(server.requests.length, 3);
  });

  test('connection refused on a write → mayHaveApplied false', async () => {
    const port = await closedPort();
    const client = new AutodlClient({ token: TOKEN, host: `http://127.0.0.1:${port}`, sleep: async () => {} });
    const e = await rejects(client.deployments.delete('d1'));
    assert.equal(e.info.kind, 'network');
    assert.equal(e.info.mayHaveApplied, false);
    assert.equal(e.info.code, 'ECONNREFUSED');
  });
});

describe('pagination', () => {
  const items = Array.from({ length: 250 }, (_, i) => ({ uuid: `d${i}`, name: `n${i}` }));
  const pager = (withMaxPage: boolean): Handler => (r, res) => {
    const b = r.json as { page_index: number; page_size: number };
    const start = (b.page_index - 1) * b.page_size;
    const list = items.slice(start, start + b.page_size);
    ok(res, {
      list,
      page_index: b.page_index,
      page_size: b.page_size,
      offset: 0,
      max_page: withMaxPage ? Math.ceil(items.length / b.page_size) : 0,
      result_total: withMaxPage ? items.length : 0,
    });
  };

  test('listAll walks every page up to max_page', async () => {
    const { client, server } = await setup(pager(true));
    const got: string[] = [];
    for await (const d of client.deployments.listAll({ status: 'running' }, 20)) got.push(d.uuid);
    assert.deepEqual(got, items.map((d) => d.uuid));
    assert.equal(server.requests.length, 13);
    assert.deepEqual(server.requests.map((r) => (r.json as { page_index: number }).page_index), Array.from({ length: 13 }, (_, i) => i + 1));
    assert.equal((server.requests[0]!.json as { status: string }).status, 'running');
  });

  test('listAll without max_page stops at a short or empty page', async () => {
    const { client, server } = await setup(pager(false));
    let count = 0;
    for await (const _ of client.deployments.listAll({}, 50)) count++;
    assert.equal(count, 250);
    // 5 full pages, then an empty one
    assert.equal(server.requests.length, 6);
  });

  test('blacklist.list: a plain GET; a paged reply is followed to max_page', async () => {
    const entries = Array.from({ length: 25 }, (_, i) => ({ machine_id: `m${i}`, data_center: 'westDC2', expired_time: '', msg: '', created_at: '' }));
    const { client, server } = await setup((r, res) => {
      const pi = Number(r.query.get('page_index') ?? 1);
      const ps = Number(r.query.get('page_size') ?? 10);
      ok(res, { list: entries.slice((pi - 1) * ps, pi * ps), page_index: pi, page_size: ps, max_page: Math.ceil(entries.length / ps) });
    });
    const got = await client.blacklist.list();
    assert.deepEqual(got.map((e) => e.machine_id), entries.map((e) => e.machine_id));
    assert.equal(server.requests.length, 3);
    assert.equal(server.requests[0]!.url, '/api/v1/dev/deployment/blacklist');
    assert.ok(server.requests.every((r) => r.method === 'GET' && r.body === ''));
  });

  test('images: image_name → name', async () => {
    const { client } = await setup((_r, res) => ok(res, { list: [{ id: 1, image_uuid: 'image-1', image_name: 'torch', status: 'ok' }], max_page: 1 }));
    const imgs: string[] = [];
    for await (const i of client.images.listAll()) imgs.push(i.name);
    assert.deepEqual(imgs, ['torch']);
  });
});

describe('events.follow', () => {
  test('polls with a growing offset and yields each event once until aborted', async () => {
    const events: Array<{ deployment_container_uuid: string; status: string; created_at: string }> = [];
    const add = (n: number) => {
      for (let i = 0; i < n; i++) events.push({ deployment_container_uuid: 'c1', status: `s${events.length}`, created_at: `t${events.length}` });
    };
    add(3);
    const { client, server } = await setup((r, res) => {
      const b = r.json as { offset?: number; page_size: number };
      const off = b.offset ?? 0;
      ok(res, { list: events.slice(off, off + b.page_size), max_page: 1, result_total: events.length });
    });
    const ac = new AbortController();
    let polls = 0;
    const got: string[] = [];
    for await (const ev of client.events.follow('dep-1', {
      signal: ac.signal,
      intervalMs: 1234,
      sleep: async (ms) => {
        assert.equal(ms, 1234);
        polls++;
        if (polls === 1) add(2);
        if (polls === 3) add(1);
        if (polls === 4) ac.abort();
      },
    })) {
      got.push(ev.status);
    }
    assert.deepEqual(got, ['s0', 's1', 's2', 's3', 's4', 's5']);
    const offsets = server.requests.map((r) => (r.json as { offset: number }).offset);
    assert.deepEqual(offsets, [0, 3, 5, 5]);
    assert.equal((server.requests[0]!.json as { deployment_uuid: string }).deployment_uuid, 'dep-1');
  });
});

describe('safety', () => {
  test('plain http to a non-loopback host is refused before sending', async () => {
    let calls = 0;
    const fakeFetch: typeof fetch = async () => {
      calls++;
      return new Response(JSON.stringify({ code: 'Success', msg: '', data: {} }));
    };
    const c = new AutodlClient({ token: TOKEN, host: 'http://example.com', fetch: fakeFetch });
    const e = await rejects(c.stock.get());
    assert.equal(e.info.kind, 'refused');
    assert.equal(calls, 0);
    assert.ok(!e.message.includes(TOKEN));
    for (const host of ['http://127.0.0.5:1', 'http://localhost:9', 'http://[::1]:9', 'https://example.com']) {
      const ok2 = new AutodlClient({ token: TOKEN, host, fetch: fakeFetch });
      assert.deepEqual(await ok2.stock.get(), {});
    }
    assert.equal(calls, 4);
  });

  test('the token never appears in errors or debug lines, even when the server echoes it', async () => {
    const lines: string[] = [];
    const { client } = await setup(
      (r, res, n) =>
        n === 1
          ? send(res, 500, `bad token ${String(r.headers.authorization)}`)
          : ok(res, null, { code: 'Unauthorized', msg: `token ${String(r.headers.authorization)} is invalid`, request_id: TOKEN }),
      { debug: (l) => lines.push(l) },
    );
    const e = await rejects(client.stock.get());
    const all = [e.message, JSON.stringify(e.details), JSON.stringify(e.info), JSON.stringify(e.toResult()), ...lines].join('\n');
    assert.ok(lines.length > 0);
    assert.match(all, /\*\*\*/);
    assert.ok(!all.includes(TOKEN), all);
    const e2 = await rejects(client.deployments.create(CREATE));
    assert.ok(!JSON.stringify([e2.message, e2.details, e2.info]).includes(TOKEN));
  });

  test('missing token → token_missing at request time, nothing sent', async () => {
    const { client, server } = await setup((_r, res) => ok(res, {}), {
      token: undefined,
      credentials: { env: { HOME: '/nonexistent-autodl-home' }, cwd: '/nonexistent-autodl-cwd' },
    });
    await assert.rejects(client.stock.get(), (e: unknown) => e instanceof AutodlError && e.errorType === 'token_missing' && Array.isArray(e.details.searched));
    assert.equal(server.requests.length, 0);
  });

  test('the client constructed without a token (it resolves nothing itself) → token_missing at request time, nothing sent', async () => {
    const server = await startServer((_r, res) => ok(res, {}));
    servers.push(server);
    const client = new AutodlClient({ host: server.url });
    assert.equal(client.tokenSource, undefined);
    await assert.rejects(client.stock.get(), (e: unknown) => e instanceof AutodlError && e.errorType === 'token_missing');
    await assert.rejects(client.deployments.create(CREATE), (e: unknown) => e instanceof AutodlError && e.errorType === 'token_missing');
    assert.equal(server.requests.length, 0);
  });
});
