// Behaviour on a real terminal, through a pseudo-terminal made by util-linux `script`
// (skipped where it is missing): the login prompt does not echo; submit keeps one status
// line updated in place and a real Ctrl-C (^C typed on the terminal) exits 130.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_IMAGE_UUID } from '../../src/sim/index.js';
import {
  childEnv,
  hasScript,
  onTerminal,
  collect,
  json,
  runCli,
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
      const child = onTerminal(['login', '--no-check'], childEnv({ home, env: { AUTODL_TOKEN: undefined } }));
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

  test('watch: a table taller than the terminal is cut with "… N more", redrawn in place (issue 15)', async () => {
    const cfg = writeConfig('tall.json', {
      name: 'tall-rs',
      deployment_type: 'ReplicaSet',
      replica_num: 1,
      container_template: { gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, image_uuid: DEMO_IMAGE_UUID, cmd: 'sleep infinity' },
    });
    const created: string[] = [];
    for (let i = 0; i < 12; i++) {
      created.push(json<{ deployment_uuid: string }>(await runCli(['create', cfg, '--json'], { sim })).deployment_uuid);
    }
    try {
      const child = onTerminal(['watch', '--count', '2', '--interval', '0.05', '--no-events'], childEnv({ sim }), { rows: 10, cols: 160 });
      const r = await collect(child);
      assert.equal(r.code, 0, r.stdout);
      const m = /… (\d+) more/.exec(r.stdout);
      assert.ok(m, r.stdout);
      assert.ok(Number(m[1]) >= 5, `12 deployments and more on 10 rows: ${m[1]} left out`);
      assert.match(r.stdout, /\x1b\[\d+F\x1b\[J/, 'the second frame moved up over the first');
    } finally {
      for (const u of created) await runCli(['delete', u, '--json'], { sim });
    }
  });

  test("wait: the status line's clock keeps moving between two polls (issue 15)", async () => {
    const took = sim.world.occupy('L20', 1000);
    try {
      const cfg = writeConfig('waitclock.json', {
        name: 'wait-clock',
        deployment_type: 'Container',
        container_template: { gpu_name_set: ['L20'], gpu_num: 1, cuda_v: 118, image_uuid: DEMO_IMAGE_UUID, cmd: 'sleep infinity' },
      });
      const uuid = json<{ deployment_uuid: string }>(await runCli(['create', cfg, '--json'], { sim })).deployment_uuid;
      // one poll an hour: every later second on the line comes from the clock, not from a poll
      const child = onTerminal(['wait', uuid, '--for', 'running', '--interval', '1h', '--timeout', '2h'], childEnv({ sim }));
      const done = collect(child, 'keep-open');
      await waitFor(child, 'stdout', / · 2s/);
      child.stdin.write('\x03');
      child.stdin.end();
      const r = await done;
      assert.match(r.stdout, / · 0s[\s\S]*\r\x1b\[2K[^\n]* · 1s[\s\S]*\r\x1b\[2K[^\n]* · 2s/, 'redrawn in place with a moving clock');
      await runCli(['delete', uuid, '--json'], { sim });
    } finally {
      sim.world.free('L20', took);
    }
  });

  test('init asks on a terminal (Enter takes the default) and writes a config that validates (issue 15)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'autodl-tty-init-')), 'asked.yaml');
    const child = onTerminal(['init', file], childEnv({ sim }));
    const done = collect(child, 'keep-open');
    await waitFor(child, 'stdout', 'Which image?');
    child.stdin.write('\r');
    await waitFor(child, 'stdout', 'Which GPU types?');
    child.stdin.write('2\r');
    await waitFor(child, 'stdout', 'Which deployment type?');
    child.stdin.write('1\r');
    await waitFor(child, 'stdout', 'Deployment name?');
    child.stdin.write('tty-init\r');
    await waitFor(child, 'stdout', 'Command to run?');
    child.stdin.write('sleep 5\r');
    child.stdin.end();
    const r = await done;
    assert.equal(r.code, 0, r.stdout);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^name: "tty-init"$/m);
    assert.match(text, /^deployment_type: Job$/m);
    assert.match(text, /^ {2}cmd: "sleep 5"$/m);
    const v = await runCli(['validate', file, '--json'], { sim });
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });
});
