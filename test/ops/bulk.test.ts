// src/ops/bulk.ts: selection by selectors, act on each with bounded concurrency (never more in
// flight than asked, results in the targets' order, a throw is that target's failure), the
// summary and its exit code; and store.prune's plan (src/queue/store.ts) on the memory store.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AutodlError } from '../../src/errors.js';
import { actOnEach, bulkExitCode, execute, isBulk, MAX_CONCURRENCY, selectMatching, summarize, uniqueBy, type Planned } from '../../src/ops/bulk.js';
import { MemoryStore, type QueueStore } from '../../src/queue/store.js';
import { openSqliteStore } from '../../src/queue/sqlite-store.js';
import { openPgStore } from '../../src/queue/pg-store.js';
import { dropPgDatabases, freshPgDatabase, PG_SKIP } from '../queue/pg-helpers.js';
import { DEMO_IMAGE_UUID } from '../../src/sim/index.js';
import type { CreateDeploymentBody } from '../../src/api/types.js';

interface Item {
  id: string;
  name: string;
  state: string;
  label: string | null;
}
const items: Item[] = [
  { id: 'a', name: 'lr-1', state: 'pending', label: 'sweep' },
  { id: 'b', name: 'lr-2', state: 'failed', label: 'sweep' },
  { id: 'c', name: 'other', state: 'pending', label: null },
];
const fields = { name: (i: Item) => i.name, state: (i: Item) => i.state, label: (i: Item) => i.label };

describe('selection', () => {
  test('every selector given must match; --all alone matches all; none given selects nothing', () => {
    assert.deepEqual(selectMatching(items, { label: 'sweep' }, fields).map((i) => i.id), ['a', 'b']);
    assert.deepEqual(selectMatching(items, { label: 'sweep', states: ['failed'] }, fields).map((i) => i.id), ['b']);
    assert.deepEqual(selectMatching(items, { namePrefix: 'lr-', states: ['pending'] }, fields).map((i) => i.id), ['a']);
    assert.deepEqual(selectMatching(items, { all: true }, fields).map((i) => i.id), ['a', 'b', 'c']);
    assert.deepEqual(selectMatching(items, {}, fields), []);
    // a kind without labels matches nothing on --label
    assert.deepEqual(selectMatching(items, { label: 'sweep' }, { name: fields.name, state: fields.state }), []);
  });

  test('one plain reference is not bulk; two, or any selector, is', () => {
    assert.equal(isBulk(['x'], {}), false);
    assert.equal(isBulk(['x', 'y'], {}), true);
    assert.equal(isBulk(['x'], { namePrefix: 'a' }), true);
    assert.equal(isBulk([], { states: [] }), false);
    assert.deepEqual(uniqueBy(['a', 'b', 'a', 'c', 'b'], (s) => s), ['a', 'b', 'c']);
  });
});

describe('acting on each', () => {
  test('never more in flight than the concurrency; results in order; a throw fails that target only', async () => {
    for (const concurrency of [1, 3, 100]) {
      let inFlight = 0;
      let most = 0;
      const targets = Array.from({ length: 20 }, (_, i) => i);
      const results = await actOnEach(
        targets,
        (i) => ({ target: `t${i}` }),
        async (i) => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((r) => setImmediate(r));
          inFlight--;
          if (i === 7) throw new AutodlError('not_found', 'gone', {});
          if (i === 9) throw new Error('boom');
          return i % 5 === 0 ? { outcome: 'skipped', reason: 'already' } : { outcome: 'done' };
        },
        { concurrency },
      );
      assert.equal(most, Math.min(concurrency, MAX_CONCURRENCY), `concurrency ${concurrency}`);
      assert.deepEqual(results.map((r) => r.target), targets.map((i) => `t${i}`));
      assert.equal(results[7]!.error_type, 'not_found');
      assert.equal(results[9]!.error_type, 'api_error');
      const s = summarize('stop', false, results);
      assert.deepEqual([s.done, s.skipped, s.failed], [14, 4, 2]);
      assert.equal(bulkExitCode(s), 3);
    }
  });

  test('execute: a dry run acts on nothing; planned skips and failures are kept as they are', async () => {
    const plan: Planned<string>[] = [
      { item: 'x', base: { target: 'x' }, verdict: { outcome: 'done' } },
      { item: 'y', base: { target: 'y' }, verdict: { outcome: 'skipped', reason: 'already stopped' } },
      { item: undefined, base: { target: 'z' }, verdict: { outcome: 'failed', reason: 'no such', error_type: 'not_found' } },
    ];
    const acted: string[] = [];
    const act = async (t: string) => {
      acted.push(t);
      return { outcome: 'done' as const, state: 'stopped' };
    };
    const dry = await execute(plan, act, { dryRun: true });
    assert.deepEqual(acted, []);
    assert.deepEqual(dry.map((r) => r.outcome), ['done', 'skipped', 'failed']);
    const real = await execute(plan, act);
    assert.deepEqual(acted, ['x']);
    assert.equal(real[0]!.state, 'stopped');
    assert.equal(bulkExitCode(summarize('stop', false, real)), 3);
    assert.equal(bulkExitCode(summarize('stop', false, real.slice(0, 2))), 0, 'a skip is not a failure');
  });
});

const stores: Array<[string, () => Promise<QueueStore>, false | string]> = [
  ['memory', async () => new MemoryStore(), false],
  ['sqlite', async () => openSqliteStore({ path: ':memory:' }), false],
  ['postgres', async () => openPgStore({ url: await freshPgDatabase() }), PG_SKIP],
];

describe('store.prune', () => {
  after(() => dropPgDatabases());
  const body = (name: string): CreateDeploymentBody =>
    ({ name, deployment_type: 'Job', replica_num: 1, parallelism_num: 1, container_template: { gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, image_uuid: DEMO_IMAGE_UUID, cmd: 'true' } }) as CreateDeploymentBody;

  for (const [kind, open, skip] of stores) test(`${kind}: ended before the cut-off only; an open entry's dependency and a budgeted label are kept; dry run deletes nothing; the history goes too`, { skip }, async () => {
    const s = await open();
    try {
    const [old, dep, young, open, budgeted] = await s.add([{ body: body('old') }, { body: body('dep') }, { body: body('young') }, { body: body('open') }, { body: body('b1'), label: 'capped' }], 1_000);
    await s.cancel(old!.id, 2_000);
    await s.cancel(dep!.id, 2_000);
    await s.cancel(budgeted!.id, 2_000);
    await s.cancel(young!.id, 9_000);
    await s.add([{ body: body('waits'), policy: { after: [dep!.id] } }, { body: body('b2'), label: 'capped', policy: { labelBudget: 10 } }], 3_000);
    const dry = await s.prune(5_000, { dryRun: true });
    assert.deepEqual(dry.removed.map((e) => e.id), [old!.id]);
    assert.deepEqual(dry.kept.map((k) => [k.entry.id, k.reason]).sort(), [[budgeted!.id, 'label_budget'], [dep!.id, 'needed_by']].sort());
    assert.ok(await s.get(old!.id), 'dry run');
    const real = await s.prune(5_000);
    assert.deepEqual(real.removed.map((e) => e.id), [old!.id]);
    assert.equal(await s.get(old!.id), undefined);
    assert.deepEqual(await s.history(old!.id), [], 'its history went with it');
    assert.ok(await s.get(open!.id), 'an open entry is never pruned');
    assert.ok(await s.get(young!.id), 'ended after the cut-off');
    } finally {
      await s.close();
    }
  });
});
