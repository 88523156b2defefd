// The reply size cap: a server that answers with an endless (600 MB) body gets a clean
// api_error of kind 'too_large' naming the cap, from the SDK (over node:http and over an
// injected web fetch) and from the CLI, and the connection is dropped long before the
// server has sent it all — the client never reads (or holds) the whole reply.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AutodlClient } from '../../src/api/index.js';
import { DEFAULT_MAX_REPLY_BYTES } from '../../src/api/transport.js';
import { ApiError } from '../../src/errors.js';
import { startEndlessServer, type EndlessServer } from '../reliability/hostile-server.js';
import { send, startServer, TOKEN } from './helpers.js';
import { json, runCli } from '../cli/helpers.js';

const TOTAL = 600 * 1024 * 1024;
const servers: Array<{ close(): Promise<void> }> = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function endless(mode: 'chunked' | 'length'): Promise<EndlessServer> {
  const s = await startEndlessServer({ total: TOTAL, mode });
  servers.push(s);
  return s;
}

async function tooLarge(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

/** The server closed early: the client stopped reading well before the end. */
async function assertCutShort(s: EndlessServer): Promise<void> {
  // the server learns of the close on its next write or on the socket's close event
  for (let i = 0; i < 200 && s.cutShort() < s.sent.length; i++) await new Promise((r) => setImmediate(r));
  assert.equal(s.cutShort(), s.sent.length, `every connection closed early (sent ${s.sent.join(', ')})`);
  for (const n of s.sent) assert.ok(n < TOTAL / 4, `the server sent only ${n} of ${TOTAL} bytes`);
}

describe('reply size cap', () => {
  test('SDK over node:http, chunked endless body: api_error too_large naming the cap, not retried', async () => {
    const s = await endless('chunked');
    const c = new AutodlClient({ token: TOKEN, host: s.url, retries: 3, sleep: async () => {} });
    const e = await tooLarge(c.deployments.list());
    assert.equal(e.errorType, 'api_error');
    assert.equal(e.exitCode, 3);
    assert.equal(e.details.kind, 'too_large');
    assert.equal(e.details.limit_bytes, DEFAULT_MAX_REPLY_BYTES);
    assert.match(e.message, /larger than the 32 MiB limit/);
    assert.equal(s.sent.length, 1, 'a too-large reply is not retried');
    await assertCutShort(s);
  });

  test('an honest Content-Length past the cap is refused before the body is read', async () => {
    const s = await endless('length');
    const c = new AutodlClient({ token: TOKEN, host: s.url, maxReplyBytes: 1024 * 1024 });
    const e = await tooLarge(c.stock.get());
    assert.equal(e.details.kind, 'too_large');
    assert.equal(e.details.limit_bytes, 1024 * 1024);
    assert.match(e.message, /1 MiB limit/);
    await assertCutShort(s);
  });

  test('an injected web fetch (stream body) is capped too', async () => {
    const s = await endless('chunked');
    const c = new AutodlClient({ token: TOKEN, host: s.url, fetch: globalThis.fetch, maxReplyBytes: 2 * 1024 * 1024 });
    const e = await tooLarge(c.images.list());
    assert.equal(e.details.kind, 'too_large');
    assert.equal(e.details.limit_bytes, 2 * 1024 * 1024);
    await assertCutShort(s);
  });

  test('a reply under the cap is read as before; one byte over is refused', async () => {
    const body = JSON.stringify({ code: 'Success', msg: '', data: { 'RTX 4090': { idle_gpu_num: 1, total_gpu_num: 8 } } });
    const srv = await startServer((_req, res) => send(res, 200, body));
    servers.push(srv);
    const size = Buffer.byteLength(body);
    const fits = new AutodlClient({ token: TOKEN, host: srv.url, maxReplyBytes: size });
    const stock = await fits.stock.get();
    assert.equal(stock['RTX 4090']?.idle, 1);
    const over = new AutodlClient({ token: TOKEN, host: srv.url, maxReplyBytes: size - 1 });
    assert.equal((await tooLarge(over.stock.get())).details.kind, 'too_large');
  });

  test('CLI against an endless reply: clean api_error, exit 3, no stack trace, connection dropped', async () => {
    const s = await endless('chunked');
    const r = await runCli(['deployments', '--json'], { env: { AUTODL_HOST: s.url, AUTODL_TOKEN: TOKEN } });
    assert.equal(r.code, 3, r.stderr);
    const j = json<{ status: string; error_type: string; message: string; details: Record<string, unknown> }>(r);
    assert.equal(j.status, 'error');
    assert.equal(j.error_type, 'api_error');
    assert.equal(j.details.kind, 'too_large');
    assert.match(j.message, /32 MiB/);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at .*\(/, 'no stack trace');
    await assertCutShort(s);
  });
});
