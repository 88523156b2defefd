// `autodl ddp <deployment>` (alias ddp-overview): endpoint 15 from the command line, against
// the simulator — JSON as the API has it, a table in hours, a name or a uuid, not_found.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentConfig, json, runCli, type SimHandle, useSim, writeConfig } from './helpers.js';

let sim: SimHandle;
useSim((s) => (sim = s));

describe('autodl ddp', () => {
  test('JSON: the packages of a deployment by name, as the simulator has them; the alias and the uuid alike', async () => {
    const created = await runCli(['create', writeConfig('ddp.json', deploymentConfig('ddp-job', { type: 'ReplicaSet', replicas: 1 }))], { sim });
    assert.equal(created.code, 0, created.stderr);
    const uuid = json<{ deployment_uuid: string }>(created).deployment_uuid;
    sim.world.advance(1_800_000);
    const r = await runCli(['ddp', 'ddp-job'], { sim });
    assert.equal(r.code, 0, r.stderr);
    const list = json<Array<{ gpu_type: string; total: number; balance: number; dc_list: string[] }>>(r);
    const tenant = sim.world.tenantFor(sim.token)!;
    assert.deepEqual(list, sim.world.ddpOverview(tenant, uuid));
    assert.equal(list[0]!.gpu_type, 'RTX 4090');
    assert.ok(list[0]!.balance < list[0]!.total, 'the running container used some of it');
    assert.deepEqual(json(await runCli(['ddp-overview', uuid, '--json'], { sim })), list);

    const table = await runCli(['ddp', uuid, '--no-json'], { sim });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /GPU\s+TOTAL \(h\)\s+BALANCE \(h\)\s+DATA CENTRES/);
    assert.match(table.stdout, /RTX 4090\s+100\.00\s+\d+\.\d\d\s/);
    const zh = await runCli(['--lang', 'zh', 'ddp', uuid, '--no-json'], { sim });
    assert.match(zh.stdout, /余额\(时\)/);
  });

  test('an unknown deployment: not_found', async () => {
    const r = await runCli(['ddp', 'no-such-deployment'], { sim });
    assert.equal(json<{ error_type: string }>(r).error_type, 'not_found');
    assert.notEqual(r.code, 0);
  });
});
