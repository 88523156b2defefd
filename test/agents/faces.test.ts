// Every operation of the SDK (every endpoint of its endpoint table) is reachable from a face:
// a CLI command or an MCP tool, or it is exempted here with a reason. A new endpoint without
// either fails this test. The CLI side is not taken on trust: each listed command line is run
// against the simulator and must reach its endpoint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENDPOINTS, type EndpointName } from '../../src/api/types.js';
import { COMMANDS, commandWord } from '../../src/cli/program.js';
import { TOOL_NAMES } from '../../src/mcp/server.js';
import { Command } from 'commander';
import { deploymentConfig, ensureBuilt, json, runCli, startSim, writeConfig, type SimHandle } from '../cli/helpers.js';

/** Stand-ins in a command line: the deployment and one of its containers, made before the run. */
const DEP = '<deployment>';
const CONTAINER = '<container>';

interface Face {
  /** The CLI command line that sends it (after `autodl`), and the simulator's dialect it needs. */
  cli?: { argv: string[]; dialect?: 'public' };
  /** The MCP tool that sends it. */
  mcp?: (typeof TOOL_NAMES)[number];
}

/** Which face sends each endpoint. In run order: the changes come last, delete at the very end. */
const FACES: Partial<Record<EndpointName, Face>> = {
  listPrivateImages: { cli: { argv: ['images'] }, mcp: 'list_images' },
  listSystemImages: { cli: { argv: ['images', '--system'] }, mcp: 'list_images' },
  listDeployments: { cli: { argv: ['deployments'] }, mcp: 'list_deployments' },
  listContainers: { cli: { argv: ['containers', DEP] }, mcp: 'list_containers' },
  listEvents: { cli: { argv: ['events', DEP] }, mcp: 'list_events' },
  listBlacklist: { cli: { argv: ['blacklist', 'ls'] }, mcp: 'list_blacklist' },
  gpuStock: { cli: { argv: ['stock'] }, mcp: 'list_stock' },
  regionGpuStock: { cli: { argv: ['--dialect', 'public', 'stock', '--region', 'westDC2'], dialect: 'public' }, mcp: 'list_stock' },
  ddpOverview: { cli: { argv: ['ddp', DEP] }, mcp: 'ddp_overview' },
  createDeployment: { cli: { argv: ['create', '<config>'] }, mcp: 'create_deployment' },
  addBlacklist: { cli: { argv: ['blacklist', 'add', CONTAINER] }, mcp: 'blacklist_container' },
  setReplicas: { cli: { argv: ['scale', DEP, '2'] }, mcp: 'scale_deployment' },
  stopContainer: { cli: { argv: ['stop-container', CONTAINER] }, mcp: 'stop_container' },
  operateDeployment: { cli: { argv: ['stop', DEP] }, mcp: 'stop_deployment' },
  deleteDeployment: { cli: { argv: ['delete', DEP] }, mcp: 'delete_deployment' },
};

/** Endpoints deliberately in neither face, each with its reason. */
const EXEMPT: Partial<Record<EndpointName, string>> = {};

const names = Object.keys(ENDPOINTS) as EndpointName[];

describe('every SDK operation has a face', () => {
  test('each endpoint has a CLI command or an MCP tool, or a reasoned exemption', () => {
    const missing = names.filter((n) => FACES[n] === undefined && EXEMPT[n] === undefined);
    assert.deepEqual(missing, [], `endpoints with neither a CLI command nor an MCP tool: ${missing.join(', ')}`);
    for (const [n, why] of Object.entries(EXEMPT)) assert.ok(why.trim().length >= 10, `${n}: the exemption gives a reason`);
    for (const n of Object.keys(FACES)) assert.ok(n in ENDPOINTS, `${n} is an endpoint of the SDK`);
  });

  test('the faces listed exist: the CLI command and the MCP tool', () => {
    const words = new Set(COMMANDS.flatMap((c) => c.names));
    for (const [n, f] of Object.entries(FACES) as Array<[EndpointName, Face]>) {
      assert.ok(f.cli !== undefined || f.mcp !== undefined, n);
      if (f.cli) assert.ok(words.has(commandWord(f.cli.argv) ?? ''), `${n}: autodl ${f.cli.argv.join(' ')} is a command`);
      if (f.mcp) assert.ok((TOOL_NAMES as readonly string[]).includes(f.mcp), `${n}: ${f.mcp} is a tool`);
    }
  });
});

describe('each listed CLI command line reaches its endpoint (simulator)', () => {
  const sims: Partial<Record<'private' | 'public', SimHandle>> = {};
  let dep = '';
  let container = '';
  before(async () => {
    ensureBuilt();
    sims.private = await startSim();
    sims.public = await startSim({ dialect: 'public' });
    const sim = sims.private;
    const created = await runCli(['create', writeConfig('faces.json', deploymentConfig('faces-rs', { type: 'ReplicaSet', replicas: 1 }))], { sim });
    assert.equal(created.code, 0, created.stderr);
    dep = json<{ deployment_uuid: string }>(created).deployment_uuid;
    sim.world.advance(120_000);
    const cs = json<Array<{ uuid: string }>>(await runCli(['containers', dep], { sim }));
    assert.ok(cs.length >= 1, 'the deployment has a container');
    container = cs[0]!.uuid;
  });
  after(async () => {
    await sims.private?.close();
    await sims.public?.close();
  });
  for (const n of Object.keys(FACES) as EndpointName[]) {
    const cli = FACES[n]?.cli;
    if (!cli) continue;
    test(`${n}: autodl ${cli.argv.join(' ')}`, async () => {
      const sim = sims[cli.dialect ?? 'private']!;
      const { method, path } = ENDPOINTS[n];
      const argv = cli.argv.map((a) =>
        a === DEP ? dep : a === CONTAINER ? container : a === '<config>' ? writeConfig('faces2.json', deploymentConfig('faces-job')) : a,
      );
      const before = sim.stats.count(method, path);
      const r = await runCli(argv, { sim });
      assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
      assert.ok(sim.stats.count(method, path) > before, `autodl ${argv.join(' ')} sent ${method} ${path}`);
    });
  }
});

// issue 15 §5: what a person does with the queue, an agent can do too — each queue operation has
// a CLI command and an MCP tool (their behaviour: test/agents/mcp.test.ts, test/cli/names.test.ts).
const QUEUE_FACES: Array<{ op: string; cli: string[]; option?: string; mcp: (typeof TOOL_NAMES)[number] }> = [
  { op: 'add (sweeps expanded)', cli: ['queue', 'add'], mcp: 'queue_add' },
  { op: 'list', cli: ['queue', 'ls'], mcp: 'queue_ls' },
  { op: 'show one entry', cli: ['queue', 'show'], mcp: 'queue_show' },
  { op: 'cancel', cli: ['queue', 'cancel'], mcp: 'queue_cancel' },
  { op: 'what would be created now', cli: ['queue', 'run'], option: '--dry-run', mcp: 'queue_plan' },
  { op: 'submit (wait for GPUs, then create)', cli: ['submit'], mcp: 'submit_deployment' },
  { op: 'wait for a deployment', cli: ['wait'], mcp: 'wait_deployment' },
];

describe('every queue operation has both faces', () => {
  const program = new Command();
  for (const c of COMMANDS) c.declare(program);
  for (const f of QUEUE_FACES) {
    test(`${f.op}: autodl ${f.cli.join(' ')}${f.option ? ` ${f.option}` : ''} and ${f.mcp}`, () => {
      let cmd: Command | undefined = program;
      for (const word of f.cli) cmd = cmd?.commands.find((c) => c.name() === word);
      assert.ok(cmd, `autodl ${f.cli.join(' ')} is a command`);
      if (f.option) assert.ok(cmd.options.some((o) => o.long === f.option), `autodl ${f.cli.join(' ')} takes ${f.option}`);
      assert.ok((TOOL_NAMES as readonly string[]).includes(f.mcp), `${f.mcp} is a tool`);
    });
  }
});
