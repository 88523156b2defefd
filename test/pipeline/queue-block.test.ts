// The config's `queue:` block (issue 16): set aside by normalize (never in the body), durations
// to ms, bounds and cross-field rules with the field's path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationMs, prepareSpec } from '../../src/pipeline/index.js';
import { clone, expectErrorType, issuesOf, SEED_BODY, type Json } from './helpers.js';

const withQueue = (queue: unknown): Json => ({ ...(clone(SEED_BODY) as Json), queue });
const paths = (queue: unknown) => issuesOf(expectErrorType(() => prepareSpec(withQueue(queue), { dialect: 'private' }), 'validation_error')).map((i) => i.path);

describe("the config's queue: block", () => {
  it('is set aside: the body has no queue field; durations become ms, retry.on defaults to failed', () => {
    const p = prepareSpec(withQueue({ max_runtime: '1h30m', grace: 90, max_cost: 12.5, after: ['a', 'a', 'label:x'], after_any: true, retry: { max: 2, unscheduled_after: '15m', on: ['unscheduled'] } }), { dialect: 'private' });
    assert.equal('queue' in p.body, false);
    assert.deepEqual(p.queue, { max_runtime_ms: 5_400_000, grace_ms: 90_000, max_cost: 12.5, after: ['a', 'label:x'], after_any: true, retry: { max: 2, on: ['unscheduled'], unscheduled_after_ms: 900_000 } });
    assert.deepEqual(prepareSpec(withQueue({ retry: { max: 1 } }), { dialect: 'private' }).queue, { retry: { max: 1, on: ['failed'] } });
    assert.equal(prepareSpec(clone(SEED_BODY) as Json, { dialect: 'private' }).queue, undefined);
  });

  it('refuses what it cannot mean, naming the field', () => {
    assert.deepEqual(paths({ max_runtime: 'soon' }), ['queue.max_runtime']);
    assert.deepEqual(paths({ max_runtime: '400d' }), ['queue.max_runtime']);
    assert.deepEqual(paths({ grace: '5m' }), ['queue.grace']);
    assert.deepEqual(paths({ after_any: true }), ['queue.after_any']);
    assert.deepEqual(paths({ max_cost: -1 }), ['queue.max_cost']);
    assert.deepEqual(paths({ max_cost: 1e9 }), ['queue.max_cost']);
    assert.deepEqual(paths({ on_cap: 'explode' }), ['queue.on_cap']);
    assert.deepEqual(paths({ retry: { max: 21 } }), ['queue.retry.max']);
    assert.deepEqual(paths({ retry: { max: 1, unscheduled_after: '10m' } }), ['queue.retry.unscheduled_after']);
    assert.deepEqual(paths({ retry: { max: 1, on: ['unscheduled'], unscheduled_after: '10s' } }), ['queue.retry.unscheduled_after']);
    assert.deepEqual(paths({ budget: 5 }), ['queue']);
    assert.deepEqual(paths('4h'), ['queue']);
  });

  it('durations: the forms people write, nothing else', () => {
    assert.equal(durationMs('4h'), 14_400_000);
    assert.equal(durationMs(' 1h30m '), 5_400_000);
    assert.equal(durationMs('90'), 90_000);
    assert.equal(durationMs(2), 2000);
    for (const bad of ['', 'h', '4 h', '-1h', '1e3s', 'soon', -5, Number.NaN, Infinity]) assert.equal(durationMs(bad), undefined, String(bad));
  });
});
