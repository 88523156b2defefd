import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { MAX_SUGGESTIONS, normalize, prepareSpec, validate, type ValidationIssue } from '../../src/pipeline/index.js';
import type { Dialect } from '../../src/api/types.js';
import { clone, expectErrorType, issuesOf, lineMatching, publicBody, SEED_BODY, tmpFile, type Json } from './helpers.js';

type Tpl = Json & { container_template: Json };

interface Rule {
  rule: string;
  dialect?: Dialect;
  base?: () => Json;
  mutate: (b: Tpl) => void;
  path: string;
  /** Key whose line the error should carry (the nearest existing one); undefined: no line expected. */
  lineKey?: string;
  /** Instead of lineKey: the line matching these (an array item's own line). */
  lineRe?: { json: RegExp; yaml: RegExp };
  message?: RegExp;
}

const rules: Rule[] = [
  { rule: 'wrong type (string count)', mutate: (b) => (b.container_template.gpu_num = '1'), path: 'container_template.gpu_num', lineKey: 'gpu_num' },
  { rule: 'wrong type (boolean)', mutate: (b) => (b.reuse_container = 'yes'), path: 'reuse_container', lineKey: 'reuse_container' },
  { rule: 'zero count', mutate: (b) => (b.container_template.gpu_num = 0), path: 'container_template.gpu_num', lineKey: 'gpu_num', message: /at least 1/ },
  { rule: 'negative count', mutate: (b) => (b.replica_num = -1), path: 'replica_num', lineKey: 'replica_num' },
  { rule: 'non-integer count', mutate: (b) => (b.replica_num = 1.5), path: 'replica_num', lineKey: 'replica_num', message: /whole/ },
  { rule: 'negative cpu floor', mutate: (b) => (b.container_template.cpu_num_from = -2), path: 'container_template.cpu_num_from', lineKey: 'cpu_num_from' },
  {
    rule: 'inverted cpu range',
    mutate: (b) => Object.assign(b.container_template, { cpu_num_from: 10, cpu_num_to: 2 }),
    path: 'container_template.cpu_num_from',
    lineKey: 'cpu_num_from',
    message: /inverted/,
  },
  {
    rule: 'inverted memory range',
    mutate: (b) => Object.assign(b.container_template, { memory_size_from: 64, memory_size_to: 32 }),
    path: 'container_template.memory_size_from',
    lineKey: 'memory_size_from',
    message: /inverted/,
  },
  {
    rule: 'inverted price range',
    mutate: (b) => Object.assign(b.container_template, { price_from: 5000, price_to: 100 }),
    path: 'container_template.price_from',
    lineKey: 'price_from',
    message: /inverted/,
  },
  {
    rule: 'inverted cuda range',
    dialect: 'public',
    base: publicBody,
    mutate: (b) => Object.assign(b.container_template, { cuda_v_from: 122, cuda_v_to: 118 }),
    path: 'container_template.cuda_v_from',
    lineKey: 'cuda_v_from',
    message: /inverted/,
  },
  { rule: 'unknown deployment_type', mutate: (b) => (b.deployment_type = 'Deployment'), path: 'deployment_type', lineKey: 'deployment_type' },
  { rule: 'missing replica_num (ReplicaSet)', mutate: (b) => delete b.replica_num, path: 'replica_num', message: /required/ },
  {
    rule: 'missing replica_num (Job)',
    mutate: (b) => {
      b.deployment_type = 'Job';
      b.parallelism_num = 1;
      delete b.replica_num;
    },
    path: 'replica_num',
  },
  {
    rule: 'missing parallelism_num (Job)',
    mutate: (b) => (b.deployment_type = 'Job'),
    path: 'parallelism_num',
    message: /Job/,
  },
  {
    rule: 'parallelism_num > replica_num',
    mutate: (b) => Object.assign(b, { deployment_type: 'Job', replica_num: 2, parallelism_num: 3 }),
    path: 'parallelism_num',
    lineKey: 'parallelism_num',
    message: /greater than replica_num/,
  },
  { rule: 'unknown CUDA code', mutate: (b) => (b.container_template.cuda_v = 119), path: 'container_template.cuda_v', lineKey: 'cuda_v', message: /unknown CUDA code 119/ },
  { rule: 'CUDA code as a string', mutate: (b) => (b.container_template.cuda_v = '118'), path: 'container_template.cuda_v', lineKey: 'cuda_v' },
  { rule: 'missing CUDA (private)', mutate: (b) => delete b.container_template.cuda_v, path: 'container_template.cuda_v', lineKey: 'container_template', message: /required/ },
  { rule: 'unreadable cuda version', mutate: (b) => Object.assign(b.container_template, { cuda_v: undefined, cuda: 'eleven' }), path: 'container_template.cuda', lineKey: 'cuda' },
  {
    rule: 'cuda together with cuda_v',
    mutate: (b) => (b.container_template.cuda = '11.8'),
    path: 'container_template.cuda',
    lineKey: 'cuda',
    message: /once/,
  },
  { rule: 'empty gpu_name_set', mutate: (b) => (b.container_template.gpu_name_set = []), path: 'container_template.gpu_name_set', lineKey: 'gpu_name_set' },
  { rule: 'blank gpu name', mutate: (b) => (b.container_template.gpu_name_set = ['RTX 4090', '']), path: 'container_template.gpu_name_set[1]', lineRe: { json: /^\s*""$/, yaml: /^\s*- ""$/ } },
  { rule: 'empty cmd', mutate: (b) => (b.container_template.cmd = '   '), path: 'container_template.cmd', lineKey: 'cmd', message: /empty/ },
  { rule: 'missing cmd', mutate: (b) => delete b.container_template.cmd, path: 'container_template.cmd', lineKey: 'container_template', message: /missing/ },
  { rule: 'missing image_uuid', mutate: (b) => delete b.container_template.image_uuid, path: 'container_template.image_uuid', lineKey: 'container_template', message: /missing/ },
  { rule: 'image name instead of uuid', mutate: (b) => (b.container_template.image_uuid = 'my image'), path: 'container_template.image_uuid', lineKey: 'image_uuid' },
  // Name rule (our documented choice): not blank, ≤ 64 characters, no control characters.
  { rule: 'name with a newline', mutate: (b) => (b.name = 'a\nb'), path: 'name', lineKey: 'name', message: /control/ },
  { rule: 'name too long (65 chars)', mutate: (b) => (b.name = 'n'.repeat(65)), path: 'name', lineKey: 'name', message: /64/ },
  { rule: 'blank name', mutate: (b) => (b.name = '  '), path: 'name', lineKey: 'name', message: /blank/ },
  { rule: 'missing name', mutate: (b) => delete b.name, path: 'name' },
  { rule: 'price not integer milli-yuan', mutate: (b) => (b.container_template.price_to = 0.5), path: 'container_template.price_to', lineKey: 'price_to', message: /milli-yuan/ },
  { rule: 'bad reuse_container_scope', mutate: (b) => (b.reuse_container_scope = 'everything'), path: 'reuse_container_scope', lineKey: 'reuse_container_scope' },
  {
    rule: 'bad service port protocol',
    mutate: (b) => (b.container_template.service_6006_port_protocol = 'udp'),
    path: 'container_template.service_6006_port_protocol',
    lineKey: 'service_6006_port_protocol',
  },
  {
    rule: 'public dialect without dc_list',
    dialect: 'public',
    base: publicBody,
    mutate: (b) => delete b.container_template.dc_list,
    path: 'container_template.dc_list',
    lineKey: 'container_template',
  },
  {
    rule: 'public dialect with empty dc_list',
    dialect: 'public',
    base: publicBody,
    mutate: (b) => (b.container_template.dc_list = []),
    path: 'container_template.dc_list',
    lineKey: 'dc_list',
  },
  { rule: 'unknown top-level key (typo)', mutate: (b) => (b.replicas = 2), path: 'replicas', lineKey: 'replicas', message: /replica_num/ },
  { rule: 'unknown template key (typo)', mutate: (b) => (b.container_template.gpu_nmu = 2), path: 'container_template.gpu_nmu', lineKey: 'gpu_nmu', message: /gpu_num/ },
  { rule: 'container_template not an object', mutate: (b) => (b.container_template = 'x' as unknown as Json), path: 'container_template', lineKey: 'container_template' },
  { rule: 'bad sweep block', mutate: (b) => (b.sweep = { lr: [] }), path: 'sweep.lr', lineKey: 'lr' },
];

function keyLine(text: string, key: string, format: 'json' | 'yaml'): number {
  const k = key.replace(/[$]/g, '\\$&');
  return lineMatching(text, format === 'json' ? new RegExp(`^\\s*"${k}":`) : new RegExp(`^\\s*(- )?${k}:`));
}

function find(issues: ValidationIssue[], path: string): ValidationIssue {
  const hit = issues.find((i) => i.path === path);
  assert.ok(hit, `no error at ${path}; got ${JSON.stringify(issues)}`);
  return hit;
}

describe('validate: the original and public forms pass', () => {
  it('the original skill body passes unchanged (private dialect)', () => {
    const r = prepareSpec(clone(SEED_BODY), { dialect: 'private' });
    assert.deepEqual(r.body, SEED_BODY);
    assert.deepEqual(r.warnings, []);
    const n = normalize(clone(SEED_BODY), { dialect: 'private' });
    assert.deepEqual(validate(n), SEED_BODY);
  });
  it('the original skill body passes from a JSON file and a YAML file', () => {
    const j = prepareSpec(tmpFile('seed.json', JSON.stringify(SEED_BODY, null, 2)), { dialect: 'private' });
    const y = prepareSpec(tmpFile('seed.yaml', stringify(SEED_BODY)), { dialect: 'private' });
    assert.deepEqual(j.body, SEED_BODY);
    assert.deepEqual(y.body, SEED_BODY);
    assert.equal(y.source?.format, 'yaml');
  });
  it('the public form passes unchanged (public dialect)', () => {
    const b = publicBody();
    const r = prepareSpec(clone(b), { dialect: 'public' });
    assert.deepEqual(r.body, b);
    assert.deepEqual(r.warnings, []);
  });
  it('a Container needs no replica_num, a Job with both counts passes', () => {
    const c = clone(SEED_BODY) as Json;
    c.deployment_type = 'Container';
    delete c.replica_num;
    assert.equal(prepareSpec(c, { dialect: 'private' }).body.deployment_type, 'Container');
    const j = clone(SEED_BODY) as Json;
    Object.assign(j, { deployment_type: 'Job', replica_num: 4, parallelism_num: 4 });
    assert.equal(prepareSpec(j, { dialect: 'private' }).body.parallelism_num, 4);
  });
  it('a 64-character name is accepted (the limit is inclusive)', () => {
    const b = clone(SEED_BODY) as Json;
    b.name = 'n'.repeat(64);
    assert.equal(prepareSpec(b, { dialect: 'private' }).body.name.length, 64);
  });
  it('$schema is allowed and stripped', () => {
    const b = { $schema: '../docs/deployment.schema.json', ...clone(SEED_BODY) };
    const r = prepareSpec(b, { dialect: 'private' });
    assert.equal('$schema' in r.body, false);
    assert.deepEqual(r.body, SEED_BODY);
  });
});

describe('validate: each rule fails with its path and line', () => {
  for (const r of rules) {
    const dialect = r.dialect ?? 'private';
    const make = () => {
      const b = (r.base ? r.base() : clone(SEED_BODY)) as Tpl;
      r.mutate(b);
      return b;
    };
    it(`${r.rule} (object)`, () => {
      const e = expectErrorType(() => prepareSpec(make(), { dialect }), 'validation_error');
      const hit = find(issuesOf(e), r.path);
      if (r.message) assert.match(hit.message, r.message);
      assert.equal(hit.line, undefined, 'no line without a file');
    });
    for (const format of ['json', 'yaml'] as const) {
      it(`${r.rule} (${format} file, line)`, () => {
        const b = make();
        const text = format === 'json' ? JSON.stringify(b, null, 2) : stringify(b);
        const file = tmpFile(`rule-${r.rule.replace(/\W+/g, '_')}.${format}`, text);
        const e = expectErrorType(() => prepareSpec(file, { dialect }), 'validation_error');
        assert.equal(e.details.path, file);
        const hit = find(issuesOf(e), r.path);
        if (r.lineRe) assert.equal(hit.line, lineMatching(text, r.lineRe[format]));
        else if (r.lineKey === undefined) assert.equal(hit.line, undefined);
        else assert.equal(hit.line, keyLine(text, r.lineKey, format), `line of ${r.path} in\n${text}`);
      });
    }
  }
});

describe('validate: every problem at once', () => {
  it('reports all problems in one error, sorted by line', () => {
    const text = [
      'name: "a\\nb"',
      'deployment_type: Job',
      'replica_num: 0',
      'parallelism_num: 1.5',
      'reuse_container_scope: nope',
      'container_template:',
      '  gpu_name_set: []',
      '  gpu_num: -1',
      '  cuda_v: 119',
      '  cpu_num_from: 10',
      '  cpu_num_to: 2',
      '  cmd: ""',
      '  gpu_nmu: 3',
      '  service_6008_port_protocol: udp',
      '',
    ].join('\n');
    const e = expectErrorType(() => prepareSpec(tmpFile('many.yaml', text), { dialect: 'private' }), 'validation_error');
    const issues = issuesOf(e);
    const paths = issues.map((i) => i.path);
    for (const p of [
      'name',
      'replica_num',
      'parallelism_num',
      'reuse_container_scope',
      'container_template.gpu_name_set',
      'container_template.gpu_num',
      'container_template.cuda_v',
      'container_template.cpu_num_from',
      'container_template.cmd',
      'container_template.gpu_nmu',
      'container_template.service_6008_port_protocol',
      'container_template.image_uuid',
    ]) {
      assert.ok(paths.includes(p), `missing ${p} in ${paths.join(', ')}`);
    }
    const lines = issues.map((i) => i.line ?? Infinity);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
    assert.match(e.message, new RegExp(`${issues.length} problems`));
    assert.equal(e.exitCode, 1);
  });
  it('a non-object raw config is a validation_error', () => {
    for (const raw of [null, 3, 'x', [1]]) {
      const e = expectErrorType(() => validate(normalize(raw, { dialect: 'private' })), 'validation_error');
      assert.equal(issuesOf(e)[0]?.path, '');
    }
  });
});

describe('unknown fields in bulk (issue 14, §7)', () => {
  it('every unknown field is reported; only the first MAX_SUGGESTIONS get a "did you mean" search', () => {
    const b = clone(SEED_BODY) as Tpl;
    const n = MAX_SUGGESTIONS + 20;
    // each one a near-miss of replica_num, so each would get a suggestion without the bound
    for (let i = 0; i < n; i++) b[`replica_nu${String.fromCharCode(97 + (i % 26))}${i}`] = 1;
    const unknown = issuesOf(expectErrorType(() => validate(normalize(b, { dialect: 'private' })), 'validation_error')).filter((x) => /unknown field/.test(x.message));
    assert.equal(unknown.length, n);
    assert.equal(unknown.filter((x) => /did you mean "replica_num"/.test(x.message)).length, MAX_SUGGESTIONS);
    assert.match(unknown[0]!.message, /did you mean "replica_num"/);
    assert.doesNotMatch(unknown[n - 1]!.message, /did you mean/);
  });
});
