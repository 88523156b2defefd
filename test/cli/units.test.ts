// Unit tests of the CLI's pure pieces: argument parsers, table rendering, secret dropping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { expireMinutes, nonNegativeInt, nonNegativeNumber, port, positiveNumber } from '../../src/cli/args.js';
import { bytesToGb, colorsFor, dash, displayWidth, escapeControls, formatDuration, milliYuan, renderTable, statusColor, stripAnsi, terminalText } from '../../src/cli/output.js';
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

// ---------- progress and error rendering with fake terminals ----------
import { CliContext, handleError, type Io } from '../../src/cli/runtime.js';
import { ProgressRenderer } from '../../src/cli/progress.js';
import { AutodlError } from '../../src/errors.js';
import { PassThrough } from 'node:stream';

function fakeIo(o: { stdoutTTY: boolean; stderrTTY: boolean; env?: Record<string, string> }) {
  const out: string[] = [];
  const err: string[] = [];
  const mk = (sink: string[], isTTY: boolean) =>
    Object.assign(new PassThrough(), {
      isTTY,
      columns: 200,
      write(chunk: string | Uint8Array) {
        sink.push(String(chunk));
        return true;
      },
    });
  const io: Io = { stdout: mk(out, o.stdoutTTY), stderr: mk(err, o.stderrTTY), stdin: new PassThrough(), env: o.env ?? {}, cwd: '/' };
  return { io, out, err };
}

test('submit progress on a terminal: one status line rewritten in place, cleared before the result', () => {
  const { io, err } = fakeIo({ stdoutTTY: true, stderrTTY: true });
  const ctx = new CliContext({}, io);
  const p = new ProgressRenderer(ctx);
  for (let i = 1; i <= 3; i++) p.event({ type: 'waiting', elapsed_s: i * 30, attempt: i, idle: { 'RTX 4090': 0 }, next_check_s: 30 });
  p.clear();
  const text = err.join('');
  assert.equal(text.split('\n').length, 1, 'no new lines: the line is rewritten');
  assert.equal((text.match(/\r\x1b\[2K/g) ?? []).length, 4, 'three updates and one clear');
  assert.match(stripAnsi(text), /check #3 · idle RTX 4090=0 · next in 30s/);
  assert.ok(text.endsWith('\r\x1b[2K'));
});

test('submit progress off a terminal: plain lines only now and then (first, on change, each minute)', () => {
  const { io, err } = fakeIo({ stdoutTTY: true, stderrTTY: false });
  const ctx = new CliContext({ json: false }, io);
  const p = new ProgressRenderer(ctx);
  for (let i = 1; i <= 10; i++) p.event({ type: 'waiting', elapsed_s: i * 10, attempt: i, idle: { L20: 0 }, next_check_s: 10 });
  p.event({ type: 'waiting', elapsed_s: 105, attempt: 11, idle: { L20: 1 }, next_check_s: 10 });
  const lines = err.join('').trimEnd().split('\n');
  assert.deepEqual(
    lines.map((l) => /check #(\d+)/.exec(l)![1]),
    ['1', '7', '11'],
  );
  assert.ok(!err.join('').includes('\r'));
});

test('submit progress with --json: every event as one NDJSON line', () => {
  const { io, err } = fakeIo({ stdoutTTY: false, stderrTTY: true });
  const ctx = new CliContext({ json: true }, io);
  const p = new ProgressRenderer(ctx);
  p.event({ type: 'checking', what: 'image' });
  p.event({ type: 'waiting', elapsed_s: 0, attempt: 1, idle: { L20: 0 }, next_check_s: 1 });
  const lines = err.join('').trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string });
  assert.deepEqual(lines.map((l) => l.type), ['checking', 'waiting']);
});

test('error handler: readable coloured text on a terminal, JSON on stdout otherwise; exit codes', () => {
  const e = new AutodlError('timeout', 'no GPU became free within 60 s', { elapsed_seconds: 61, last_stock: { L20: { idle: 0, total: 8 } } });
  const tty = fakeIo({ stdoutTTY: true, stderrTTY: true });
  assert.equal(handleError(e, { verbose: false }, tty.io), 2);
  assert.deepEqual(tty.out, []);
  const text = tty.err.join('');
  assert.ok(text.includes('\x1b['), 'coloured');
  assert.match(stripAnsi(text), /^Error \[timeout\]: no GPU became free within 60 s\n {2}elapsed_seconds: 61\n {2}last_stock: \{"L20"/);

  const piped = fakeIo({ stdoutTTY: false, stderrTTY: true });
  assert.equal(handleError(e, { verbose: false }, piped.io), 2);
  assert.deepEqual(JSON.parse(piped.out.join('')), e.toResult());

  const noColor = fakeIo({ stdoutTTY: true, stderrTTY: true, env: { NO_COLOR: '1' } });
  handleError(e, { verbose: false }, noColor.io);
  assert.ok(!noColor.err.join('').includes('\x1b['));

  const boom = fakeIo({ stdoutTTY: false, stderrTTY: false });
  assert.equal(handleError(new TypeError('x is undefined'), { verbose: false }, boom.io), 3);
  const r = JSON.parse(boom.out.join('')) as { error_type: string; message: string };
  assert.equal(r.error_type, 'api_error');
  assert.match(r.message, /x is undefined/);
  assert.equal(boom.err.join(''), '', 'no stack without --verbose');
});

test('secrets in an error are redacted: the token from the environment, root passwords dropped', () => {
  const token = 'tok-1234567890-secret';
  const { io, out } = fakeIo({ stdoutTTY: false, stderrTTY: false, env: { AUTODL_TOKEN: token } });
  handleError(new AutodlError('api_error', `refused token ${token}`, { echo: token, info: { root_password: 'pw-123456' } }), { verbose: false }, io);
  const text = out.join('');
  assert.ok(!text.includes(token));
  assert.ok(!text.includes('pw-123456'));
  assert.match(text, /refused token \*\*\*/);
});

test('escapeControls: C0 (but newline/tab), DEL, ESC, C1 and bidi shown as visible escapes', () => {
  assert.equal(escapeControls('a\x1b]0;t\x07b'), 'a\\x1b]0;t\\x07b');
  assert.equal(escapeControls('\u009b2J\u0085'), '\\x9b2J\\x85');
  assert.equal(escapeControls('x\u202ey\u2066\u2069\u200e\u200f\u061c'), 'x\\u202ey\\u2066\\u2069\\u200e\\u200f\\u061c');
  assert.equal(escapeControls('r\rb\b\x7f\x00'), 'r\\x0db\\x08\\x7f\\x00');
  assert.equal(escapeControls('two\nlines\tok'), 'two\nlines\tok');
  assert.equal(escapeControls('two\nlines\tok', { inline: true }), 'two\\nlines\\tok');
  assert.equal(escapeControls('名称 ok é'), '名称 ok é', 'printable text untouched');
});

test('terminalText: our colours become SGR, look-alikes in data stay visible text', () => {
  const c = colorsFor({ isTTY: true }, {});
  assert.equal(terminalText(c.red('x')), '\x1b[31mx\x1b[39m');
  assert.equal(terminalText(c.bold(c.dim('x'))), '\x1b[1m\x1b[2mx\x1b[22m\x1b[1m\x1b[22m');
  // a server string with a real SGR / a marker without our nonce, inside our colour
  assert.equal(terminalText(c.green('\x1b[5mblink')), '\x1b[32m\\x1b[5mblink\x1b[39m');
  const forged = '\ufdd031\ufdd1';
  assert.equal(terminalText(forged), forged);
  assert.equal(stripAnsi(c.red('ab')), 'ab');
  assert.equal(displayWidth(c.red('ab')), 2);
  // colour off: plain strings, nothing to convert
  assert.equal(terminalText(colorsFor({ isTTY: false }, {}).red('x')), 'x');
});

test('renderTable: a newline in a cell cannot fake a row; widths count the escapes', () => {
  const out = renderTable(['NAME', 'N'], [['a\nFAKE  row', '1'], ['b\x1b[2J', '2']], plain);
  const lines = out.split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[1], 'a\\nFAKE  row  1');
  assert.equal(lines[2], 'b\\x1b[2J      2');
});

test('dash and statusColor: an unknown status or a value from data stays on one line, escaped', () => {
  assert.equal(statusColor('running\n2026-07-01  c-fake  running', plain), 'running\\n2026-07-01  c-fake  running');
  assert.equal(statusColor('running', plain), 'running');
  assert.equal(dash('x\ty\u202e'), 'x\\ty\\u202e');
  assert.equal(dash(undefined), '-');
});
