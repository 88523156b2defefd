// Commands that change something, end to end; and --dry-run, which must send nothing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Container, Deployment } from '../../src/api/types.js';
import { DEMO_IMAGE_UUID } from '../../src/sim/index.js';
import {
  json,
  runCli,
  type SimHandle,
  useSim,
  writeConfig,
} from './helpers.js';

function rsConfig(name: string, replicas = 2): string {
  return writeConfig(`${name}.yaml`, [
    `name: ${name}`,
    'deployment_type: ReplicaSet',
    `replica_num: ${replicas}`,
    'container_template:',
    '  gpu_name_set: [RTX 3090]',
    '  gpu_num: 1',
    '  cuda: "11.8"',
    '  cpu_num_from: 1',
    '  cpu_num_to: 200',
    '  memory_size_from: 8',
    '  memory_size_to: 800',
    '  price_from: 100',
    '  price_to: 90000',
    `  image_uuid: ${DEMO_IMAGE_UUID}`,
    '  cmd: sleep infinity',
    '',
  ].join('\n'));
}

let sim: SimHandle;
useSim((s) => (sim = s));

function tenant() {
  return sim.world.tenantFor(sim.token)!;
}

function deployment(uuid: string): Deployment | undefined {
  return sim.world.listDeployments(tenant(), { deployment_uuid: uuid })[0];
}

async function create(name: string, replicas = 2): Promise<string> {
  const r = await runCli(['create', rsConfig(name, replicas)], { sim });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const res = json<{ status: string; deployment_uuid: string }>(r);
  assert.equal(res.status, 'success');
  assert.ok(deployment(res.deployment_uuid), 'the deployment exists in the simulator');
  sim.world.advance(60_000);
  return res.deployment_uuid;
}

describe('change commands', () => {
  test('create converts "cuda: 11.8" to cuda_v 118 and creates exactly one deployment', async () => {
    const before = sim.world.listDeployments(tenant(), {}).length;
    const uuid = await create('chg-create');
    assert.equal(sim.world.listDeployments(tenant(), {}).length, before + 1);
    const d = deployment(uuid)!;
    assert.equal(d.name, 'chg-create');
    assert.equal(d.replica_num, 2);
  });

  test('create: human line on --no-json', async () => {
    const r = await runCli(['create', rsConfig('chg-human', 1), '--no-json'], { sim });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^created deployment \S+\n$/);
  });

  test('scale by name sets the replica count', async () => {
    const uuid = await create('chg-scale');
    const r = await runCli(['scale', 'chg-scale', '3'], { sim });
    assert.equal(r.code, 0, r.stderr);
    // by a name: the result says which deployment the name was taken for (issue 15)
    assert.deepEqual(json(r), { status: 'success', deployment_uuid: uuid, replica_num: 3, resolved: { ref: 'chg-scale', uuid, name: 'chg-scale', by: 'name' } });
    assert.equal(deployment(uuid)!.replica_num, 3);
  });

  test('scale rejects a non-integer count before any request (config_error)', async () => {
    const n = sim.requests();
    const r = await runCli(['scale', 'x', '2.5'], { sim });
    assert.equal(r.code, 1);
    assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
    assert.equal(sim.requests(), n);
  });

  test('stop-container --decrease-replica --no-cache', async () => {
    const uuid = await create('chg-stopc');
    const containers = json<Container[]>(await runCli(['containers', uuid, '--status', 'running'], { sim }));
    assert.equal(containers.length, 2);
    const target = containers[0]!.uuid;
    const r = await runCli(['stop-container', target, '--decrease-replica', '--no-cache'], { sim });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(json(r), { status: 'success', deployment_container_uuid: target, decrease_one_replica_num: true, no_cache: true });
    assert.equal(deployment(uuid)!.replica_num, 1);
    sim.world.advance(60_000);
    const after = sim.world.listContainers(tenant(), uuid, { container_uuid: target })[0]!;
    assert.notEqual(after.status, 'running');
  });

  test('stop-container --cmd-before-shutdown: the container stays shutting_down while the hook runs', async () => {
    const uuid = await create('chg-hook');
    const [target] = json<Container[]>(await runCli(['containers', uuid, '--status', 'running'], { sim }));
    // the platform gives the hook at most 5 s (documented), then stops the container by force
    const r = await runCli(['stop-container', target!.uuid, '--cmd-before-shutdown', 'sleep 4', '--decrease-replica'], { sim });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json<{ cmd_before_shutdown: string }>(r).cmd_before_shutdown, 'sleep 4');
    const status = () => sim.world.listContainers(tenant(), uuid, { container_uuid: target!.uuid })[0]!.status;
    sim.world.advance(5_000);
    assert.equal(status(), 'shutting_down');
    sim.world.advance(2_000);
    assert.equal(status(), 'shutdown');
  });

  test('stop then delete', async () => {
    const uuid = await create('chg-stop');
    const s = await runCli(['stop', uuid], { sim });
    assert.equal(s.code, 0, s.stderr);
    assert.deepEqual(json(s), { status: 'success', deployment_uuid: uuid });
    assert.equal(deployment(uuid)!.status, 'stopped');
    const d = await runCli(['delete', uuid], { sim });
    assert.equal(d.code, 0, d.stderr);
    assert.deepEqual(json(d), { status: 'success', deployment_uuid: uuid });
    assert.equal(deployment(uuid), undefined);
  });

  test('blacklist add then ls shows the host', async () => {
    const uuid = await create('chg-bl', 1);
    const [c] = json<Container[]>(await runCli(['containers', uuid], { sim }));
    const r = await runCli(['blacklist', 'add', c!.uuid, '--comment', 'flaky disk', '--expire-minutes', '60'], { sim });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(json(r), { status: 'success', deployment_container_uuid: c!.uuid, comment: 'flaky disk', expire_in_minutes: 60 });
    const list = json<Array<{ machine_id: string }>>(await runCli(['blacklist', 'ls'], { sim }));
    assert.ok(list.some((b) => b.machine_id === c!.machine_id));
  });

  test('the short forms: `blacklist <container>` adds (options before or after), `blacklist` alone lists', async () => {
    const uuid = await create('chg-bl2', 2);
    const cs = json<Container[]>(await runCli(['containers', uuid], { sim }));
    const hosts = [...new Set(cs.map((c) => c.machine_id))];
    const first = cs[0]!;
    const r = await runCli(['blacklist', first.uuid, '--comment', 'ecc errors', '--expire-minutes', '30'], { sim });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(json(r), { status: 'success', deployment_container_uuid: first.uuid, comment: 'ecc errors', expire_in_minutes: 30 });
    const list = json<Array<{ machine_id: string; msg?: string }>>(await runCli(['blacklist'], { sim }));
    assert.ok(list.some((b) => b.machine_id === first.machine_id));
    // options ahead of `add` belong to the group and still reach the request
    const other = cs.find((c) => c.machine_id !== first.machine_id) ?? first;
    const dry = await runCli(['blacklist', '--comment', 'early', 'add', other.uuid, '--dry-run'], { sim });
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(json<{ body: unknown }>(dry).body, { deployment_container_uuid: other.uuid, comment: 'early' });
    assert.ok(hosts.length >= 1);
  });

  test('blacklist add: --expire-minutes above 43200 is a config_error', async () => {
    const r = await runCli(['blacklist', 'add', 'c-1', '--expire-minutes', '50000'], { sim });
    assert.equal(r.code, 1);
    assert.equal(json<{ error_type: string }>(r).error_type, 'config_error');
  });
});

describe('--dry-run sends nothing', () => {
  // A change to a named deployment resolves the name whenever a token is at hand (src/ops/change.ts):
  // without one (these three), nothing is read either, and the output says the name was not resolved.
  const cases: Array<{ args: string[]; method: string; path: string; body: Record<string, unknown> | undefined; noToken?: true }> = [
    { args: ['scale', 'dep-1', '4'], method: 'PUT', path: '/api/v1/dev/deployment/replica_num', body: { deployment_uuid: 'dep-1', replica_num: 4 }, noToken: true },
    { args: ['stop', 'dep-1'], method: 'PUT', path: '/api/v1/dev/deployment/operate', body: { deployment_uuid: 'dep-1', operate: 'stop' }, noToken: true },
    { args: ['delete', 'dep-1'], method: 'DELETE', path: '/api/v1/dev/deployment', body: { deployment_uuid: 'dep-1' }, noToken: true },
    {
      args: ['stop-container', 'c-1', '--no-cache'],
      method: 'PUT',
      path: '/api/v1/dev/deployment/container/stop',
      body: { deployment_container_uuid: 'c-1', no_cache: true },
    },
    {
      args: ['blacklist', 'add', 'c-1', '--comment', 'x'],
      method: 'POST',
      path: '/api/v1/dev/deployment/blacklist',
      body: { deployment_container_uuid: 'c-1', comment: 'x' },
    },
  ];
  for (const c of cases) {
    test(`${c.args.join(' ')} --dry-run`, async () => {
      const n = sim.requests();
      const r = await runCli([...c.args, '--dry-run'], { sim, ...(c.noToken ? { env: { AUTODL_TOKEN: undefined } } : {}) });
      assert.equal(r.code, 0, r.stderr);
      const out = json<{ dry_run: boolean; method: string; url: string; headers: Record<string, string>; body: unknown; deployment?: Record<string, unknown> }>(r);
      if (c.noToken) {
        assert.equal(out.deployment?.resolved, false, 'says the name was not resolved');
        assert.equal(out.deployment?.ref, 'dep-1');
        assert.match(r.stderr, /not resolved/, 'and warns so');
      } else assert.equal(out.deployment, undefined);
      assert.equal(out.dry_run, true);
      assert.equal(out.method, c.method);
      assert.equal(out.url, `${sim.url}${c.path}`);
      assert.equal(out.headers.Authorization, '***');
      assert.deepEqual(out.body, c.body);
      assert.equal(sim.requests(), n, 'no request reached the simulator');
    });
  }

  test('create --dry-run: the dialect body, nothing created, works without a token', async () => {
    const n = sim.requests();
    const count = sim.world.listDeployments(tenant(), {}).length;
    const r = await runCli(['create', rsConfig('chg-dry'), '--dry-run'], { sim, env: { AUTODL_TOKEN: undefined } });
    assert.equal(r.code, 0, r.stderr);
    const out = json<{ method: string; url: string; body: { name: string; container_template: Record<string, unknown> } }>(r);
    assert.equal(out.method, 'POST');
    assert.equal(out.url, `${sim.url}/api/v1/dev/deployment`);
    assert.equal(out.body.name, 'chg-dry');
    assert.equal(out.body.container_template.cuda_v, 118);
    assert.ok(!('cuda' in out.body.container_template));
    assert.equal(sim.requests(), n);
    assert.equal(sim.world.listDeployments(tenant(), {}).length, count);
  });

  test('create --dry-run --dialect public: needs dc_list; with it, sends the CUDA range form', async () => {
    const n = sim.requests();
    const r = await runCli(['--dialect', 'public', 'create', rsConfig('chg-dry-pub'), '--dry-run'], { sim });
    assert.equal(r.code, 1, 'the public dialect requires dc_list');
    assert.equal(json<{ error_type: string }>(r).error_type, 'validation_error');
    const withDc = writeConfig('pub.yaml', `${readFileSync(rsConfig('chg-dry-pub2'), 'utf8')}  dc_list: [westDC2]\n`);
    const ok = await runCli(['--dialect', 'public', 'create', withDc, '--dry-run'], { sim });
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const tpl = json<{ body: { container_template: Record<string, unknown> } }>(ok).body.container_template;
    assert.equal(tpl.cuda_v_from, 118);
    assert.equal(typeof tpl.cuda_v_to, 'number');
    assert.ok(!('cuda_v' in tpl));
    assert.deepEqual(tpl.dc_list, ['westDC2']);
    assert.equal(sim.requests(), n);
  });

  test('dry-run on a table: method, URL, redacted header, body', async () => {
    const r = await runCli(['stop', 'dep-9', '--dry-run', '--no-json'], { sim, env: { AUTODL_TOKEN: undefined } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^PUT ${sim.url}/api/v1/dev/deployment/operate$`, 'm'));
    assert.match(r.stdout, /^Authorization: \*\*\*$/m);
    assert.match(r.stdout, /"operate": "stop"/);
    assert.match(r.stdout, /dry run: nothing was sent/);
    assert.match(r.stderr, /"dep-9" was not resolved/);
  });

  test('with a token, a dry run resolves the name: the uuid in the body, the deployment named, nothing changed', async () => {
    const uuid = json<{ deployment_uuid: string }>(await runCli(['create', rsConfig('chg-dry-name', 1)], { sim })).deployment_uuid;
    for (const [args, method, path, body] of [
      [['scale', 'chg-dry-name', '3'], 'PUT', '/api/v1/dev/deployment/replica_num', { deployment_uuid: uuid, replica_num: 3 }],
      [['stop', 'chg-dry-name'], 'PUT', '/api/v1/dev/deployment/operate', { deployment_uuid: uuid, operate: 'stop' }],
      [['delete', 'chg-dry-name'], 'DELETE', '/api/v1/dev/deployment', { deployment_uuid: uuid }],
    ] as const) {
      const sent = sim.stats.count(method, path);
      const r = await runCli([...args, '--dry-run'], { sim });
      assert.equal(r.code, 0, r.stderr);
      const out = json<{ body: unknown; deployment: { uuid: string; name: string; status: string } }>(r);
      assert.deepEqual(out.body, body, args.join(' '));
      assert.equal(out.deployment.uuid, uuid);
      assert.equal(out.deployment.name, 'chg-dry-name');
      assert.equal(sim.stats.count(method, path), sent, `${args.join(' ')}: nothing sent`);
    }
    const table = await runCli(['scale', 'chg-dry-name', '3', '--dry-run', '--no-json'], { sim });
    assert.match(table.stdout, new RegExp(`deployment ${uuid} \\(chg-dry-name, `));
    assert.equal(sim.world.listDeployments(tenant(), { deployment_uuid: uuid })[0]!.status === 'stopped', false);
    // an unknown name, with a token to look it up: not_found, as the real run
    const ghost = await runCli(['scale', 'no-such-deployment', '3', '--dry-run'], { sim });
    assert.equal(json<{ error_type: string }>(ghost).error_type, 'not_found');
  });
});
