import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withSim, P, privateBody } from './helpers.js';
import type { Container, Deployment, Page } from '../../src/api/types.js';

test('smoke: create a Job, run it to completion on the manual clock', async () => {
  await withSim({}, async (sim, api) => {
    const { deployment_uuid } = await api.ok<{ deployment_uuid: string }>('POST', P.create, privateBody());
    assert.match(deployment_uuid, /^[0-9a-f]{15}$/);
    let cs = await api.ok<Page<Container>>('POST', P.containers, { deployment_uuid, page_index: 1, page_size: 10 });
    assert.equal(cs.list.length, 1);
    assert.equal(cs.list[0]!.status, 'creating');
    sim.world.advance(8000);
    cs = await api.ok<Page<Container>>('POST', P.containers, { deployment_uuid, page_index: 1, page_size: 10 });
    assert.equal(cs.list[0]!.status, 'running');
    sim.world.advance(30_000 + 2000);
    const deps = await api.ok<Page<Deployment>>('POST', P.list, { page_index: 1, page_size: 10 });
    assert.equal(deps.list[0]!.finished_num, 1);
    assert.equal(deps.list[0]!.status, 'running');
  });
});
