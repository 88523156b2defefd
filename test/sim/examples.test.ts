// The example configs create on the simulator of their dialect with the real CLI: the public
// example with the public host's GPU names and a system image, the others on the private world.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureBuilt, json, runCli, startSim, assertTokenNeverPrinted, type SimHandle } from '../cli/helpers.js';

const examples = readdirSync('examples').filter((f) => /\.(json|ya?ml)$/.test(f) && !f.includes('sweep'));

for (const dialect of ['private', 'public'] as const) {
  describe(`examples on the ${dialect} simulator`, () => {
    let sim: SimHandle;
    before(async () => {
      ensureBuilt();
      sim = await startSim({ dialect });
    });
    after(async () => {
      await sim.close();
      assertTokenNeverPrinted();
    });
    const mine = examples.filter((f) => f.startsWith('public-') === (dialect === 'public'));
    test(`there is a ${dialect} example`, () => assert.ok(mine.length > 0));
    for (const f of mine) {
      test(`${f}: autodl create, then its containers run on the named GPUs`, async () => {
        const r = await runCli(['create', resolve('examples', f), '--dialect', dialect, '--json'], { sim });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const uuid = json<{ deployment_uuid: string }>(r).deployment_uuid;
        sim.world.advance(15_000);
        const d = sim.world.allDeployments().find((x) => x.uuid === uuid)!;
        assert.ok(d.running_num! + d.finished_num! > 0, `${f}: nothing ran (${JSON.stringify(d)})`);
        const names = d.template!.gpu_name_set as string[];
        assert.ok(names.every((n) => sim.world.gpuNames().includes(n)), `${f}: ${names.join(', ')} not all in the ${dialect} world`);
      });
    }
  });
}
