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
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { childEnv, CLI, deploymentConfig, emptyDir, ensureBuilt, json, runCli, writeConfig } from '../cli/helpers.js';

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

  test('the worker (queue run --once) against an endless reply: an error event of kind too_large, no crash', async () => {
    const s = await endless('chunked');
    const env = { AUTODL_HOST: s.url, AUTODL_TOKEN: TOKEN };
    const db = join(mkdtempSync(join(tmpdir(), 'autodl-cap-q-')), 'q.db');
    const add = await runCli(['queue', 'add', writeConfig('cap.json', deploymentConfig('cap-job')), '--db', db, '--json'], { env });
    assert.equal(add.code, 0, add.stderr);
    const r = await runCli(['queue', 'run', '--once', '--db', db, '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const events = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; where?: string; error?: string });
    assert.ok(events.some((e) => e.type === 'error' && /too_large/.test(e.error ?? '')), r.stderr);
    assert.equal(json<{ status: string; created: number }>(r).created, 0);
    await assertCutShort(s);
  });

  test('the MCP server against an endless reply: a too_large api_error result, and it keeps serving', async () => {
    ensureBuilt();
    const s = await endless('chunked');
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], env: childEnv({ env: { AUTODL_HOST: s.url, AUTODL_TOKEN: TOKEN } }), cwd: emptyDir(), stderr: 'pipe' });
    let err = '';
    transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const client = new Client({ name: 'reply-cap-test', version: '0.0.0' });
    await client.connect(transport);
    try {
      const r = await client.callTool({ name: 'list_stock', arguments: {} });
      const v = JSON.parse((r.content as Array<{ text: string }>)[0]!.text) as { error_type: string; details: { kind: string; limit_bytes: number } };
      assert.equal(r.isError, true);
      assert.equal(v.error_type, 'api_error');
      assert.equal(v.details.kind, 'too_large');
      assert.equal(v.details.limit_bytes, DEFAULT_MAX_REPLY_BYTES);
      const again = await client.callTool({ name: 'validate_config', arguments: { config: deploymentConfig('after-cap') } });
      assert.notEqual(again.isError, true, 'still serving');
    } finally {
      await client.close();
    }
    assert.doesNotMatch(err, /\n\s+at .*\(/, 'no stack trace on stderr');
    await assertCutShort(s);
  });
});
