import { test, describe } from 'node:test';
import type { CreateDeploymentBody } from '../../src/api/types.js';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  AutodlClient,
  CUDA_CODES,
  dialectForHost,
  highestCudaAtLeast,
  normalizeStock,
  redact,
  redactDeep,
  toDialectBody,
} from '../../src/api/index.js';
import { AutodlError } from '../../src/errors.js';

const base = (ct: Record<string, unknown>): CreateDeploymentBody => ({
  name: 'job',
  deployment_type: 'Job',
  replica_num: 2,
  parallelism_num: 1,
  container_template: { gpu_name_set: ['RTX 4090'], gpu_num: 1, image_uuid: 'image-1', cmd: 'python a.py', ...ct },
});

describe('dialects', () => {
  test('host → dialect', () => {
    assert.equal(dialectForHost('https://api.autodl.com'), 'public');
    assert.equal(dialectForHost('https://API.autodl.com/'), 'public');
    assert.equal(dialectForHost('api.autodl.com'), 'public');
    assert.equal(dialectForHost('https://private.autodl.com'), 'private');
    assert.equal(dialectForHost('http://127.0.0.1:8080'), 'private');
    assert.equal(new AutodlClient({ token: 't', host: 'https://api.autodl.com' }).dialect, 'public');
    assert.equal(new AutodlClient({ token: 't', host: 'https://api.autodl.com', dialect: 'private' }).dialect, 'private');
    assert.equal(new AutodlClient({ token: 't' }).host, 'https://private.autodl.com');
  });

  test('private: cuda_v only; range and dc_list stripped; input untouched', () => {
    const input = base({ cuda_v_from: 118, cuda_v_to: 122, dc_list: ['westDC2'] });
    const snapshot = structuredClone(input);
    const out = toDialectBody(input, 'private');
    assert.deepEqual(out.container_template, {
      gpu_name_set: ['RTX 4090'],
      gpu_num: 1,
      image_uuid: 'image-1',
      cmd: 'python a.py',
      cuda_v: 118,
    });
    assert.deepEqual(input, snapshot);
    assert.equal(out.name, 'job');
    assert.equal(out.replica_num, 2);
    assert.equal(toDialectBody(base({ cuda_v: 120, cuda_v_from: 111 }), 'private').container_template.cuda_v, 120);
  });

  test('public: range from cuda_v (to = highest known), dc_list required', () => {
    const out = toDialectBody(base({ cuda_v: 118, dc_list: ['westDC2', 'beijingDC1'] }), 'public');
    const ct = out.container_template as unknown as Record<string, unknown>;
    assert.equal(ct.cuda_v_from, 118);
    assert.equal(ct.cuda_v_to, Math.max(...CUDA_CODES));
    assert.deepEqual(ct.dc_list, ['westDC2', 'beijingDC1']);
    assert.equal('cuda_v' in ct, false);
    const ranged = toDialectBody(base({ cuda_v_from: 113, cuda_v_to: 118, dc_list: ['westDC2'] }), 'public');
    assert.equal(ranged.container_template.cuda_v_from, 113);
    assert.equal(ranged.container_template.cuda_v_to, 118);
    for (const dc of [undefined, []]) {
      assert.throws(
        () => toDialectBody(base({ cuda_v: 118, dc_list: dc }), 'public'),
        (e: unknown) =>
          e instanceof AutodlError &&
          e.errorType === 'validation_error' &&
          Array.isArray(e.details.errors) &&
          (e.details.errors as Array<{ path: string }>)[0]!.path === 'container_template.dc_list',
      );
    }
  });

  test('highestCudaAtLeast: ≥ from, and a known code when one is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 200 }), (from) => {
        const to = highestCudaAtLeast(from);
        assert.ok(to >= from);
        if (from <= Math.max(...CUDA_CODES)) assert.ok((CUDA_CODES as readonly number[]).includes(to));
      }),
    );
  });

  test('prepare: create body in the client dialect, GET as query, token hidden', () => {
    const pub = new AutodlClient({ token: 'secret-token-xyz', host: 'https://api.autodl.com' });
    const p = pub.prepare('createDeployment', base({ cuda_v: 118, dc_list: ['westDC2'] }));
    assert.equal(p.method, 'POST');
    assert.equal(p.url, 'https://api.autodl.com/api/v1/dev/deployment');
    assert.deepEqual(p.headers, { Authorization: '***', 'Content-Type': 'application/json' });
    const ct = (p.body as { container_template: Record<string, unknown> }).container_template;
    assert.equal(ct.cuda_v_from, 118);
    assert.ok(!JSON.stringify(p).includes('secret-token-xyz'));
    const priv = new AutodlClient({ token: 'secret-token-xyz' });
    const q = priv.prepare('ddpOverview', undefined, { deployment_uuid: 'd 1' });
    assert.equal(q.method, 'GET');
    assert.equal(q.url, 'https://private.autodl.com/api/v1/dev/deployment/ddp/overview?deployment_uuid=d+1');
    assert.equal(q.body, undefined);
    const q2 = priv.prepare('ddpOverview', { deployment_uuid: 'abc' });
    assert.match(q2.url, /\?deployment_uuid=abc$/);
    assert.equal(q2.body, undefined);
    const pc = priv.prepare('createDeployment', base({ cuda_v_from: 117, cuda_v_to: 122, dc_list: ['x'] }));
    assert.deepEqual(Object.keys((pc.body as { container_template: object }).container_template).sort(), ['cmd', 'cuda_v', 'gpu_name_set', 'gpu_num', 'image_uuid']);
    assert.equal(priv.prepare('deleteDeployment', { deployment_uuid: 'd' }).method, 'DELETE');
    assert.throws(() => pub.prepare('createDeployment', base({ cuda_v: 118 })), AutodlError);
  });
});

describe('normalizeStock', () => {
  test('private shape (object keyed by GPU name)', () => {
    assert.deepEqual(
      normalizeStock({ 'RTX 4090': { idle_gpu_num: 3, total_gpu_num: 8 }, 'RTX 3090': { idle_gpu_num: 0, total_gpu_num: 4 } }),
      { 'RTX 4090': { idle: 3, total: 8 }, 'RTX 3090': { idle: 0, total: 4 } },
    );
  });
  test('public shape (array of one-key objects); duplicates add up', () => {
    assert.deepEqual(
      normalizeStock([
        { 'NVIDIA GeForce RTX 4090': { idle_gpu_num: 1, total_gpu_num: 2 } },
        { A800: { idle_gpu_num: 5, total_gpu_num: 5 } },
        { A800: { idle_gpu_num: 1, total_gpu_num: 3 } },
      ]),
      { 'NVIDIA GeForce RTX 4090': { idle: 1, total: 2 }, A800: { idle: 6, total: 8 } },
    );
  });
  test('garbage in → no crash, no NaN, no prototype pollution', () => {
    for (const junk of [null, undefined, 42, 'x', [null, 1, 'a', []], { a: null, b: [1], c: { idle_gpu_num: 'NaN' } }]) {
      const s = normalizeStock(junk);
      for (const v of Object.values(s)) {
        assert.ok(Number.isFinite(v.idle) && Number.isFinite(v.total));
      }
    }
    const polluted = normalizeStock(JSON.parse('{"__proto__": {"idle_gpu_num": 1, "total_gpu_num": 1}}'));
    assert.deepEqual(Object.keys(polluted), []);
    assert.equal(({} as Record<string, unknown>).idle, undefined);
  });
  test('both shapes agree on any stock (property)', () => {
    const item = fc.record({ idle_gpu_num: fc.nat(100), total_gpu_num: fc.nat(100) });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }).filter((k) => k !== '__proto__'), item), (priv) => {
        const pub = Object.entries(priv).map(([k, v]) => ({ [k]: v }));
        assert.deepEqual(normalizeStock(pub), normalizeStock(priv));
        assert.equal(Object.keys(normalizeStock(priv)).length, Object.keys(priv).length);
      }),
    );
  });
});

describe('redact', () => {
  test('replaces raw, URL-encoded and JSON-escaped forms', () => {
    const s = 'ab/c"d+e f';
    assert.equal(redact(`x ${s} y`, [s]), 'x *** y');
    assert.equal(redact(`q=${encodeURIComponent(s)}`, [s]), 'q=***');
    assert.equal(redact(JSON.stringify({ t: s }), [s]), '{"t":"***"}');
    assert.equal(redact('nothing here', [s, undefined, '']), 'nothing here');
    const deep = redactDeep({ a: [`t=${s}`], b: { [s]: 1 }, n: 3 }, [s]);
    assert.deepEqual(deep, { a: ['t=***'], b: { '***': 1 }, n: 3 });
    // a replacement that completes a new occurrence is replaced too
    assert.equal(redact('aa***', ['a***']), '***');
  });
  test('property: the secret never survives', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4, maxLength: 20 }), fc.string(), fc.string(), (secret, a, b) => {
        assert.ok(!redact(a + secret + b + secret, [secret]).includes(secret));
      }),
    );
  });
});
