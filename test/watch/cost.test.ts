// The cost estimate: price × running time, clipped to [since, now]; burn rate of what still runs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from '../../src/api/types.js';
import { containerCost, costReport } from '../../src/watch/cost.js';
import { parseApiTime, parseDuration, parseSince } from '../../src/watch/time.js';

const T0 = Date.parse('2026-07-01T08:00:00+08:00');
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function c(p: Partial<Container>): Container {
  return { uuid: 'd-m-1', status: 'running', price: 1000, started_at: null, stopped_at: null, ...p } as unknown as Container;
}

describe('time parsing', () => {
  test('API times: zone given, no zone (CST), date only', () => {
    assert.equal(parseApiTime('2026-07-01T08:00:00+08:00'), T0);
    assert.equal(parseApiTime('2026-07-01 08:00:00'), T0);
    assert.equal(parseApiTime('2026-07-01T08:00:00'), T0);
    assert.equal(parseApiTime('2026-07-01'), T0 - 8 * H);
    assert.equal(parseApiTime('2026-07-01T00:00:00Z'), T0);
    assert.equal(parseApiTime(null), undefined);
    assert.equal(parseApiTime('yesterday'), undefined);
  });
  test('durations', () => {
    assert.equal(parseDuration('2h'), 2 * H);
    assert.equal(parseDuration('1h30m'), 1.5 * H);
    assert.equal(parseDuration('1.5h'), 1.5 * H);
    assert.equal(parseDuration('90'), 90_000);
    assert.equal(parseDuration('1d'), 24 * H);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('2x'), undefined);
    assert.equal(parseDuration('h'), undefined);
    assert.equal(parseSince('2h', T0), T0 - 2 * H);
    assert.equal(parseSince('2026-07-01T08:00:00+08:00', 0), T0);
    assert.equal(parseSince('soon', T0), undefined);
  });
});

describe('containerCost', () => {
  test('running: started → now', () => {
    const x = containerCost(c({ started_at: iso(T0) }), { now: T0 + 2 * H });
    assert.equal(x.hours, 2);
    assert.equal(x.spent_yuan, 2);
    assert.equal(x.running, true);
  });
  test('stopped: started → stopped_at, not running', () => {
    const x = containerCost(c({ price: 2500, status: 'shutdown', started_at: iso(T0), stopped_at: iso(T0 + 30 * 60_000) }), { now: T0 + 5 * H });
    assert.equal(x.hours, 0.5);
    assert.equal(x.spent_yuan, 1.25);
    assert.equal(x.running, false);
  });
  test('never started costs nothing', () => {
    const x = containerCost(c({ status: 'creating' }), { now: T0 + H });
    assert.equal(x.spent_yuan, 0);
    assert.equal(x.running, false);
  });
  test('--since clips the start; a container that ended before it costs nothing', () => {
    assert.equal(containerCost(c({ started_at: iso(T0) }), { now: T0 + 3 * H, since: T0 + 2 * H }).hours, 1);
    assert.equal(containerCost(c({ started_at: iso(T0), stopped_at: iso(T0 + H), status: 'shutdown' }), { now: T0 + 3 * H, since: T0 + 2 * H }).hours, 0);
  });
  test('terminal status without stopped_at is not billed past its start', () => {
    const x = containerCost(c({ status: 'shutdown', started_at: iso(T0) }), { now: T0 + 3 * H });
    assert.equal(x.hours, 0);
  });
});

describe('costReport', () => {
  test('totals, burn rate and the estimate flag', () => {
    const r = costReport(
      [
        {
          deployment: { uuid: 'a', name: 'A' },
          containers: [c({ uuid: 'a-1', price: 1000, started_at: iso(T0) }), c({ uuid: 'a-2', price: 500, status: 'shutdown', started_at: iso(T0), stopped_at: iso(T0 + H) })],
        },
        { deployment: { uuid: 'b', name: 'B' }, containers: [c({ uuid: 'b-1', price: 333, started_at: iso(T0 + H) })] },
        { deployment: { uuid: 'e', name: 'E' }, containers: [] },
      ],
      { now: T0 + 2 * H },
    );
    assert.equal(r.estimate, true);
    assert.deepEqual(r.deployments, [
      { uuid: 'a', name: 'A', spent_yuan: 2.5, burn_rate_yuan_per_hour: 1, containers: 2 },
      { uuid: 'b', name: 'B', spent_yuan: 0.333, burn_rate_yuan_per_hour: 0.333, containers: 1 },
      { uuid: 'e', name: 'E', spent_yuan: 0, burn_rate_yuan_per_hour: 0, containers: 0 },
    ]);
    assert.equal(r.total_yuan, 2.833);
    assert.equal(r.burn_rate_yuan_per_hour, 1.333);
    assert.equal(r.since, null);
    assert.equal(r.at, iso(T0 + 2 * H));
  });
});
