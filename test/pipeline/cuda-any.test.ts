// cuda_v: 0 = "no CUDA constraint" (recorded: the console sends it with a system image; B, Be),
// in a config of either dialect, through validation and into the create body each dialect sends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prepareSpec, resolveCuda } from '../../src/pipeline/index.js';
import { toDialectBody } from '../../src/api/dialect.js';
import { HIGHEST_CUDA_CODE } from '../../src/pipeline/cuda.js';
import { clone, SEED_BODY, type Json } from './helpers.js';

function withTemplate(patch: Json, drop: string[] = ['cuda_v']): Json {
  const b = clone(SEED_BODY) as Json & { container_template: Json };
  for (const k of drop) delete b.container_template[k];
  Object.assign(b.container_template, { image_uuid: 'base-image-14e83aa2cfa7', ...patch });
  return b;
}

const tpl = (r: { body: { container_template: unknown } }) => r.body.container_template as Json;

describe('cuda_v 0: no CUDA constraint', () => {
  it('private: cuda_v 0 with a system image validates and is sent as cuda_v 0', () => {
    const r = prepareSpec(withTemplate({ cuda_v: 0 }), { dialect: 'private' });
    assert.equal(tpl(r).cuda_v, 0);
    assert.equal(tpl(r).image_uuid, 'base-image-14e83aa2cfa7');
    const sent = toDialectBody(r.body, 'private');
    assert.equal(sent.container_template.cuda_v, 0);
    assert.equal('cuda_v_from' in sent.container_template, false);
  });

  it('public: cuda_v 0 becomes cuda_v_from 0 (no lower bound) and cuda_v_to the highest known code', () => {
    const r = prepareSpec(withTemplate({ cuda_v: 0, dc_list: ['westDC2'] }), { dialect: 'public' });
    assert.equal(tpl(r).cuda_v_from, 0);
    assert.equal(tpl(r).cuda_v_to, HIGHEST_CUDA_CODE);
    assert.equal('cuda_v' in tpl(r), false);
    const sent = toDialectBody(r.body, 'public');
    assert.equal(sent.container_template.cuda_v_from, 0);
    assert.equal(sent.container_template.cuda_v_to, HIGHEST_CUDA_CODE);
  });

  it('public: an explicit cuda_v_from 0 / cuda_v_to 0 range is accepted and passed through', () => {
    const r = prepareSpec(withTemplate({ cuda_v_from: 0, cuda_v_to: 0, dc_list: ['westDC2'] }), { dialect: 'public' });
    assert.equal(tpl(r).cuda_v_from, 0);
    assert.equal(tpl(r).cuda_v_to, 0);
  });

  it('cuda: "any" / "none" / 0 (the convenience form) → cuda_v 0 (private), 0..highest (public)', () => {
    for (const any of ['any', 'none', 0, '0', ' ANY ']) {
      const p = prepareSpec(withTemplate({ cuda: any }), { dialect: 'private' });
      assert.equal(tpl(p).cuda_v, 0, String(any));
      assert.deepEqual(p.warnings, [], String(any));
      const q = prepareSpec(withTemplate({ cuda: any, dc_list: ['westDC2'] }), { dialect: 'public' });
      assert.equal(tpl(q).cuda_v_from, 0, String(any));
      assert.equal(tpl(q).cuda_v_to, HIGHEST_CUDA_CODE, String(any));
    }
    assert.deepEqual(resolveCuda('any'), { ok: true, code: 0, exact: true, version: 'any' });
  });

  it('other unknown codes are still refused (0 is the only addition)', () => {
    for (const bad of [1, 100, 119, -1]) {
      assert.throws(
        () => prepareSpec(withTemplate({ cuda_v: bad }), { dialect: 'private' }),
        (e: unknown) => (e as { errorType?: string }).errorType === 'validation_error',
        String(bad),
      );
    }
  });
});
