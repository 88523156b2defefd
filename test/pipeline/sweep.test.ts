import assert from 'node:assert/strict';
import type { CreateDeploymentBody } from '../../src/api/types.js';
import { describe, it } from 'node:test';
import { expandSweep, MAX_SWEEP_SIZE, placeholdersIn, prepareSpec } from '../../src/pipeline/index.js';
import { clone, expectErrorType, issuesOf, SEED_BODY } from './helpers.js';

const base = (name: string, cmd: string): CreateDeploymentBody => {
  const b = clone(SEED_BODY) as unknown as CreateDeploymentBody;
  b.name = name;
  b.container_template.cmd = cmd;
  return b;
};

describe('expandSweep', () => {
  it('expands the Cartesian product, substituting name and cmd only', () => {
    const b = base('run-{{lr}}-{{ seed }}', 'python train.py --lr {{lr}} --seed {{seed}}');
    b.container_template.cmd_before_shutdown = 'echo {{lr}}';
    const items = expandSweep(b, { lr: ['0.1', '0.01'], seed: ['1', '2', '3'] });
    assert.equal(items.length, 6);
    assert.deepEqual(
      items.map((i) => i.body.name),
      ['run-0.1-1', 'run-0.1-2', 'run-0.1-3', 'run-0.01-1', 'run-0.01-2', 'run-0.01-3'],
    );
    assert.deepEqual(items[4]?.params, { lr: '0.01', seed: '2' });
    assert.equal(items[4]?.body.container_template.cmd, 'python train.py --lr 0.01 --seed 2');
    assert.equal(items[4]?.body.container_template.cmd_before_shutdown, 'echo {{lr}}', 'other fields untouched');
    assert.equal(b.name, 'run-{{lr}}-{{ seed }}', 'input not mutated');
    assert.notEqual(items[0]?.body.container_template, items[1]?.body.container_template, 'independent copies');
  });
  it('no parameters: the body itself', () => {
    const items = expandSweep(base('plain', 'sleep 5'), {});
    assert.equal(items.length, 1);
    assert.equal(items[0]?.body.name, 'plain');
    assert.deepEqual(items[0]?.params, {});
  });
  it('unknown placeholder → validation_error at its field', () => {
    const e = expectErrorType(() => expandSweep(base('run-{{lr}}', 'train --bs {{batch}}'), { lr: ['1'] }), 'validation_error');
    const issues = issuesOf(e);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.path, 'container_template.cmd');
    assert.match(issues[0]?.message ?? '', /\{\{batch\}\}/);
  });
  it('unused or empty parameters and oversized sweeps are refused', () => {
    expectErrorType(() => expandSweep(base('run-{{lr}}', 'x'), { lr: ['1'], unused: ['a'] }), 'validation_error');
    expectErrorType(() => expandSweep(base('run-{{lr}}', 'x'), { lr: [] }), 'validation_error');
    const many = Array.from({ length: 40 }, (_, i) => String(i));
    const e = expectErrorType(() => expandSweep(base('r-{{a}}-{{b}}', 'x'), { a: many, b: many }), 'validation_error');
    assert.match(issuesOf(e)[0]?.message ?? '', new RegExp(`limit ${MAX_SWEEP_SIZE}`));
  });
  it('a resulting name the platform would reject is refused', () => {
    expectErrorType(() => expandSweep(base('run-{{v}}', 'x'), { v: ['a\nb'] }), 'validation_error');
    expectErrorType(() => expandSweep(base('run-{{v}}', 'x'), { v: ['x'.repeat(70)] }), 'validation_error');
  });
  it('placeholdersIn finds names', () => {
    assert.deepEqual(placeholdersIn('a {{x}} b {{ y }} {z}'), ['x', 'y']);
  });
});

describe('sweep through prepareSpec', () => {
  it('returns the sweep block and checks placeholders early', () => {
    const raw = { ...clone(SEED_BODY), name: 'run-{{lr}}', sweep: { lr: [0.1, 0.01] } };
    const r = prepareSpec(raw, { dialect: 'private' });
    assert.deepEqual(r.sweep, { lr: ['0.1', '0.01'] });
    assert.equal(expandSweep(r.body, r.sweep ?? {}).length, 2);
    const bad = { ...clone(SEED_BODY), name: 'run-{{lr}}', sweep: { seed: [1] } };
    const e = expectErrorType(() => prepareSpec(bad, { dialect: 'private' }), 'validation_error');
    const paths = issuesOf(e).map((i) => i.path);
    assert.ok(paths.includes('name'), paths.join());
    assert.ok(paths.includes('sweep.seed'), paths.join());
  });
});
