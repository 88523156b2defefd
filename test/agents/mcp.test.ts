// `autodl mcp` end to end: the official SDK's Client spawns `node dist/autodl.cjs mcp` over
// stdio, with AUTODL_HOST / AUTODL_TOKEN pointing at an in-process simulator on loopback.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { DEMO_IMAGE_UUID } from '../../src/sim/presets.js';
import { TOOL_NAMES } from '../../src/mcp/server.js';
import { CLI, ROOT, childEnv, emptyDir, ensureBuilt, startSim, tempHome, type Home, type SimHandle } from '../cli/helpers.js';

const CREATE = ['POST', '/api/v1/dev/deployment'] as const;
const REPLICAS = ['PUT', '/api/v1/dev/deployment/replica_num'] as const;
const OPERATE = ['PUT', '/api/v1/dev/deployment/operate'] as const;
const DELETE = ['DELETE', '/api/v1/dev/deployment'] as const;

/** Every text a server sent (results and stderr), for the token search. */
const seen: string[] = [];

interface Session {
  client: Client;
  stderr: () => string;
  close(): Promise<void>;
}

async function connect(env: Record<string, string>, cwd: string): Promise<Session> {
  ensureBuilt();
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], env, cwd, stderr: 'pipe' });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const client = new Client({ name: 'autodl-mcp-test', version: '0.0.0' });
  await client.connect(transport);
  return {
    client,
    stderr: () => err,
    close: async () => {
      await client.close();
      seen.push(err);
    },
  };
}

interface ToolOutcome<T> {
  isError: boolean;
  value: T;
  text: string;
}

async function call<T = Record<string, unknown>>(s: Session, name: string, args: Record<string, unknown> = {}): Promise<ToolOutcome<T>> {
  const r = await s.client.callTool({ name, arguments: args });
  const content = r.content as Array<{ type: string; text?: string }>;
  assert.equal(content.length, 1, `${name}: one content item`);
  assert.equal(content[0]!.type, 'text');
  const text = content[0]!.text ?? '';
  seen.push(text);
  let value: T;
  try {
    value = JSON.parse(text) as T;
  } catch {
    throw new Error(`${name} did not return JSON: ${text}`);
  }
  return { isError: r.isError === true, value, text };
}

function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'examples', name), 'utf8')) as Record<string, unknown>;
}

function withTemplate(cfg: Record<string, unknown>, patch: Record<string, unknown>, top: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...cfg, ...top, container_template: { ...(cfg.container_template as Record<string, unknown>), ...patch } };
}

let sim: SimHandle;
let home: Home;
let s: Session;
const cwd = emptyDir();

before(async () => {
  sim = await startSim();
  home = tempHome();
  s = await connect(childEnv({ sim, home }), cwd);
});

after(async () => {
  await s?.close();
  await sim?.close();
  home?.cleanup();
  const hits = seen.filter((t) => t.includes(sim.token));
  assert.equal(hits.length, 0, `the token appeared in MCP output: ${hits[0]?.slice(0, 300)}`);
});

const tenant = () => sim.world.tenantFor(sim.token)!;
const count = (r: readonly [string, string]) => sim.stats.count(r[0], r[1]);

describe('autodl mcp: tools', () => {
  it('lists every tool, with the config argument described by the spec schema', async () => {
    const { tools } = await s.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [...TOOL_NAMES].sort());
    const validate = tools.find((t) => t.name === 'validate_config')!;
    const config = (validate.inputSchema.properties as Record<string, { anyOf?: Array<Record<string, unknown>> }>).config!;
    const objectForm = config.anyOf?.find((x) => x.type === 'object') as { properties?: Record<string, { properties?: Record<string, { description?: string }> }> };
    assert.ok(objectForm?.properties?.container_template, 'the object form is the deployment config schema');
    assert.match(objectForm.properties!.container_template!.properties!.memory_size_from!.description ?? '', /GB/);
    for (const name of ['create_deployment', 'submit_deployment', 'scale_deployment', 'stop_deployment', 'delete_deployment', 'stop_container']) {
      const t = tools.find((x) => x.name === name)!;
      assert.ok((t.inputSchema.properties as Record<string, unknown>).confirm, `${name} takes confirm`);
      assert.equal(t.annotations?.readOnlyHint, false, name);
    }
    assert.equal(tools.find((t) => t.name === 'list_stock')!.annotations?.readOnlyHint, true);
  });

  it('list_stock returns the simulator stock per GPU type', async () => {
    const r = await call<Record<string, { idle: number; total: number }>>(s, 'list_stock');
    assert.equal(r.isError, false, r.text);
    const expected = Object.fromEntries(sim.world.stock());
    assert.deepEqual(Object.keys(r.value).sort(), Object.keys(expected).sort());
    for (const [name, v] of Object.entries(r.value)) assert.deepEqual(v, expected[name], name);
    const one = await call<Record<string, unknown>>(s, 'list_stock', { gpu: ['RTX 4090'] });
    assert.deepEqual(Object.keys(one.value), ['RTX 4090']);
  });

  it('list_images shows the demo image', async () => {
    const r = await call<Array<{ image_uuid: string }>>(s, 'list_images');
    assert.equal(r.isError, false, r.text);
    assert.ok(r.value.some((i) => i.image_uuid === DEMO_IMAGE_UUID));
  });

  it('validate_config: a good inline config, a file path and YAML text give the body', async () => {
    const before = sim.requests();
    const inline = await call<{ status: string; valid: boolean; body: { container_template: Record<string, unknown> } }>(s, 'validate_config', {
      config: withTemplate(example('train-job.json'), { cuda_v: undefined, cuda: '11.8' }),
    });
    assert.equal(inline.isError, false, inline.text);
    assert.equal(inline.value.status, 'ok');
    assert.equal(inline.value.body.container_template.cuda_v, 118, 'cuda "11.8" → code 118');
    const file = await call<{ body: { name: string } }>(s, 'validate_config', { config: resolve(ROOT, 'examples', 'train-job.yaml') });
    assert.equal(file.isError, false, file.text);
    assert.equal(file.value.body.name, 'demo-train');
    const yamlText = readFileSync(join(ROOT, 'examples', 'debug-container.yaml'), 'utf8');
    const text = await call<{ body: { deployment_type: string } }>(s, 'validate_config', { config: yamlText });
    assert.equal(text.isError, false, text.text);
    assert.equal(text.value.body.deployment_type, 'Container');
    assert.equal(sim.requests(), before, 'validation sends no request');
  });

  it('validate_config: a bad config → validation_error listing every problem', async () => {
    const bad = withTemplate(example('train-job.json'), { memory_size_from: 300, memory_size_to: 10, cuda_v: 119 }, { deployment_type: 'Deployment' });
    const r = await call<{ status: string; error_type: string; message: string; details: { errors: Array<{ path: string; message: string }> } }>(
      s,
      'validate_config',
      { config: bad },
    );
    assert.equal(r.isError, true);
    assert.equal(r.value.status, 'error');
    assert.equal(r.value.error_type, 'validation_error');
    assert.equal(typeof r.value.message, 'string');
    const paths = r.value.details.errors.map((e) => e.path);
    assert.ok(paths.includes('deployment_type'), paths.join());
    assert.ok(paths.some((p) => p.includes('cuda_v')), paths.join());
    assert.ok(paths.some((p) => p.includes('memory_size')), paths.join());
  });

  it('validate_config: an unreadable file → config_error', async () => {
    const r = await call<{ error_type: string }>(s, 'validate_config', { config: 'no/such/file.yaml' });
    assert.equal(r.isError, true);
    assert.equal(r.value.error_type, 'config_error');
  });
});

describe('autodl mcp: changes need confirm', () => {
  let uuid = '';

  it('create_deployment without confirm sends nothing and returns the request', async () => {
    const creates = count(CREATE);
    const total = sim.requests();
    const r = await call<{ dry_run: boolean; sent: boolean; method: string; url: string; headers: Record<string, string>; body: { name: string } }>(
      s,
      'create_deployment',
      { config: example('debug-container.json') },
    );
    assert.equal(r.isError, false, r.text);
    assert.equal(r.value.dry_run, true);
    assert.equal(r.value.sent, false);
    assert.equal(r.value.method, 'POST');
    assert.equal(r.value.url, `${sim.url}/api/v1/dev/deployment`);
    assert.equal(r.value.headers.Authorization ?? r.value.headers.authorization, '***');
    assert.equal(r.value.body.name, 'demo-debug');
    assert.deepEqual((r.value as unknown as { warnings: unknown[] }).warnings, [], 'lint warnings come with the preview');
    const trap = await call<{ warnings: Array<{ code?: string; message: string }> }>(s, 'create_deployment', {
      config: withTemplate(example('debug-container.json'), { cmd: 'ls /data && python x.py || echo fallback' }),
    });
    assert.ok(trap.value.warnings.length >= 1, trap.text);
    assert.match(JSON.stringify(trap.value.warnings), /&&|\|\|/);
    // the queue: block (issue 16) is the queue's: create ignores it with a warning, and the request has none of it
    const queued = await call<{ warnings: Array<{ code?: string; path?: string }>; body: Record<string, unknown> }>(s, 'create_deployment', {
      config: { ...example('debug-container.json'), queue: { max_runtime: '4h' } },
    });
    assert.equal(queued.isError, false, queued.text);
    assert.ok(queued.value.warnings.some((w) => w.code === 'queue_block_ignored' && w.path === 'queue'), queued.text);
    assert.equal('queue' in queued.value.body, false);
    const v = await call<{ queue: Record<string, unknown> }>(s, 'validate_config', {
      config: { ...example('debug-container.json'), queue: { max_runtime: '4h' } },
    });
    assert.deepEqual(v.value.queue, { max_runtime_ms: 14_400_000 });
    assert.equal(count(CREATE), creates, 'no create request reached the simulator');
    assert.equal(sim.requests(), total, 'no request at all');
  });

  it('create_deployment with confirm creates it', async () => {
    const r = await call<{ status: string; deployment_uuid: string }>(s, 'create_deployment', { config: example('replicaset-service.json'), confirm: true });
    assert.equal(r.isError, false, r.text);
    assert.equal(r.value.status, 'success');
    uuid = r.value.deployment_uuid;
    const d = sim.world.listDeployments(tenant(), { deployment_uuid: uuid })[0];
    assert.ok(d, 'the deployment exists in the simulator');
    assert.equal(d.name, 'demo-service');
    const listed = await call<Array<{ uuid: string }>>(s, 'list_deployments', { name: 'demo-service' });
    assert.ok(listed.value.some((x) => x.uuid === uuid));
  });

  it('list_containers and list_events of it; no root_password', async () => {
    sim.world.advance(60_000);
    const c = await call<Array<Record<string, unknown>>>(s, 'list_containers', { deployment: uuid });
    assert.equal(c.isError, false, c.text);
    assert.ok(c.value.length >= 1);
    assert.doesNotMatch(c.text, /root_password/);
    const byName = await call<Array<Record<string, unknown>>>(s, 'list_containers', { deployment: 'demo-service' });
    assert.equal(byName.value.length, c.value.length, 'a deployment by exact name');
    const e = await call<Array<{ status: string }>>(s, 'list_events', { deployment: uuid });
    assert.equal(e.isError, false, e.text);
    assert.ok(e.value.length >= 1);
    const last = await call<unknown[]>(s, 'list_events', { deployment: uuid, last: 1 });
    assert.equal(last.value.length, 1);
  });

  it('ddp_overview: the duration packages of a deployment by name or uuid, as the simulator has them', async () => {
    sim.world.advance(600_000);
    const r = await call<Array<{ gpu_type: string; total: number; balance: number; dc_list: string[] }>>(s, 'ddp_overview', { deployment: 'demo-service' });
    assert.equal(r.isError, false, r.text);
    assert.deepEqual(r.value, sim.world.ddpOverview(tenant(), uuid));
    assert.ok(r.value.some((p) => p.balance < p.total), `the running containers used some of a package: ${r.text}`);
    const ghost = await call<{ error_type: string }>(s, 'ddp_overview', { deployment: 'no-such-deployment' });
    assert.equal(ghost.isError, true);
    assert.equal(ghost.value.error_type, 'not_found');
  });

  it('wait_deployment: met, timeout with the last state, a bad condition', async () => {
    const made = await call<{ deployment_uuid: string }>(s, 'create_deployment', {
      config: withTemplate(example('replicaset-service.json'), { cmd: 'sleep infinity' }, { name: 'mcp-wait', replica_num: 1 }),
      confirm: true,
    });
    assert.equal(made.isError, false, made.text);
    const waited = made.value.deployment_uuid;
    sim.world.advance(120_000);
    const met = await call<{ status: string; deployment_uuid: string; condition: string; observed: { status: string } }>(s, 'wait_deployment', {
      deployment: 'mcp-wait',
      for: 'running',
      timeout_seconds: 5,
    });
    assert.equal(met.isError, false, met.text);
    assert.equal(met.value.status, 'success');
    assert.equal(met.value.deployment_uuid, waited);
    assert.equal(met.value.condition, 'running');
    const late = await call<{ error_type: string; details: { timeout_seconds: number; last_state: { exists: boolean } } }>(s, 'wait_deployment', {
      deployment: waited,
      for: 'replicas=7',
      timeout_seconds: 0.3,
      interval_seconds: 0.1,
    });
    assert.equal(late.isError, true, late.text);
    assert.equal(late.value.error_type, 'timeout');
    assert.equal(late.value.details.timeout_seconds, 0.3);
    assert.equal(late.value.details.last_state.exists, true);
    const bad = await call<{ error_type: string; details: { field: string } }>(s, 'wait_deployment', { deployment: waited, for: 'soon' });
    await call(s, 'delete_deployment', { deployment: waited, confirm: true });
    assert.equal(bad.value.error_type, 'config_error');
    assert.equal(bad.value.details.field, 'for');
  });

  it('the CLI dry run and the MCP preview of a change by name are the same request', async () => {
    const { runCli } = await import('../cli/helpers.js');
    const cli = await runCli(['scale', 'demo-service', '3', '--dry-run'], { sim, home });
    assert.equal(cli.code, 0, cli.stderr);
    const mcp = await call<Record<string, unknown>>(s, 'scale_deployment', { deployment: 'demo-service', replica_num: 3 });
    const same = (v: Record<string, unknown>) => ({ method: v.method, url: v.url, headers: v.headers, body: v.body, deployment: v.deployment });
    assert.deepEqual(same(mcp.value), same(JSON.parse(cli.stdout) as Record<string, unknown>));
    assert.deepEqual((mcp.value.body as { deployment_uuid: string }).deployment_uuid, uuid);
  });

  it('describe_deployment: the deployment, its containers and its latest events', async () => {
    const r = await call<{ deployment: { uuid: string; name: string }; containers: Array<Record<string, unknown>>; events: unknown[] }>(s, 'describe_deployment', {
      deployment: 'demo-service',
    });
    assert.equal(r.isError, false, r.text);
    assert.equal(r.value.deployment.uuid, uuid);
    const containers = sim.world.listContainers(tenant(), uuid, {});
    assert.equal(r.value.containers.length, containers.length);
    assert.ok(r.value.events.length >= 1 && r.value.events.length <= 10);
    assert.doesNotMatch(r.text, /root_password/);
    const none = await call<{ events: unknown[] }>(s, 'describe_deployment', { deployment: uuid, events: 0 });
    assert.deepEqual(none.value.events, []);
  });

  it('deployment_cost: spend and burn rate at the server clock; a bad since is a config_error', async () => {
    sim.world.advance(3_600_000); // an hour of running containers
    const r = await call<{ total_yuan: number; burn_rate_yuan_per_hour: number; deployments: Array<{ uuid: string; spent_yuan: number }> }>(s, 'deployment_cost', {
      deployment: uuid,
    });
    assert.equal(r.isError, false, r.text);
    assert.deepEqual(r.value.deployments.map((d) => d.uuid), [uuid]);
    assert.ok(r.value.total_yuan > 0, r.text);
    assert.ok(r.value.burn_rate_yuan_per_hour > 0, r.text);
    const recent = await call<{ total_yuan: number }>(s, 'deployment_cost', { deployment: uuid, since: '30m' });
    assert.ok(recent.value.total_yuan < r.value.total_yuan, 'since narrows the window');
    const bad = await call<{ error_type: string; details: { field: string } }>(s, 'deployment_cost', { since: 'yesterday-ish' });
    assert.equal(bad.isError, true);
    assert.equal(bad.value.error_type, 'config_error');
    assert.equal(bad.value.details.field, 'since');
  });

  it('blacklist_container: preview sends nothing; confirmed, the host shows in list_blacklist', async () => {
    const container = sim.world.listContainers(tenant(), uuid, {})[0]!;
    const before = sim.requests();
    const p = await call<{ dry_run: boolean; method: string; body: Record<string, unknown> }>(s, 'blacklist_container', {
      container: container.uuid,
      comment: 'bad GPU',
      expire_minutes: 60,
    });
    assert.equal(p.value.dry_run, true, p.text);
    assert.equal(p.value.method, 'POST');
    assert.deepEqual(p.value.body, { deployment_container_uuid: container.uuid, comment: 'bad GPU', expire_in_minutes: 60 });
    assert.equal(sim.requests(), before, 'the preview sent nothing');
    const empty = await call<unknown[]>(s, 'list_blacklist');
    assert.deepEqual(empty.value, []);
    const done = await call<{ status: string }>(s, 'blacklist_container', { container: container.uuid, comment: 'bad GPU', confirm: true });
    assert.equal(done.value.status, 'success', done.text);
    const listed = await call<Array<{ machine_id: string }>>(s, 'list_blacklist');
    assert.equal(listed.value.length, 1, listed.text);
    assert.equal(listed.value[0]!.machine_id, container.machine_id);
  });

  it('scale_deployment: preview without confirm, then applied', async () => {
    const puts = count(REPLICAS);
    const p = await call<{ dry_run: boolean; method: string; body: { deployment_uuid: string; replica_num: number } }>(s, 'scale_deployment', {
      deployment: 'demo-service',
      replica_num: 3,
    });
    assert.equal(p.isError, false, p.text);
    assert.equal(p.value.dry_run, true);
    assert.equal(p.value.method, 'PUT');
    assert.deepEqual(p.value.body, { deployment_uuid: uuid, replica_num: 3 }, 'the name resolved to the uuid');
    assert.equal(count(REPLICAS), puts, 'nothing sent');
    const r = await call<{ status: string; replica_num: number }>(s, 'scale_deployment', { deployment: uuid, replica_num: 3, confirm: true });
    assert.equal(r.value.status, 'success', r.text);
    assert.equal(count(REPLICAS), puts + 1);
    assert.equal(sim.world.listDeployments(tenant(), { deployment_uuid: uuid })[0]!.replica_num, 3);
  });

  it('stop_deployment and delete_deployment: preview, then applied', async () => {
    const ops = count(OPERATE);
    const p = await call<{ dry_run: boolean; body: Record<string, unknown> }>(s, 'stop_deployment', { deployment: uuid });
    assert.deepEqual(p.value.body, { deployment_uuid: uuid, operate: 'stop' });
    assert.equal(count(OPERATE), ops);
    const stopped = await call<{ status: string }>(s, 'stop_deployment', { deployment: uuid, confirm: true });
    assert.equal(stopped.value.status, 'success', stopped.text);
    assert.equal(count(OPERATE), ops + 1);
    assert.equal(sim.world.listDeployments(tenant(), { deployment_uuid: uuid })[0]!.status, 'stopped');

    const dels = count(DELETE);
    const pd = await call<{ dry_run: boolean; method: string }>(s, 'delete_deployment', { deployment: uuid });
    assert.equal(pd.value.method, 'DELETE');
    assert.equal(count(DELETE), dels);
    const deleted = await call<{ status: string }>(s, 'delete_deployment', { deployment: uuid, confirm: true });
    assert.equal(deleted.value.status, 'success', deleted.text);
    assert.equal(count(DELETE), dels + 1);
    assert.equal(sim.world.listDeployments(tenant(), { deployment_uuid: uuid }).length, 0, 'gone from the list');
  });

  it('stop_container: preview only without confirm', async () => {
    const r = await call<{ dry_run: boolean; body: Record<string, unknown> }>(s, 'stop_container', { container: 'c-1', decrease_replica: true });
    assert.equal(r.value.dry_run, true);
    assert.deepEqual(r.value.body, { deployment_container_uuid: 'c-1', decrease_one_replica_num: true });
  });

  it('submit_deployment: preview, then queued submit creates once', async () => {
    const creates = count(CREATE);
    const p = await call<{ dry_run: boolean }>(s, 'submit_deployment', { config: example('train-job.json') });
    assert.equal(p.value.dry_run, true, p.text);
    assert.equal(count(CREATE), creates);
    const r = await call<{ status: string; deployment_uuid: string; waited_seconds: number }>(s, 'submit_deployment', {
      config: example('train-job.json'),
      confirm: true,
      timeout_seconds: 120,
    });
    assert.equal(r.isError, false, r.text);
    assert.equal(r.value.status, 'success');
    assert.equal(typeof r.value.waited_seconds, 'number');
    assert.equal(count(CREATE), creates + 1);
    assert.ok(sim.world.listDeployments(tenant(), { deployment_uuid: r.value.deployment_uuid })[0]);
  });
});

// red-team of issue 11: the MCP submit is the CLI's submit ("Same as `autodl submit`"), and an
// MCP client gives up on a slow call (its request timeout, a cancel) while the server goes on;
// the agent then calls again. Without the durable intent record the second call made a second
// deployment of the same config.
describe('autodl mcp: submit_deployment is durable like autodl submit', () => {
  it('a call cancelled while its create is in flight, then the same call again: the earlier create is the result, one deployment', async () => {
    const cfg = { ...example('train-job.json'), name: 'mcp-durable' };
    const mine = () => sim.world.listDeployments(tenant(), {}).filter((d) => d.name.startsWith('mcp-durable'));
    const creates = count(CREATE);
    sim.faults.add({ method: 'POST', path: CREATE[1], kind: 'slow', delay_ms: 2500, count: 2 });
    try {
      const ac = new AbortController();
      const first = s.client.callTool({ name: 'submit_deployment', arguments: { config: cfg, confirm: true, interval_seconds: 0.2 } }, undefined, { signal: ac.signal });
      while (count(CREATE) === creates) await new Promise((r) => setTimeout(r, 10));
      ac.abort(); // the client gives up; the create is in flight on the server
      await assert.rejects(first);
      while (mine().length === 0) await new Promise((r) => setTimeout(r, 20)); // it lands
      const again = await call<{ status: string; deployment_uuid: string; resumed?: boolean; found_earlier_create?: boolean }>(s, 'submit_deployment', {
        config: cfg,
        confirm: true,
        interval_seconds: 0.2,
      });
      assert.equal(again.isError, false, again.text);
      await new Promise((r) => setTimeout(r, 2600)); // a second create, had one been sent, lands
      assert.equal(mine().length, 1, `exactly one deployment of the config, got ${mine().length}`);
      assert.equal(again.value.deployment_uuid, mine()[0]!.uuid);
      assert.equal(again.value.found_earlier_create, true, again.text);
      assert.equal(count(CREATE) - creates, 1, 'the second call sent no create');
    } finally {
      sim.faults.clear();
    }
  });
});

describe('autodl mcp: errors in the contract shape', () => {
  it('submit with an unknown image → image_not_found with the available images, nothing created', async () => {
    const creates = count(CREATE);
    const r = await call<{ status: string; error_type: string; details: { requested: string; available_images: Array<{ image_uuid: string }> } }>(
      s,
      'submit_deployment',
      { config: withTemplate(example('train-job.json'), { image_uuid: 'image-doesnotexist' }), confirm: true },
    );
    assert.equal(r.isError, true);
    assert.equal(r.value.status, 'error');
    assert.equal(r.value.error_type, 'image_not_found');
    assert.equal(r.value.details.requested, 'image-doesnotexist');
    assert.ok(r.value.details.available_images.some((i) => i.image_uuid === DEMO_IMAGE_UUID));
    assert.equal(count(CREATE), creates);
  });

  it('submit while no requested GPU is free → timeout with last_stock, progress notified, nothing created', async () => {
    const gpus = ['RTX 4090', 'RTX 3090'];
    const taken = gpus.map((g) => sim.world.occupy(g, 10_000));
    const creates = count(CREATE);
    const progress: Array<{ progress: number; total?: number | undefined; message?: string | undefined }> = [];
    try {
      const r = await s.client.callTool(
        { name: 'submit_deployment', arguments: { config: example('train-job.json'), confirm: true, timeout_seconds: 1, interval_seconds: 0.2 } },
        undefined,
        { onprogress: (p) => progress.push(p) },
      );
      const text = (r.content as Array<{ text: string }>)[0]!.text;
      seen.push(text);
      const v = JSON.parse(text) as { error_type: string; details: { timeout_seconds: number; last_stock: Record<string, { idle: number }> } };
      assert.equal(r.isError, true, text);
      assert.equal(v.error_type, 'timeout');
      assert.equal(v.details.timeout_seconds, 1);
      for (const g of gpus) assert.equal(v.details.last_stock[g]?.idle, 0, `${g} shown with 0 idle`);
      assert.ok(progress.some((p) => /waiting for GPUs/.test(p.message ?? '')), JSON.stringify(progress));
      assert.equal(count(CREATE), creates, 'nothing created');
    } finally {
      gpus.forEach((g, i) => sim.world.free(g, taken[i]!));
    }
  });

  it('submit with an interval or timeout out of bounds is refused before anything is sent (schema bounds advertised)', async () => {
    const { tools } = await s.client.listTools();
    const props = tools.find((t) => t.name === 'submit_deployment')!.inputSchema.properties as Record<string, { minimum?: number; maximum?: number }>;
    assert.equal(props.interval_seconds?.minimum, 0.05);
    assert.equal(props.interval_seconds?.maximum, 86_400);
    assert.equal(props.timeout_seconds?.maximum, 30 * 86_400);
    const creates = count(CREATE);
    const stocks = sim.stats.total;
    for (const bad of [{ interval_seconds: 1e-9 }, { interval_seconds: 3_000_000 }, { interval_seconds: 0 }, { timeout_seconds: 1e12 }, { timeout_seconds: -1 }]) {
      const r = await s.client.callTool({ name: 'submit_deployment', arguments: { config: example('train-job.json'), confirm: true, ...bad } });
      const text = (r.content as Array<{ text: string }>)[0]!.text;
      seen.push(text);
      assert.equal(r.isError, true, `${JSON.stringify(bad)} refused: ${text}`);
      assert.match(text, new RegExp(Object.keys(bad)[0]!), text);
    }
    assert.equal(count(CREATE), creates, 'nothing created');
    assert.equal(sim.stats.total, stocks, 'not even a stock check was sent');
  });

  it('an unknown deployment → not_found', async () => {
    const r = await call<{ error_type: string; details: Record<string, unknown> }>(s, 'scale_deployment', { deployment: 'no-such-deployment', replica_num: 1 });
    assert.equal(r.isError, true);
    assert.equal(r.value.error_type, 'not_found');
    assert.equal(r.value.details.deployment, 'no-such-deployment');
  });

  it('without a token: reads → token_missing; previews still work', async () => {
    const noTokenHome = tempHome();
    const env = childEnv({ home: noTokenHome, env: { AUTODL_HOST: sim.url } });
    const t = await connect(env, emptyDir());
    try {
      const r = await call<{ status: string; error_type: string; message: string; details: Record<string, unknown> }>(t, 'list_stock');
      assert.equal(r.isError, true);
      assert.equal(r.value.error_type, 'token_missing');
      assert.deepEqual(Object.keys(r.value).sort(), ['details', 'error_type', 'message', 'status']);
      const p = await call<{ dry_run: boolean }>(t, 'create_deployment', { config: example('debug-container.json') });
      assert.equal(p.isError, false, p.text);
      assert.equal(p.value.dry_run, true);
      // a change to a named deployment: previewed without looking the name up, and saying so — as `autodl scale … --dry-run` without a token
      const before = sim.requests();
      const named = await call<{ dry_run: boolean; body: Record<string, unknown>; deployment: { ref: string; resolved: boolean; reason: string } }>(t, 'scale_deployment', {
        deployment: 'demo-service',
        replica_num: 2,
      });
      assert.equal(named.isError, false, named.text);
      assert.deepEqual(named.value.body, { deployment_uuid: 'demo-service', replica_num: 2 });
      assert.deepEqual({ ref: named.value.deployment.ref, resolved: named.value.deployment.resolved }, { ref: 'demo-service', resolved: false });
      assert.match(named.value.deployment.reason, /not resolved/);
      assert.equal(sim.requests(), before, 'nothing read, nothing sent');
      const { runCli } = await import('../cli/helpers.js');
      const cli = await runCli(['scale', 'demo-service', '2', '--dry-run'], { home: noTokenHome, env: { AUTODL_HOST: sim.url, AUTODL_TOKEN: undefined } });
      assert.equal(cli.code, 0, cli.stderr);
      const c = JSON.parse(cli.stdout) as { body: unknown; deployment: unknown };
      assert.deepEqual(c.body, named.value.body, 'the CLI sends the same');
      assert.deepEqual(c.deployment, named.value.deployment, 'and says the same');
    } finally {
      await t.close();
      noTokenHome.cleanup();
    }
  });
});

describe('autodl mcp: the token goes only to the host it belongs to', () => {
  it("a .env that only sets AUTODL_HOST gets no request: config_error token_host_mismatch", async () => {
    const { recordingServer } = await import('../cli/hostile.js');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const attacker = await recordingServer();
    const h = tempHome();
    const dir = emptyDir();
    try {
      mkdirSync(join(h.env.XDG_CONFIG_HOME, 'autodl'), { recursive: true, mode: 0o700 });
      writeFileSync(join(h.env.XDG_CONFIG_HOME, 'autodl', 'config.json'), JSON.stringify({ token: sim.token, host: sim.url }), { mode: 0o600 });
      writeFileSync(join(dir, '.env'), `AUTODL_HOST=${attacker.url}\n`);
      const t = await connect(childEnv({ home: h }), dir);
      try {
        const r = await call<{ error_type: string; details: Record<string, unknown> }>(t, 'list_stock');
        assert.equal(r.isError, true);
        assert.equal(r.value.error_type, 'config_error');
        assert.equal(r.value.details.reason, 'token_host_mismatch');
      } finally {
        await t.close();
      }
      assert.equal(attacker.requests.length, 0);
    } finally {
      await attacker.close();
      h.cleanup();
    }
  });
});

describe('autodl mcp: process', () => {
  it('exits 0 when stdin closes, and prints nothing but protocol on stdout', async () => {
    const { runCli } = await import('../cli/helpers.js');
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } } };
    const r = await runCli(['mcp'], { sim, home, input: `${JSON.stringify(init)}\n` });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.ok(lines.length >= 1);
    for (const l of lines) assert.equal((JSON.parse(l) as { jsonrpc: string }).jsonrpc, '2.0', l);
    assert.equal((JSON.parse(lines[0]!) as { result: { serverInfo: { name: string } } }).result.serverInfo.name, 'autodl-elastic');
  });
});

// issue 15 §5: agents can do what people can — the queue over MCP, and §1's one name.
describe('autodl mcp: the queue and one name (issue 15)', () => {
  const sweepConfig = (name: string) => ({ ...withTemplate(example('train-job.json'), { cmd: 'echo {{lr}}; sleep 5' }), name: `${name}-{{lr}}`, sweep: { lr: ['1e-3', '1e-4'] } });

  it('queue_add: a sweep previewed with the marked names (nothing added), then added; queue_ls and queue_show see the entries', async () => {
    const entriesBefore = (await call<{ count: number }>(s, 'queue_ls', { all: true })).value.count;
    const requests = sim.requests();
    const p = await call<{ dry_run: boolean; count: number; entries: Array<{ name: string; deployment_name: string; body: { name: string }; params: Record<string, string> }> }>(
      s,
      'queue_add',
      { config: sweepConfig('mq-sw') },
    );
    assert.equal(p.isError, false, p.text);
    assert.equal(p.value.dry_run, true);
    assert.deepEqual(p.value.entries.map((e) => e.name), ['mq-sw-1e-3', 'mq-sw-1e-4']);
    assert.deepEqual(p.value.entries.map((e) => e.body.name), ['mq-sw-1e-3-q########', 'mq-sw-1e-4-q########']);
    assert.deepEqual(p.value.entries[1]!.params, { lr: '1e-4' });
    const none = await call<{ count: number }>(s, 'queue_ls', { all: true });
    assert.equal(none.isError, false, none.text);
    assert.equal(none.value.count, entriesBefore, 'the preview added nothing');

    const r = await call<{ status: string; count: number; entries: Array<{ id: string; name: string; deployment_name: string }> }>(s, 'queue_add', {
      config: sweepConfig('mq-sw'),
      label: 'mq',
      confirm: true,
    });
    assert.equal(r.isError, false, r.text);
    assert.equal(r.value.count, 2);
    for (const e of r.value.entries) assert.equal(e.deployment_name, `${e.name}-q${e.id.slice(2)}`);
    const ls = await call<{ count: number; counts: Record<string, number>; entries: Array<{ id: string; state: string; label: string }> }>(s, 'queue_ls', { label: 'mq' });
    assert.equal(ls.value.count, 2, ls.text);
    assert.deepEqual(ls.value.counts, { pending: 2 });
    const show = await call<{ entry: { id: string; state: string; body: { container_template: { cmd: string } } }; history: Array<{ to_state: string }> }>(s, 'queue_show', {
      id: r.value.entries[1]!.id,
    });
    assert.equal(show.isError, false, show.text);
    assert.equal(show.value.entry.state, 'pending');
    assert.equal(show.value.entry.body.container_template.cmd, 'echo 1e-4; sleep 5');
    assert.equal(show.value.history[0]!.to_state, 'pending');
    const ghost = await call<{ error_type: string }>(s, 'queue_show', { id: 'q-zzzzzzzz' });
    assert.equal(ghost.isError, true);
    assert.equal(ghost.value.error_type, 'not_found');
    assert.equal(sim.requests(), requests, 'adding, listing and showing send no API request');

    // queue_plan: what a worker would create now and why the other waits; no create sent
    const creates = count(CREATE);
    type PlanOut = { dry_run: boolean; would_create: Array<{ id: string; gpu_name: string; gpus: number }>; would_wait: Array<{ id: string; reason: string; explanation: string }>; usage: { gpus: number } };
    const free = await call<PlanOut>(s, 'queue_plan');
    assert.equal(free.isError, false, free.text);
    assert.deepEqual(free.value.would_create.map((c) => c.id).sort(), r.value.entries.map((e) => e.id).sort(), free.text);
    // a GPU limit that leaves room for one of the two (the usage counts what the queue has alive, plus the planned creates)
    const plan = await call<PlanOut>(s, 'queue_plan', { max_gpus: free.value.usage.gpus - free.value.would_create[1]!.gpus });
    assert.equal(plan.isError, false, plan.text);
    assert.equal(plan.value.dry_run, true);
    assert.equal(plan.value.would_create.length, 1, plan.text);
    assert.equal(plan.value.would_wait.length, 1, plan.text);
    assert.equal(plan.value.would_wait[0]!.reason, 'limit_gpus');
    assert.match(plan.value.would_wait[0]!.explanation, /max-gpus/);
    assert.equal(count(CREATE), creates, 'queue_plan creates nothing');

    // queue_cancel: a preview changes nothing; confirmed, both cancelled; an unknown id cancels nothing
    const ids = r.value.entries.map((e) => e.id);
    const pc = await call<{ dry_run: boolean; entries: Array<{ id: string; state: string }> }>(s, 'queue_cancel', { ids });
    assert.equal(pc.value.dry_run, true, pc.text);
    assert.deepEqual(pc.value.entries.map((e) => e.state), ['pending', 'pending']);
    const bad = await call<{ error_type: string }>(s, 'queue_cancel', { ids: [ids[0]!, 'q-zzzzzzzz'], confirm: true });
    assert.equal(bad.isError, true);
    assert.equal(bad.value.error_type, 'not_found');
    assert.equal((await call<{ counts: Record<string, number> }>(s, 'queue_ls', { label: 'mq' })).value.counts.pending, 2, 'nothing was cancelled');
    const done = await call<{ entries: Array<{ id: string; state: string }> }>(s, 'queue_cancel', { ids, confirm: true });
    assert.equal(done.isError, false, done.text);
    assert.deepEqual(done.value.entries.map((e) => e.state), ['cancelled', 'cancelled']);
    const after = await call<{ count: number }>(s, 'queue_ls', { states: ['cancelled'], label: 'mq' });
    assert.equal(after.value.count, 2);
    const badState = await call<{ error_type: string; details: { valid: string[] } }>(s, 'queue_ls', { states: ['runing'] });
    assert.equal(badState.value.error_type, 'config_error');
    assert.ok(badState.value.details.valid.includes('running'));
  });

  it('submit_deployment previews the marked name; a name too long once marked is refused', async () => {
    const p = await call<{ dry_run: boolean; body: { name: string }; mark: { length: number; limit: number } }>(s, 'submit_deployment', {
      config: { ...example('train-job.json'), name: 'mq-one' },
    });
    assert.equal(p.isError, false, p.text);
    assert.equal(p.value.body.name, 'mq-one-q########');
    assert.equal(p.value.mark.limit, 64);
    const long = await call<{ error_type: string; details: { limit: number; marked_length: number } }>(s, 'submit_deployment', {
      config: { ...example('train-job.json'), name: 'l'.repeat(60) },
    });
    assert.equal(long.isError, true);
    assert.equal(long.value.error_type, 'config_error');
    assert.equal(long.value.details.limit, 64);
    assert.equal(long.value.details.marked_length, 70);
    const q = await call<{ error_type: string }>(s, 'queue_add', { config: { ...example('train-job.json'), name: 'l'.repeat(60) }, confirm: true });
    assert.equal(q.value.error_type, 'config_error');
    const v = await call<{ error_type: string; details: { marked_length: number } }>(s, 'validate_config', { config: { ...example('train-job.json'), name: 'l'.repeat(55) } });
    assert.equal(v.value.error_type, 'config_error');
    assert.equal(v.value.details.marked_length, 65);
    const fits = await call<{ valid: boolean }>(s, 'validate_config', { config: { ...example('train-job.json'), name: 'l'.repeat(54) } });
    assert.equal(fits.value.valid, true, fits.text);
  });

  it('describe_deployment, wait_deployment and stop_deployment take the name written and the queue entry id', async () => {
    const r = await call<{ deployment_uuid: string; entry_id: string; deployment_name: string }>(s, 'submit_deployment', {
      config: { ...example('train-job.json'), name: 'mq-named' },
      confirm: true,
      timeout_seconds: 60,
      interval_seconds: 1,
    });
    assert.equal(r.isError, false, r.text);
    assert.match(r.value.deployment_name, /^mq-named-q[0-9a-z]{8}$/);
    for (const ref of ['mq-named', r.value.entry_id, r.value.deployment_name, r.value.deployment_uuid.slice(0, 8)]) {
      const d = await call<{ deployment: { uuid: string } }>(s, 'describe_deployment', { deployment: ref });
      assert.equal(d.isError, false, `${ref}: ${d.text}`);
      assert.equal(d.value.deployment.uuid, r.value.deployment_uuid, ref);
    }
    sim.world.advance(120_000);
    const w = await call<{ status: string; deployment_uuid: string }>(s, 'wait_deployment', { deployment: r.value.entry_id, for: 'finished', timeout_seconds: 20, interval_seconds: 1 });
    assert.equal(w.isError, false, w.text);
    assert.equal(w.value.deployment_uuid, r.value.deployment_uuid);
    const p = await call<{ dry_run: boolean; body: { deployment_uuid: string }; resolved: { by: string } }>(s, 'stop_deployment', { deployment: 'mq-named' });
    assert.equal(p.value.body.deployment_uuid, r.value.deployment_uuid, p.text);
    assert.equal(p.value.resolved.by, 'marked_name');
  });
});
