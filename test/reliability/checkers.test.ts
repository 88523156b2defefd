// The reliability suite's own checkers: a checker that never fires would make its figures vacuous.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasStackTrace, notCleanError, percentile, type ProcResult } from '../../reliability/lib.js';
import { scanFile, scanText } from '../../reliability/report.js';
import { generateCases } from '../../reliability/bad-input.js';

const proc = (o: Partial<ProcResult>): ProcResult => ({ code: 1, signal: null, stdout: '', stderr: '', timedOut: false, ms: 1, ...o });
const err = (type: string, extra: Record<string, unknown> = {}) => JSON.stringify({ status: 'error', error_type: type, message: 'm', details: { errors: [{ path: 'x', message: 'y' }], ...extra } });

test('hasStackTrace finds node stack lines and error dumps, not ordinary text', () => {
  assert.ok(hasStackTrace('TypeError: x is undefined\n    at foo (/a/b.js:1:2)'));
  assert.ok(hasStackTrace('    at async Promise.all (index 0)\n    at run (file:///x.mjs:3:4)'));
  assert.ok(hasStackTrace('RangeError: Maximum call stack size exceeded'));
  assert.ok(hasStackTrace('at node:internal/process/task_queues:95:5'));
  assert.ok(!hasStackTrace('{"status":"error","message":"invalid YAML at line 3"}'));
  assert.ok(!hasStackTrace('waiting for GPUs at 12:00'));
});

test('notCleanError accepts the contract shape and rejects everything else', () => {
  assert.equal(notCleanError(proc({ stdout: err('validation_error') }), ['validation_error'], 1), undefined);
  assert.match(notCleanError(proc({ stdout: err('api_error') }), ['validation_error'], 1)!, /error_type/);
  assert.match(notCleanError(proc({ stdout: err('config_error'), code: 3 }), ['config_error'], 1)!, /exit 3/);
  assert.match(notCleanError(proc({ stdout: 'oops' }), ['config_error'], 1)!, /not one JSON/);
  assert.match(notCleanError(proc({ timedOut: true }), ['config_error'], 1)!, /hung/);
  assert.match(notCleanError(proc({ stdout: err('config_error'), stderr: 'Error: boom\n    at x (y.js:1:1)' }), ['config_error'], 1)!, /stack/);
  assert.match(notCleanError(proc({ stdout: JSON.stringify({ status: 'error', error_type: 'validation_error', message: 'm', details: {} }) }), ['validation_error'], 1)!, /errors/);
  assert.match(notCleanError(proc({ stdout: err('config_error'), stderr: 'plain text' }), ['config_error'], 1)!, /NDJSON/);
});

test('the secret search counts every occurrence, in text and in files', () => {
  assert.equal(scanText('a tok-123456 b tok-123456', ['tok-123456', 'none-xx']), 2);
  const dir = mkdtempSync(join(tmpdir(), 'rel-scan-'));
  try {
    const f = join(dir, 'x.db');
    writeFileSync(f, Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from('pw-abcdef'), Buffer.from([0xff])]));
    assert.equal(scanFile(f, ['pw-abcdef']), 1);
    assert.equal(scanFile(f, ['pw-zzzzzz']), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('percentile', () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile([7], 99), 7);
});

test('generated bad configs are deterministic and cover every kind', () => {
  const a = generateCases(300, 7);
  const b = generateCases(300, 7);
  assert.equal(a.length, 300);
  assert.deepEqual(a.map((c) => c.content.length), b.map((c) => c.content.length));
  const kinds = new Set(a.map((c) => c.kind));
  for (const k of ['wrong types', 'missing fields', 'NaN/Infinity', 'alias bombs', 'binary files', 'deep nesting', 'very large files', 'truncated files', 'anchors and merge keys']) assert.ok(kinds.has(k), k);
});
