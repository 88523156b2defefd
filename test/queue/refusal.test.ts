// The platform's own reason for a refused create (src/queue/refusal.ts): kind, text, bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors.js';
import { platformReason, reasonHint, reasonText, refusalKind } from '../../src/queue/refusal.js';

const refused = (code: string | undefined, msg: string | undefined, httpStatus?: number) =>
  new ApiError('refused', { kind: 'envelope', method: 'POST', path: '/api/v1/dev/deployment', ...(code !== undefined ? { code } : {}), ...(msg !== undefined ? { msg } : {}), ...(httpStatus !== undefined ? { httpStatus } : {}) });

test('kinds: 暂无库存 → no_stock; GpuStockReqNum / 额度 → quota; anything else → other', () => {
  assert.equal(refusalKind('Failed', '暂无库存'), 'no_stock');
  assert.equal(refusalKind(undefined, 'no GPU stock in westDC2'), 'no_stock');
  assert.equal(refusalKind('GpuStockReqNum', 'whatever'), 'quota');
  assert.equal(refusalKind('BadRequest', 'GPU额度上限1，已使用1'), 'quota');
  assert.equal(refusalKind('RecordNotFoundError', '私有镜像不存在'), 'other');
});

test('platformReason: code, msg, http status (not 200); none for a non-API error', () => {
  assert.deepEqual(platformReason(refused('GpuStockReqNum', '额度不足')), { kind: 'quota', code: 'GpuStockReqNum', msg: '额度不足' });
  assert.deepEqual(platformReason(refused(undefined, undefined, 503)), { kind: 'other', http_status: 503 });
  assert.equal(platformReason(new Error('boom')), undefined);
  assert.equal(reasonText({ kind: 'no_stock', code: 'Failed', msg: '暂无库存' }), '暂无库存 (code Failed)');
  assert.match(reasonHint({ kind: 'no_stock' }), /stock is only a hint/);
  assert.match(reasonHint({ kind: 'quota' }), /quota/);
});

test('hostile text: control characters replaced, secrets masked, length bounded', () => {
  const r = platformReason(refused('X\u001b[31m', `\u001b]0;t\u0007token=abcdef123456 ${'y'.repeat(1000)}`))!;
  assert.equal(/[\u0000-\u001f]/.test(r.code! + r.msg!), false);
  assert.equal(r.msg!.includes('abcdef123456'), false);
  assert.ok(r.msg!.length <= 301);
});
