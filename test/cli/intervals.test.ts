// Intervals and timeouts are bounded: past Node's timer limit (2^31-1 ms) a poll would turn
// into a busy loop, a tiny interval floods the API. Every command that takes one refuses a
// value out of range with a config_error (exit 1) before it sends anything; the bounds
// themselves are accepted. Internal sleeps are clamped to the timer limit as well.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { INTERVAL_MAX_S, INTERVAL_MIN_S, MAX_TIMER_MS, TIMEOUT_MAX_S } from '../../src/util/bounds.js';
import { sleep, timerDelay } from '../../src/util/sleep.js';
import { deploymentConfig, json, runCli, type SimHandle, useSim, writeConfig } from './helpers.js';

let sim: SimHandle;
useSim((s) => (sim = s));

const cfg = () => writeConfig('iv.json', deploymentConfig('iv-job'));
const db = () => join(mkdtempSync(join(tmpdir(), 'autodl-iv-')), 'q.db');

/** Command lines that each take an interval/timeout/speed; `V` is replaced by the value. */
function lines(): Array<[string, string[]]> {
  const c = cfg();
  const d = db();
  return [
    ['submit --interval', ['submit', c, '--interval', 'V']],
    ['submit --timeout', ['submit', c, '--timeout', 'V']],
    ['watch --interval', ['watch', '--interval', 'V', '--count', '1']],
    ['wait --interval', ['wait', 'dep-x', '--for', 'running', '--interval', 'V']],
    ['wait --timeout', ['wait', 'dep-x', '--for', 'running', '--timeout', 'V']],
    ['events --follow --interval', ['events', 'dep-x', '--follow', '--interval', 'V']],
    ['queue run --interval', ['queue', 'run', '--once', '--db', d, '--interval', 'V']],
    ['queue ls --watch --interval', ['queue', 'ls', '--watch', '--count', '1', '--db', d, '--interval', 'V']],
    ['demo --interval', ['demo', '--interval', 'V']],
  ];
}

const TOO_BIG_INTERVAL = ['3000000', String(INTERVAL_MAX_S + 1), '1e300'];
const TOO_SMALL_INTERVAL = ['1e-9', '0.001', String(INTERVAL_MIN_S / 2)];

describe('interval and timeout bounds', () => {
  test('out-of-range values: config_error, exit 1, nothing sent', async () => {
    const before = sim.requests();
    const accepted: string[] = [];
    for (const [what, args] of lines()) {
      const values = what.endsWith('--timeout') ? [String(TIMEOUT_MAX_S + 1), '1e12'] : [...TOO_BIG_INTERVAL, ...TOO_SMALL_INTERVAL];
      for (const v of values) {
        const r = await runCli([...args.map((a) => (a === 'V' ? v : a)), '--json'], { sim });
        if (r.code !== 1) {
          accepted.push(`${what} ${v}: exit ${r.code}`);
          continue;
        }
        const j = json<{ error_type: string; message: string }>(r);
        assert.equal(j.error_type, 'config_error', `${what} ${v}`);
        assert.ok(j.message.includes(v), `${what} ${v}: the message names the value: ${j.message}`);
      }
    }
    assert.deepEqual(accepted, []);
    assert.equal(sim.requests(), before, 'no request reached the simulator');
  });

  test('demo --speed and --busy, sim --speed: bounded too', async () => {
    for (const args of [
      ['demo', '--speed', '1e9'],
      ['demo', '--busy', '3000000'],
      ['sim', '--speed', '1e9'],
    ]) {
      const r = await runCli([...args, '--json']);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
    }
  });

  test('the bounds themselves are accepted', async () => {
    // a Job that is placed at once: submit returns after its first check, whatever the interval
    for (const v of [String(INTERVAL_MIN_S), String(INTERVAL_MAX_S)]) {
      const r = await runCli(['submit', writeConfig('ok.json', deploymentConfig(`iv-ok-${v.replace('.', '')}`)), '--interval', v, '--timeout', String(TIMEOUT_MAX_S), '--json'], { sim });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(json<{ status: string }>(r).status, 'success');
    }
    const w = await runCli(['watch', '--interval', String(INTERVAL_MAX_S), '--count', '1', '--json'], { sim });
    assert.equal(w.code, 0, w.stderr);
  });

  test('zh: the message comes from the catalog', async () => {
    const r = await runCli(['submit', cfg(), '--interval', '3000000', '--lang', 'zh', '--json'], { sim });
    assert.equal(r.code, 1);
    assert.match(json<{ message: string }>(r).message, /不在 0\.05–86400 秒的范围内/);
  });
});

describe('sleeps are clamped to the timer limit', () => {
  test('timerDelay: past 2^31-1 ms → the limit; negative or NaN → 0', () => {
    assert.equal(timerDelay(3_000_000_000_000), MAX_TIMER_MS);
    assert.equal(timerDelay(MAX_TIMER_MS + 1), MAX_TIMER_MS);
    assert.equal(timerDelay(1500), 1500);
    assert.equal(timerDelay(-5), 0);
    assert.equal(timerDelay(Number.NaN), 0);
  });

  test('sleep(3e12 ms) waits (Node would fire an overflowing timer after 1 ms) until aborted', async () => {
    const ac = new AbortController();
    let done = false;
    const p = sleep(3_000_000_000_000, ac.signal).then(() => (done = true));
    // an overflowing timer fires after 1 ms: let a later 20 ms timer go first
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(done, false, 'still sleeping');
    ac.abort();
    await p;
    assert.equal(done, true);
  });
});
