import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { detectFormat, loadConfigFile, loadConfigText, MAX_CONFIG_BYTES, MAX_CONFIG_VALUES, MAX_YAML_DEPTH, prepareSpec } from '../../src/pipeline/index.js';
import { expectErrorType, SEED_BODY, tmpFile } from './helpers.js';

describe('loadConfigFile / loadConfigText', () => {
  it('loads JSON and YAML files to the same value', () => {
    const j = loadConfigFile(tmpFile('a.json', JSON.stringify(SEED_BODY, null, 2)));
    const y = loadConfigFile(
      tmpFile('a.yml', 'name: my-deployment\ndeployment_type: ReplicaSet\nreplica_num: 2\nreuse_container: true\ncontainer_template:\n  gpu_name_set: ["RTX 4090"]\n  gpu_num: 1\n  cuda_v: 118\n  cpu_num_from: 1\n  cpu_num_to: 100\n  memory_size_from: 1\n  memory_size_to: 256\n  cmd: cd /root && python app.py\n  price_from: 100\n  price_to: 9000\n  image_uuid: image-xxxxxxxxxx\n'),
    );
    assert.equal(j.format, 'json');
    assert.equal(y.format, 'yaml');
    assert.deepEqual(j.raw, SEED_BODY);
    assert.deepEqual(y.raw, SEED_BODY);
  });

  it('sniffs the format of an unknown extension', () => {
    assert.equal(detectFormat('  {"a":1}', 'x.conf'), 'json');
    assert.equal(detectFormat('a: 1', 'x.conf'), 'yaml');
    assert.equal(detectFormat('{"a":1}', 'x.yaml'), 'yaml');
    assert.equal(loadConfigFile(tmpFile('c.conf', '\uFEFF{"name": "x"}')).format, 'json');
    assert.equal(loadConfigFile(tmpFile('d.txt', 'name: x\n')).format, 'yaml');
  });

  it('maps field paths to lines (JSON)', () => {
    const text = '{\n  "name": "x",\n  "container_template": {\n    "gpu_name_set": [\n      "a",\n      "b"\n    ],\n    "gpu_num": 1\n  }\n}\n';
    const l = loadConfigText(text, { path: 'x.json' });
    assert.equal(l.lineOf(['name']), 2);
    assert.equal(l.lineOf(['container_template']), 3);
    assert.equal(l.lineOf(['container_template', 'gpu_name_set', 1]), 6);
    assert.equal(l.lineOf(['container_template', 'gpu_num']), 8);
    assert.equal(l.lineOf(['container_template', 'nope']), undefined);
  });

  it('maps field paths to lines (YAML)', () => {
    const text = '# comment\nname: x\ncontainer_template:\n  gpu_name_set:\n    - a\n    - b\n  gpu_num: 1\n';
    const l = loadConfigText(text, { path: 'x.yaml' });
    assert.equal(l.lineOf(['name']), 2);
    assert.equal(l.lineOf(['container_template', 'gpu_name_set', 1]), 6);
    assert.equal(l.lineOf(['container_template', 'gpu_num']), 7);
    assert.equal(l.lineOf(['missing']), undefined);
  });

  it('allows YAML merge keys and anchors', () => {
    const l = loadConfigText('base: &b\n  x: 1\n  y: 2\nother:\n  <<: *b\n  y: 3\n', { path: 'm.yaml' });
    assert.deepEqual(l.raw, { base: { x: 1, y: 2 }, other: { x: 1, y: 3 } });
  });

  it('refuses a YAML alias bomb', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    ].join('\n');
    const e = expectErrorType(() => loadConfigText(bomb, { path: 'bomb.yaml' }), 'config_error');
    assert.match(e.message, /alias/i);
  });

  it('config_error for a missing file, with the path', () => {
    const p = join(mkdtempSync(join(tmpdir(), 'autodl-spec-')), 'nope.json');
    const e = expectErrorType(() => loadConfigFile(p), 'config_error');
    assert.equal(e.details.path, p);
    assert.match(e.message, /not found/);
  });

  it('config_error for a directory', () => {
    const d = mkdtempSync(join(tmpdir(), 'autodl-spec-'));
    expectErrorType(() => loadConfigFile(d), 'config_error');
  });

  it('config_error for bad JSON, with line and column', () => {
    const p = tmpFile('bad.json', '{\n  "name": "x",\n  "gpu_num": ,\n}\n');
    const e = expectErrorType(() => loadConfigFile(p), 'config_error');
    assert.equal(e.details.path, p);
    assert.equal(e.details.line, 3);
    assert.equal(e.details.column, 14);
    assert.match(e.message, /line 3, column 14/);
  });

  it('config_error for truncated JSON, positioned at the end', () => {
    const text = '{\n  "name": "x",\n  "container_template": {\n    "gpu_num": 1';
    const e = expectErrorType(() => loadConfigText(text, { path: 't.json' }), 'config_error');
    assert.equal(e.details.line, 4);
    assert.equal(e.details.column, 17);
  });

  it('config_error for duplicate JSON keys and trailing garbage', () => {
    const e = expectErrorType(() => loadConfigText('{"a": 1,\n "a": 2}', { path: 'd.json' }), 'config_error');
    assert.equal(e.details.line, 2);
    expectErrorType(() => loadConfigText('{"a": 1} x', { path: 'g.json' }), 'config_error');
  });

  it('config_error for bad YAML, with line and column', () => {
    const e = expectErrorType(() => loadConfigText('name: x\ncontainer_template:\n  gpu_num: [1, 2\nnext: 3\n', { path: 'b.yaml' }), 'config_error');
    assert.equal(e.details.path, 'b.yaml');
    assert.equal(typeof e.details.line, 'number');
    assert.ok((e.details.line as number) >= 3);
    const dup = expectErrorType(() => loadConfigText('a: 1\nb: 2\na: 3\n', { path: 'dup.yaml' }), 'config_error');
    assert.equal(dup.details.line, 3);
  });

  it('config_error for binary content', () => {
    const e = expectErrorType(() => loadConfigFile(tmpFile('bin.json', Buffer.from([0x7b, 0x00, 0x01, 0xff, 0xfe]))), 'config_error');
    assert.match(e.message, /binary/);
    expectErrorType(() => loadConfigFile(tmpFile('latin1.yaml', Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]))), 'config_error');
    expectErrorType(() => loadConfigText('a: 1\u0000', { path: 'x.yaml' }), 'config_error');
  });

  it('config_error for a huge file', () => {
    const big = `{"name": "${'x'.repeat(MAX_CONFIG_BYTES)}"}`;
    const e = expectErrorType(() => loadConfigFile(tmpFile('huge.json', big)), 'config_error');
    assert.match(e.message, /larger than/);
    expectErrorType(() => loadConfigText(big, { path: 'huge.json' }), 'config_error');
  });

  it('config_error for empty files and non-object top levels', () => {
    for (const [name, text] of [
      ['empty.json', ''],
      ['blank.yaml', '  \n\n'],
      ['list.json', '[1, 2]'],
      ['scalar.yaml', 'just some words'],
      ['null.yaml', '~'],
      ['num.json', '42'],
      ['comment.yaml', '# only a comment\n'],
    ] as const) {
      expectErrorType(() => loadConfigFile(tmpFile(name, text)), 'config_error');
    }
  });

  it('config_error for deeply nested junk, never a crash', () => {
    expectErrorType(() => loadConfigText('['.repeat(100_000), { path: 'deep.json' }), 'config_error');
    expectErrorType(() => loadConfigText('{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}', { path: 'deep2.json' }), 'config_error');
    const yamlDeep = `a: ${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    let threw: unknown;
    try {
      loadConfigText(yamlDeep, { path: 'deep.yaml' });
    } catch (e) {
      threw = e;
    }
    if (threw !== undefined) assert.equal((threw as { errorType?: string }).errorType, 'config_error');
  });

  // issue 14, §7: hostile shapes are refused by a linear pre-check, before the YAML parser
  // recurses (500,000 flow levels ran it out of memory) or the validator reports 30,000 fields
  it('YAML nested past the bound (flow or block): config_error naming the depth and the place', () => {
    for (const [name, text, line] of [
      ['flow.yaml', `name: ${'['.repeat(500_000)}${']'.repeat(500_000)}\n`, 1],
      ['flow-map.yaml', `name: ${'{a: '.repeat(MAX_YAML_DEPTH + 5)}1${'}'.repeat(MAX_YAML_DEPTH + 5)}\n`, 1],
      ['block.yaml', Array.from({ length: MAX_YAML_DEPTH + 50 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n', MAX_YAML_DEPTH + 1],
    ] as const) {
      const e = expectErrorType(() => loadConfigText(text, { path: name }), 'config_error');
      assert.match(e.message, /nested too deeply/);
      assert.equal(e.details.max_depth, MAX_YAML_DEPTH);
      assert.equal(e.details.line, line);
    }
  });

  it('more values than MAX_CONFIG_VALUES (JSON or YAML): config_error before validation', () => {
    const many: Record<string, unknown> = { ...SEED_BODY };
    for (let i = 0; i < MAX_CONFIG_VALUES + 1; i++) many[`k${i}`] = i;
    const j = expectErrorType(() => prepareSpec(tmpFile('many.json', JSON.stringify(many)), { dialect: 'private' }), 'config_error');
    assert.match(j.message, new RegExp(`more than ${MAX_CONFIG_VALUES} values`));
    const y = expectErrorType(() => prepareSpec(tmpFile('many.yaml', Object.keys(many).map((k) => `${k}: 1`).join('\n')), { dialect: 'private' }), 'config_error');
    assert.equal(y.details.max_values, MAX_CONFIG_VALUES);
    const flow = expectErrorType(() => loadConfigText(`name: x\nlist: [${Array.from({ length: MAX_CONFIG_VALUES + 1 }, () => '1').join(', ')}]\n`, { path: 'f.yaml' }), 'config_error');
    assert.equal(flow.details.max_values, MAX_CONFIG_VALUES);
  });

  it('the YAML pre-check does not count brackets in quotes or comments, and passes a real config', () => {
    const deep = '['.repeat(MAX_YAML_DEPTH + 10);
    const text = [
      `# a comment ${deep}`,
      `name: "run-{{lr}}-${deep}"`,
      `note: '${deep} it''s quoted'`,
      'deployment_type: Job',
      'container_template:',
      `  cmd: echo don't ${'{'.repeat(5)} # trailing ${deep}`,
      '  gpu_name_set: ["RTX 4090", "RTX 3090"]',
      '  env: {A: [1, 2, {b: [3]}]}',
      'sweep:',
      `  lr: [${Array.from({ length: 1000 }, (_, i) => i).join(', ')}]`,
      '',
    ].join('\n');
    const loaded = loadConfigText(text, { path: 'ok.yaml' });
    assert.equal((loaded.raw as { name: string }).name, `run-{{lr}}-${deep}`);
    assert.equal((loaded.raw as { sweep: { lr: number[] } }).sweep.lr.length, 1000);
  });
});
