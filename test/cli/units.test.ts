// Unit tests of the CLI's pure pieces: argument parsers, table rendering, secret dropping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { expireMinutes, nonNegativeInt, nonNegativeNumber, port, positiveNumber } from '../../src/cli/args.js';
import { bytesToGb, displayWidth, formatDuration, milliYuan, renderTable, stripAnsi } from '../../src/cli/output.js';
import { dropSecrets } from '../../src/cli/runtime.js';
import pc from 'picocolors';

const plain = pc.createColors(false);

test('number parsers accept what they should and reject the rest', () => {
  assert.equal(positiveNumber('0.5'), 0.5);
  assert.equal(positiveNumber('30'), 30);
  assert.throws(() => positiveNumber('0'), InvalidArgumentError);
  assert.throws(() => positiveNumber('abc'), InvalidArgumentError);
  assert.throws(() => positiveNumber(''), InvalidArgumentError);
  assert.equal(nonNegativeNumber('0'), 0);
  assert.throws(() => nonNegativeNumber('-1'), InvalidArgumentError);
  assert.equal(nonNegativeInt('3'), 3);
  assert.throws(() => nonNegativeInt('1.5'), InvalidArgumentError);
  assert.equal(port('0'), 0);
  assert.throws(() => port('70000'), InvalidArgumentError);
  assert.equal(expireMinutes('43200'), 43200);
  assert.throws(() => expireMinutes('43201'), InvalidArgumentError);
  assert.throws(() => expireMinutes('0'), InvalidArgumentError);
});

test('displayWidth counts CJK as two columns and ignores ANSI', () => {
  assert.equal(displayWidth('abc'), 3);
  assert.equal(displayWidth('名称'), 4);
  assert.equal(displayWidth(pc.createColors(true).red('ab')), 2);
});

test('renderTable aligns columns (also with CJK headers)', () => {
  const out = renderTable(['名称', 'N'], [['a', '1'], ['longer', '22']], plain, { right: [1] });
  const lines = out.split('\n');
  assert.equal(lines.length, 3);
  // the last column is right-aligned: every line ends at the same column
  const widths = lines.map((l) => displayWidth(l));
  assert.equal(new Set(widths).size, 1, `columns not aligned:\n${out}`);
  assert.equal(widths[0], displayWidth('longer') + 2 + 2);
  assert.ok(lines[1]!.endsWith(' 1'));
  assert.equal(stripAnsi(out), out);
});

test('formatting helpers', () => {
  assert.equal(bytesToGb(8 * 1024 ** 3), '8');
  assert.equal(bytesToGb(1.5 * 1024 ** 3), '1.5');
  assert.equal(milliYuan(1980), '1.98');
  assert.equal(milliYuan(1000), '1');
  assert.equal(formatDuration(7), '7s');
  assert.equal(formatDuration(125), '2m05s');
  assert.equal(formatDuration(3723), '1h02m03s');
});

test('dropSecrets removes root_password and masks tokens at any depth', () => {
  const v = dropSecrets({ list: [{ info: { root_password: 'pw', ssh_command: 'ssh x' } }], token: 'abc', headers: { Authorization: 'abc' } });
  assert.deepEqual(v, { list: [{ info: { ssh_command: 'ssh x' } }], token: '***', headers: { Authorization: '***' } });
});
