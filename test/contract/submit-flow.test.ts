// The whole submit flow of the real CLI (node dist/autodl.cjs) against a loopback server that
// answers the recorded private-cloud shapes: a system image with cuda_v 0 (no private image at
// all) passes validate and the image check and is created; a create refused by the platform
// (GpuStockReqNum while the stock shows idle cards) names the platform's reason per attempt
// and in the submission_error.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, writeConfig, assertTokenNeverPrinted } from '../cli/helpers.js';
import { corpusServer } from './helpers.js';

const TOKEN = 'contract-flow-token-7f3a9c2e41';
const closers: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(closers.map((c) => c()));
  assertTokenNeverPrinted(TOKEN);
});

const SYSTEM_IMAGE = 'base-image-14e83aa2cfa7'; // in private/system-image-list.json

function config(name: string): string {
  return writeConfig(`${name}.json`, {
    name,
    deployment_type: 'Job',
    replica_num: 1,
    parallelism_num: 1,
    container_template: {
      gpu_name_set: ['NVIDIA GeForce RTX 4090'],
      gpu_num: 1,
      cuda_v: 0,
      cpu_num_from: 1,
      cpu_num_to: 100,
      memory_size_from: 1,
      memory_size_to: 256,
      price_from: 100,
      price_to: 9000,
      image_uuid: SYSTEM_IMAGE,
      cmd: 'sleep 30',
    },
  });
}

async function server(createFile: string | { json: unknown }) {
  const srv = await corpusServer({
    'POST /api/v1/dev/image/private/list': 'private/image-private-list-empty.json',
    'POST /api/v2/image/list': 'private/system-image-list.json',
    'GET /api/v1/dev/machine/gpu_stock': 'private/gpu-stock.json',
    'POST /api/v1/dev/deployment': createFile,
    // lookups by name before a second create: the recorded list, which holds no deployment of ours
    'POST /api/v1/dev/deployment/list': 'private/deployment-list.json',
  });
  closers.push(srv.close);
  return srv;
}

const env = (url: string) => ({ env: { AUTODL_HOST: url, AUTODL_TOKEN: TOKEN, AUTODL_DIALECT: 'private' } });

describe('submit against the recorded private-cloud shapes', () => {
  test('validate accepts cuda_v 0 with a system image', async () => {
    const r = await runCli(['validate', config('flow-validate'), '--json'], { env: { AUTODL_DIALECT: 'private' } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  test('a system image and cuda_v 0: image check passes on the system list, the create sends cuda_v 0', async () => {
    const srv = await server('private/create.json');
    const r = await runCli(['submit', config('flow-ok'), '--interval', '0.05', '--json'], env(srv.url));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as { status: string; deployment_uuid: string };
    assert.equal(out.status, 'success');
    assert.equal(out.deployment_uuid, '833f1cd5a764fa3');
    const creates = srv.seen.filter((s) => s.method === 'POST' && s.path === '/api/v1/dev/deployment');
    assert.equal(creates.length, 1);
    const tpl = (creates[0]!.body as { container_template: Record<string, unknown> }).container_template;
    assert.equal(tpl.cuda_v, 0);
    assert.equal(tpl.image_uuid, SYSTEM_IMAGE);
    assert.ok(srv.seen.some((s) => s.path === '/api/v2/image/list'), 'the system list was read');
  });

  test('refused while the stock shows idle cards: the platform\'s reason per attempt and in submission_error', async () => {
    const srv = await server('private/create-error-quota.json');
    const r = await runCli(['submit', config('flow-quota'), '--interval', '0.05', '--json'], env(srv.url));
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as { error_type: string; message: string; details: Record<string, unknown> };
    assert.equal(out.error_type, 'submission_error');
    assert.match(out.message, /GpuStockReqNum/);
    assert.match(out.message, /stock is only a hint/);
    const pr = out.details.platform_reason as { code: string; msg: string; kind: string };
    assert.equal(pr.code, 'GpuStockReqNum');
    assert.equal(pr.kind, 'quota');
    assert.equal(typeof out.details.reason_hint, 'string');
    assert.equal(typeof out.details.suggestion, 'string', 'the contract field stays');
    // per attempt (NDJSON progress on stderr): the reason of each refusal
    const requeued = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; event?: { type: string; platform_reason?: { code: string } } })
      .filter((ev) => ev.type === 'event' && ev.event?.type === 'requeued');
    assert.equal(requeued.length, 2);
    assert.ok(requeued.every((ev) => ev.event!.platform_reason!.code === 'GpuStockReqNum'));
    assert.equal(srv.seen.filter((s) => s.method === 'POST' && s.path === '/api/v1/dev/deployment').length, 3);
  });

  test('a human terminal run names the platform\'s msg for each refusal', async () => {
    const srv = await server('private/create-error-quota.json');
    const r = await runCli(['submit', config('flow-quota-h'), '--interval', '0.05', '--no-json'], env(srv.url));
    assert.equal(r.code, 3);
    assert.match(r.stderr, /the platform refused the create: GPU数量额度不足：上限1，已使用1 \(code GpuStockReqNum\)/);
  });

  test('a hostile refusal (escape sequences, a huge msg) reaches the terminal escaped and bounded', async () => {
    const msg = `\u001b]0;owned\u0007\u001b[2J暂无库存${'x'.repeat(5000)}`;
    const srv = await server({ json: { code: 'Failed\u001b[31m', msg, data: null } });
    const r = await runCli(['submit', config('flow-hostile'), '--interval', '0.05', '--no-json'], env(srv.url));
    assert.equal(r.code, 3);
    const line = r.stderr.split('\n').find((l) => l.includes('the platform refused the create'));
    assert.ok(line, r.stderr);
    assert.equal(line.includes('\u001b]0;owned'), false);
    assert.equal(line.includes('\u001b[2J'), false);
    assert.ok(line.includes('暂无库存'));
    assert.ok(line.length < 1000, `bounded: ${line.length}`);
  });
});
