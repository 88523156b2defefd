import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HIGHEST_CUDA_CODE, normalize, prepareSpec, resolveCuda } from '../../src/pipeline/index.js';
import { CUDA_CODES } from '../../src/api/types.js';
import { clone, publicBody, SEED_BODY, type Json } from './helpers.js';

type Tpl = Json & { container_template: Json };
const seed = () => clone(SEED_BODY) as Tpl;

describe('resolveCuda', () => {
  it('picks the smallest known code not below the version', () => {
    const cases: Array<[unknown, number, boolean]> = [
      ['11.8', 118, true],
      [11.8, 118, true],
      ['12.1', 122, false],
      ['12', 120, true],
      [12, 120, true],
      ['11.0', 111, false],
      ['11.8.0', 118, true],
      ['CUDA 12.4', 124, true],
      [' 11.7 ', 117, true],
      [118, 118, true],
      ['9.0', 111, false],
    ];
    for (const [input, code, exact] of cases) {
      const r = resolveCuda(input);
      assert.ok(r.ok, `${String(input)}: ${r.ok ? '' : r.message}`);
      assert.equal(r.code, code, String(input));
      assert.equal(r.exact, exact, String(input));
    }
  });
  it('every result is a known code and not below the request', () => {
    for (let major = 10; major <= 12; major++) {
      for (let minor = 0; minor <= 9; minor++) {
        const r = resolveCuda(`${major}.${minor}`);
        if (!r.ok) continue;
        assert.ok((CUDA_CODES as readonly number[]).includes(r.code));
        assert.ok(r.code >= major * 10 + minor);
      }
    }
  });
  it('refuses what it cannot read or what is above every code', () => {
    for (const bad of ['abc', '', '11.8a', null, true, [], {}, -1, 119, '13.5', 99.9]) {
      assert.equal(resolveCuda(bad).ok, false, JSON.stringify(bad));
    }
  });
});

describe('normalize: CUDA forms', () => {
  it('cuda "11.8" → cuda_v 118 (private), no warning when exact', () => {
    const b = seed();
    delete b.container_template.cuda_v;
    b.container_template.cuda = '11.8';
    const r = prepareSpec(b, { dialect: 'private' });
    assert.equal((r.body.container_template as unknown as Json).cuda_v, 118);
    assert.equal('cuda' in r.body.container_template, false);
    assert.deepEqual(r.warnings, []);
  });
  it('cuda 12.1 → 122 with a rounding warning', () => {
    const b = seed();
    delete b.container_template.cuda_v;
    b.container_template.cuda = 12.1;
    const n = normalize(b, { dialect: 'private' });
    assert.equal((n.body.container_template as Json).cuda_v, 122);
    assert.deepEqual(
      n.warnings.map((w) => [w.code, w.path]),
      [['cuda_rounded_up', 'container_template.cuda']],
    );
  });
  it('cuda "11.8" → cuda_v_from 118 / cuda_v_to highest (public)', () => {
    const b = publicBody() as Tpl;
    delete b.container_template.cuda_v_from;
    delete b.container_template.cuda_v_to;
    b.container_template.cuda = '11.8';
    const r = prepareSpec(b, { dialect: 'public' });
    const t = r.body.container_template as unknown as Json;
    assert.equal(t.cuda_v_from, 118);
    assert.equal(t.cuda_v_to, HIGHEST_CUDA_CODE);
    assert.equal('cuda_v' in t, false);
  });
  it('private dialect given a range → cuda_v = cuda_v_from, with a warning', () => {
    const b = publicBody() as Tpl;
    const r = prepareSpec(b, { dialect: 'private' });
    const t = r.body.container_template as unknown as Json;
    assert.equal(t.cuda_v, 118);
    assert.equal('cuda_v_from' in t, false);
    assert.equal('cuda_v_to' in t, false);
    assert.equal('dc_list' in t, false, 'dc_list dropped for the private dialect');
    const codes = r.warnings.map((w) => w.code);
    assert.ok(codes.includes('cuda_range_converted'), codes.join());
    assert.ok(codes.includes('dc_list_dropped'), codes.join());
  });
  it('public dialect given cuda_v → from = cuda_v, to = highest known, with a warning', () => {
    const b = seed();
    b.container_template.dc_list = ['westDC2'];
    const r = prepareSpec(b, { dialect: 'public' });
    const t = r.body.container_template as unknown as Json;
    assert.equal(t.cuda_v_from, 118);
    assert.equal(t.cuda_v_to, HIGHEST_CUDA_CODE);
    assert.equal('cuda_v' in t, false);
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ['cuda_v_converted'],
    );
    assert.equal(r.warnings[0]?.path, 'container_template.cuda_v');
  });
  it('both forms: the dialect’s own form wins, the other is dropped with a warning', () => {
    const b = publicBody() as Tpl;
    b.container_template.cuda_v = 120;
    const priv = normalize(clone(b), { dialect: 'private' });
    assert.equal((priv.body.container_template as Json).cuda_v, 120);
    assert.deepEqual(priv.warnings.map((w) => w.code).filter((c) => c.startsWith('cuda')), ['cuda_range_dropped']);
    const pub = normalize(clone(b), { dialect: 'public' });
    assert.equal('cuda_v' in (pub.body.container_template as Json), false);
    assert.deepEqual(pub.warnings.map((w) => w.code), ['cuda_v_dropped']);
  });
  it('public: cuda_v_from alone is completed to the highest code', () => {
    const b = publicBody() as Tpl;
    delete b.container_template.cuda_v_to;
    const r = prepareSpec(b, { dialect: 'public' });
    assert.equal((r.body.container_template as unknown as Json).cuda_v_to, HIGHEST_CUDA_CODE);
    assert.deepEqual(r.warnings.map((w) => w.code), ['cuda_range_completed']);
  });
  it('does not mutate its input', () => {
    const b = publicBody();
    const before = clone(b);
    normalize(b, { dialect: 'private' });
    assert.deepEqual(b, before);
  });
});

describe('normalize: sweep and extra keys', () => {
  it('sets the sweep block aside, values as strings', () => {
    const b = { ...seed(), name: 'run-{{lr}}', sweep: { lr: [0.1, '0.01'], flag: [true] } };
    const n = normalize(b, { dialect: 'private' });
    assert.deepEqual(n.sweep, { lr: ['0.1', '0.01'], flag: ['true'] });
    assert.equal('sweep' in n.body, false);
  });
  it('keeps unknown keys for validation (typo protection) and strips $schema', () => {
    const n = normalize({ ...seed(), $schema: 'x', colour: 'red' }, { dialect: 'private' });
    assert.equal('$schema' in n.body, false);
    assert.equal(n.body.colour, 'red');
  });
  it('an own "__proto__" key is kept as a key (and reported), not used as a prototype', () => {
    const raw = JSON.parse(`{"__proto__": {"polluted": 1}, "name": "x"}`) as Json;
    const n = normalize(raw, { dialect: 'private' });
    assert.equal(Object.getPrototypeOf(n.body), Object.prototype);
    assert.ok(Object.prototype.hasOwnProperty.call(n.body, '__proto__'));
    assert.equal(({} as Json).polluted, undefined);
  });
});
