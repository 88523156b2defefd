// Behaviour on a real terminal, through a pseudo-terminal made by util-linux `script`
// (skipped where it is missing): the login prompt does not echo; submit keeps one status
// line updated in place and a real Ctrl-C (^C typed on the terminal) exits 130.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_IMAGE_UUID } from '../../src/sim/index.js';
import {
  childEnv,
  hasScript,
  onTerminal,
  collect,
  type SimHandle,
  tempHome,
  useSim,
  waitFor,
  writeConfig,
} from './helpers.js';


let sim: SimHandle;
useSim((s) => (sim = s));

describe('on a terminal', { skip: !hasScript && 'util-linux script is not installed' }, () => {
  test('login prompts without echo and stores the token with mode 0600', async () => {
    const home = tempHome();
    try {
      const secret = `typed-secret-${process.pid}-qwerty`;
      const child = onTerminal(['login'], childEnv({ home, env: { AUTODL_TOKEN: undefined } }));
      const done = collect(child, 'keep-open');
      await waitFor(child, 'stdout', 'developer token');
      child.stdin.end(`${secret}\r`);
      const r = await done;
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(!r.stdout.includes(secret), 'the typed token is not echoed');
      assert.match(r.stdout, /token saved to/);
      const path = join(home.env.XDG_CONFIG_HOME, 'autodl', 'config.json');
      assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { token: string }).token, secret);
      assert.equal(statSync(path).mode & 0o777, 0o600);
    } finally {
      home.cleanup();
    }
  });

  test('submit: one status line rewritten in place; ^C exits 130 and creates nothing', async () => {
    const took = sim.world.occupy('L20', 1000);
    try {
      const cfg = writeConfig('tty.json', {
        name: 'tty-submit',
        deployment_type: 'Container',
        container_template: { gpu_name_set: ['L20'], gpu_num: 1, cuda_v: 118, image_uuid: DEMO_IMAGE_UUID, cmd: 'sleep infinity' },
      });
      const child = onTerminal(['submit', cfg, '--interval', '0.05'], childEnv({ sim }));
      const done = collect(child, 'keep-open');
      await waitFor(child, 'stdout', /check #3 /); // several updates happened
      child.stdin.write('\x03'); // Ctrl-C typed on the terminal
      child.stdin.end();
      const r = await done;
      assert.equal(r.code, 130, r.stdout);
      assert.match(r.stdout, /\r\x1b\[2K.*waiting for GPUs/, 'updated in place');
      const before = r.stdout.slice(0, r.stdout.indexOf('check #3'));
      assert.ok(!/check #1[^\r]*\n/.test(before), 'no scrolling status lines');
      assert.match(r.stdout, /interrupted/);
      assert.equal(sim.world.listDeployments(sim.world.tenantFor(sim.token)!, {}).filter((d) => d.name.startsWith('tty-submit')).length, 0);
    } finally {
      sim.world.free('L20', took);
    }
  });
});
