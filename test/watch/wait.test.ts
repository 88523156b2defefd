// evaluateWait: every condition, met / pending / unreachable, from the counts (and containers).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Deployment } from '../../src/api/types.js';
import { evaluateWait, evaluateWaitDetailed, formatWaitCondition, needsContainers, parseWaitCondition } from '../../src/watch/wait.js';

function dep(p: Partial<Deployment> = {}): Deployment {
  return {
    uuid: 'abc',
    name: 'x',
    deployment_type: 'ReplicaSet',
    status: 'running',
    replica_num: 2,
    parallelism_num: 2,
    reuse_container: false,
    starting_num: 0,
    running_num: 0,
    finished_num: 0,
    failed_num: 0,
    price_estimates: 0,
    image_uuid: 'img',
    template: {},
    created_at: '2026-07-01T08:00:00+08:00',
    stopped_at: null,
    ...p,
  };
}

function ctr(status: string): Container {
  return { uuid: `abc-m-${status}`, status } as unknown as Container;
}

const running = { kind: 'running' } as const;
const finished = { kind: 'finished' } as const;
const deleted = { kind: 'deleted' } as const;

describe('parseWaitCondition', () => {
  test('the four conditions and aliases', () => {
    assert.deepEqual(parseWaitCondition('running'), running);
    assert.deepEqual(parseWaitCondition('Finished'), finished);
    assert.deepEqual(parseWaitCondition('complete'), finished);
    assert.deepEqual(parseWaitCondition('deleted'), deleted);
    assert.deepEqual(parseWaitCondition('delete'), deleted);
    assert.deepEqual(parseWaitCondition('replicas=3'), { kind: 'replicas', n: 3 });
    assert.deepEqual(parseWaitCondition('replicas = 0'), { kind: 'replicas', n: 0 });
    assert.equal(formatWaitCondition({ kind: 'replicas', n: 3 }), 'replicas=3');
  });
  test('rejects anything else', () => {
    for (const s of ['', 'run', 'replicas=', 'replicas=-1', 'replicas=1.5', 'stopped']) assert.equal(parseWaitCondition(s), undefined, s);
  });
});

describe('evaluateWait: running', () => {
  test('ReplicaSet: running_num >= replica_num', () => {
    assert.equal(evaluateWait(running, dep({ running_num: 1, starting_num: 1 })), 'pending');
    assert.equal(evaluateWait(running, dep({ running_num: 2 })), 'met');
    assert.equal(evaluateWait(running, dep({ replica_num: 0 })), 'met');
  });
  test('deleted or stopped → unreachable', () => {
    assert.equal(evaluateWait(running, undefined), 'unreachable');
    assert.equal(evaluateWait(running, dep({ status: 'stopped' })), 'unreachable');
  });
  test('a stopped ReplicaSet still counting its running containers is met (met before unreachable)', () => {
    assert.equal(evaluateWait(running, dep({ status: 'stopped', running_num: 2 })), 'met');
  });
  test('Job without containers: one running, none starting', () => {
    const job = (p: Partial<Deployment>) => dep({ deployment_type: 'Job', replica_num: 4, parallelism_num: 2, ...p });
    assert.equal(evaluateWait(running, job({ starting_num: 2 })), 'pending');
    assert.equal(evaluateWait(running, job({ running_num: 1, starting_num: 1 })), 'pending');
    assert.equal(evaluateWait(running, job({ running_num: 2 })), 'met');
    assert.equal(evaluateWait(running, job({ finished_num: 4 })), 'unreachable');
    assert.equal(evaluateWait(running, job({ finished_num: 2, failed_num: 2 })), 'unreachable');
  });
  test('Job with containers: every current container running (ended ones ignored)', () => {
    const job = dep({ deployment_type: 'Job', replica_num: 4, running_num: 1, starting_num: 1 });
    assert.equal(evaluateWait(running, job, [ctr('running'), ctr('starting')]), 'pending');
    assert.equal(evaluateWait(running, job, [ctr('running'), ctr('shutdown'), ctr('in_cache'), ctr('shutting_down')]), 'met');
    assert.equal(evaluateWait(running, job, []), 'pending');
    assert.ok(needsContainers(running, job));
    assert.ok(!needsContainers(running, dep()));
    assert.ok(!needsContainers(finished, job));
  });
});

describe('evaluateWait: finished', () => {
  const job = (p: Partial<Deployment>) => dep({ deployment_type: 'Job', replica_num: 3, parallelism_num: 1, ...p });
  test('read from the counts, not from status (a finished Job still says running)', () => {
    assert.equal(evaluateWait(finished, job({ status: 'running', finished_num: 2, running_num: 1 })), 'pending');
    assert.equal(evaluateWait(finished, job({ status: 'running', finished_num: 3 })), 'met');
    assert.equal(evaluateWait(finished, job({ status: 'stopped', finished_num: 3 })), 'met');
  });
  test('Container type: replica 1', () => {
    assert.equal(evaluateWait(finished, dep({ deployment_type: 'Container', replica_num: 1, finished_num: 1 })), 'met');
  });
  test('unreachable: deleted, ReplicaSet, stopped early, all ended with failures', () => {
    assert.equal(evaluateWait(finished, undefined), 'unreachable');
    assert.equal(evaluateWait(finished, dep()), 'unreachable');
    assert.equal(evaluateWait(finished, job({ status: 'stopped', finished_num: 1 })), 'unreachable');
    const r = evaluateWaitDetailed(finished, job({ finished_num: 1, failed_num: 2 }));
    assert.equal(r.state, 'unreachable');
    assert.match(r.reason, /2 failed/);
  });
  test('failures with a replacement starting are still pending', () => {
    assert.equal(evaluateWait(finished, job({ finished_num: 1, failed_num: 2, starting_num: 1 })), 'pending');
  });
});

describe('evaluateWait: replicas=N and deleted', () => {
  test('replicas=N: running_num == N with nothing starting', () => {
    const c = { kind: 'replicas', n: 3 } as const;
    assert.equal(evaluateWait(c, dep({ replica_num: 3, running_num: 2, starting_num: 1 })), 'pending');
    assert.equal(evaluateWait(c, dep({ replica_num: 3, running_num: 3 })), 'met');
    assert.equal(evaluateWait(c, dep({ replica_num: 3, running_num: 4 })), 'pending');
    assert.equal(evaluateWait(c, dep({ status: 'stopped' })), 'unreachable');
    assert.equal(evaluateWait(c, undefined), 'unreachable');
    assert.equal(evaluateWait({ kind: 'replicas', n: 0 }, dep({ status: 'stopped' })), 'met');
  });
  test('deleted: met only when gone, never unreachable', () => {
    assert.equal(evaluateWait(deleted, undefined), 'met');
    assert.equal(evaluateWait(deleted, dep()), 'pending');
    assert.equal(evaluateWait(deleted, dep({ status: 'stopped' })), 'pending');
  });
});
