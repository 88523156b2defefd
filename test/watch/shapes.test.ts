// The watch/wait/describe helpers on the platform's recorded shapes: deployments without counts
// (the public GET list), template memory in bytes, containers without data_center.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Deployment } from '../../src/api/types.js';
import { deploymentRow, deploymentResources, diffRows, templateMemoryGb } from '../../src/watch/rows.js';
import { evaluateWaitDetailed, needsContainers, observedState, hasCounts } from '../../src/watch/wait.js';
import { containerCost } from '../../src/watch/cost.js';

// exactly the fields of a public GET list item (recorded)
const bare = (over: Partial<Deployment> = {}): Deployment => ({
  id: 2459018,
  uid: 673024,
  uuid: 'c776a3a3a0',
  name: 'API测试部署',
  deployment_type: 'Job',
  status: 'running',
  region_sign: '',
  dc_list: ['westDC2'],
  gpu_name_set: ['RTX 4090'],
  created_at: '2025-07-03T20:37:47+08:00',
  ...over,
});

const ctr = (status: string, i = 0): Container =>
  ({ uuid: `5dec112cb6-314744b79a-f1156c1ed8-${i}`, deployment_uuid: 'c776a3a3a0', status, created_at: '2025-07-03T20:37:50+08:00' }) as Container;

describe('deployments without counts', () => {
  test('rows report null (not 0), the change text shows ?, the GPU comes from the item', () => {
    const r = deploymentRow(bare(), Date.parse('2025-07-03T20:38:47+08:00'));
    assert.deepEqual([r.replica_num, r.running_num, r.starting_num, r.finished_num, r.failed_num], [null, null, null, null, null]);
    assert.equal(r.gpu, 'RTX 4090');
    assert.equal(r.age_seconds, 60);
    const [ch] = diffRows([], [r]);
    assert.equal(ch!.to, 'running ?/? (starting ?, finished ?, failed ?)');
  });

  test('wait reads the containers instead', () => {
    const d = bare();
    assert.equal(hasCounts(d), false);
    for (const kind of ['running', 'finished'] as const) assert.equal(needsContainers({ kind }, d), true);
    assert.equal(needsContainers({ kind: 'replicas', n: 2 }, d), true);
    assert.equal(needsContainers({ kind: 'deleted' }, d), false);
    // running: every current container running
    assert.equal(evaluateWaitDetailed({ kind: 'running' }, d, [ctr('running'), ctr('starting', 1)]).state, 'pending');
    assert.equal(evaluateWaitDetailed({ kind: 'running' }, d, [ctr('running'), ctr('shutdown', 1)]).state, 'met');
    assert.equal(evaluateWaitDetailed({ kind: 'running' }, d, []).state, 'pending');
    // finished: containers exist and all ended, deployment not stopped
    assert.equal(evaluateWaitDetailed({ kind: 'finished' }, d, [ctr('shutdown')]).state, 'met');
    assert.equal(evaluateWaitDetailed({ kind: 'finished' }, d, [ctr('running')]).state, 'pending');
    assert.equal(evaluateWaitDetailed({ kind: 'finished' }, d, []).state, 'pending');
    assert.equal(evaluateWaitDetailed({ kind: 'finished' }, bare({ deployment_type: 'ReplicaSet' }), [ctr('shutdown')]).state, 'unreachable');
    assert.equal(evaluateWaitDetailed({ kind: 'finished' }, bare({ status: 'stopped' }), [ctr('shutdown')]).state, 'unreachable');
    // replicas=N
    assert.equal(evaluateWaitDetailed({ kind: 'replicas', n: 2 }, d, [ctr('running'), ctr('running', 1)]).state, 'met');
    assert.equal(evaluateWaitDetailed({ kind: 'replicas', n: 2 }, d, [ctr('running')]).state, 'pending');
    // a reported replica_num still counts
    assert.equal(evaluateWaitDetailed({ kind: 'running' }, bare({ replica_num: 2 }), [ctr('running')]).state, 'pending');
  });

  test('with counts nothing changes: the counts decide', () => {
    const d = bare({ replica_num: 1, running_num: 0, starting_num: 0, finished_num: 1, failed_num: 0 });
    assert.equal(needsContainers({ kind: 'finished' }, d), false);
    assert.equal(evaluateWaitDetailed({ kind: 'finished' }, d).state, 'met');
  });

  test('observedState reports an absent count as null', () => {
    const o = observedState(bare());
    assert.equal(o.running_num, null);
    assert.equal(o.replica_num, null);
    assert.equal(o.status, 'running');
  });
});

describe('template memory in bytes', () => {
  test('bytes (≥ 1 MiB) → GB; small values are GB already; junk → undefined', () => {
    assert.equal(templateMemoryGb(1073741824), 1);
    assert.equal(templateMemoryGb(274877906944), 256);
    assert.equal(templateMemoryGb(64424509440), 60);
    assert.equal(templateMemoryGb(16), 16);
    assert.equal(templateMemoryGb(0), 0);
    for (const bad of [undefined, null, '8', -1, NaN]) assert.equal(templateMemoryGb(bad), undefined);
  });

  test('resources of the recorded private item: GB, image name, CUDA', () => {
    const d = bare({
      template: { gpu_name_set: ['Tesla V100-SXM2-32GB'], gpu_num: 1, image_uuid: 'image-db8346e037', image_name: 'xxxx', memory_size_from: 1073741824, memory_size_to: 274877906944, cpu_num_from: 1, cpu_num_to: 100, price_from: 10, price_to: 9000, cuda_v: 118 },
    });
    const r = deploymentResources(d);
    assert.deepEqual(
      [r.memory_gb_from, r.memory_gb_to, r.gpu_name_set, r.gpu_num, r.cuda_v, r.image_name, r.price_to],
      [1, 256, ['Tesla V100-SXM2-32GB'], 1, 118, 'xxxx', 9000],
    );
  });
});

describe('status removed (recorded in the platform\'s events)', () => {
  test('a removed container without stopped_at is not billed past its start', () => {
    const c = { uuid: 'x', price: 1980, status: 'removed', started_at: '2025-07-03T20:27:13+08:00', stopped_at: null };
    const r = containerCost(c, { now: Date.parse('2025-07-03T22:27:13+08:00') });
    assert.equal(r.hours, 0);
    assert.equal(r.running, false);
  });
});
