import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutodlError, type ErrorType } from '../../src/errors.js';
import type { ValidationIssue } from '../../src/pipeline/index.js';

/** The create body of the original skill's SKILL.md, verbatim. */
export const SEED_BODY = {
  name: 'my-deployment',
  deployment_type: 'ReplicaSet',
  replica_num: 2,
  reuse_container: true,
  container_template: {
    gpu_name_set: ['RTX 4090'],
    gpu_num: 1,
    cuda_v: 118,
    cpu_num_from: 1,
    cpu_num_to: 100,
    memory_size_from: 1,
    memory_size_to: 256,
    cmd: 'cd /root && python app.py',
    price_from: 100,
    price_to: 9000,
    image_uuid: 'image-xxxxxxxxxx',
  },
};

export type Json = Record<string, unknown>;

export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** The seed body in the public dialect's form. */
export function publicBody(): Json {
  const b = clone(SEED_BODY) as Json & { container_template: Json };
  delete b.container_template.cuda_v;
  b.container_template.cuda_v_from = 118;
  b.container_template.cuda_v_to = 122;
  b.container_template.dc_list = ['westDC2', 'beijingDC1'];
  return b;
}

let dir: string | undefined;
export function tmpFile(name: string, content: string | Buffer): string {
  dir ??= mkdtempSync(join(tmpdir(), 'autodl-spec-test-'));
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

export function catchError(fn: () => unknown): AutodlError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AutodlError, `expected AutodlError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error, none was thrown');
}

export function expectErrorType(fn: () => unknown, type: ErrorType): AutodlError {
  const e = catchError(fn);
  assert.equal(e.errorType, type, `error_type: ${e.errorType}: ${e.message}`);
  return e;
}

export function issuesOf(e: AutodlError): ValidationIssue[] {
  assert.equal(e.errorType, 'validation_error', e.message);
  const errors = e.details.errors;
  assert.ok(Array.isArray(errors), 'details.errors is a list');
  return errors as ValidationIssue[];
}

/** 1-based line of the first line matching re. */
export function lineMatching(text: string, re: RegExp): number {
  const idx = text.split('\n').findIndex((l) => re.test(l));
  assert.ok(idx >= 0, `no line matches ${re}`);
  return idx + 1;
}
