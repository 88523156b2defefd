// Malformed replies the simulator cannot produce: a loopback server of our own that answers
// every endpoint with the same broken reply (not JSON, not an envelope, Success without
// data, wrong types inside data, very long lists, a max_page that lies). The SDK and the
// CLI must answer with data or a clean error — no crash, no hang.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AutodlClient } from '../src/api/index.js';
import { AutodlError } from '../src/errors.js';
import { check, cleanEnv, hasStackTrace, notCleanError, pool, report, runCli, type Section, type Suite } from './lib.js';

type Reply = { status: number; type: string; body: string };

function item(i: number): Record<string, unknown> {
  return {
    uuid: `dep${i}`,
    name: `n${i}`,
    deployment_type: 'Job',
    status: 'running',
    replica_num: 1,
    running_num: 1,
    deployment_uuid: `dep${i}`,
    deployment_container_uuid: `dep${i}-m-c`,
    machine_id: 'm',
    data_center: 'westDC2',
    gpu_name: 'RTX 4090',
    gpu_num: 1,
    price: 1000,
    created_at: '2026-07-01T08:00:00+08:00',
    image_uuid: `image-${i}`,
    image_name: `img${i}`,
  };
}

const JUNK_FIELDS = {
  uuid: 5,
  name: null,
  status: {},
  deployment_type: 7,
  replica_num: 'two',
  running_num: [],
  finished_num: 'x',
  created_at: 12,
  started_at: {},
  template: 'x',
  container_template: 3,
  info: 'x',
  gpu_name: [],
  gpu_num: '1',
  price: 'free',
  memory_size: -1,
  idle_gpu_num: 'x',
  total_gpu_num: null,
  deployment_container_uuid: 9,
  machine_id: {},
  expired_time: true,
  image_uuid: 0,
};

const env = (data: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ code: 'Success', msg: '', ...extra, ...(data === undefined ? {} : { data }) });
const json = (body: string): Reply => ({ status: 200, type: 'application/json', body });

export function scenarios(longList: number): Record<string, () => Reply> {
  let long: string | undefined;
  return {
    'HTML page (HTTP 200)': () => ({ status: 200, type: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1>nginx</body></html>' }),
    'empty body': () => ({ status: 200, type: 'application/json', body: '' }),
    'JSON array, not an envelope': () => json('[]'),
    'JSON null': () => json('null'),
    'object without code': () => json('{"msg":"","data":{}}'),
    'code is a number': () => json('{"code":0,"msg":"","data":{}}'),
    'Success without data': () => json(env(undefined)),
    'Success, data null': () => json(env(null)),
    'Success, data a string': () => json(env('oops')),
    'Success, data a number': () => json(env(42)),
    'Success, data a list of junk': () => json(env([null, 1, 'x', [], {}, true])),
    'page with wrong types': () => json(env({ list: 'x', page_index: '1', page_size: {}, max_page: 'many', result_total: -5 })),
    'list of junk items': () => json(env({ list: [null, 1, 'x', [], {}, true], page_index: 1, page_size: 10, max_page: 1, result_total: 6 })),
    'items with wrong field types': () => json(env({ list: [JUNK_FIELDS, JUNK_FIELDS], page_index: 1, page_size: 10, max_page: 1, result_total: 2 })),
    'stock with wrong types': () => json(env({ 'RTX 4090': { idle_gpu_num: 'x', total_gpu_num: null }, x: 5, y: [1], z: null })),
    [`very long list (${longList} items)`]: () => {
      long ??= env({ list: Array.from({ length: longList }, (_, i) => item(i)), page_index: 1, page_size: longList, max_page: 1, result_total: longList });
      return json(long);
    },
    'max_page that lies (1e9, same page every time)': () => json(env({ list: [item(1)], page_index: 1, page_size: 1, max_page: 1e9, result_total: 1e9 })),
    'HTTP 200, truncated JSON': () => json('{"code":"Success","msg":"","data":{"list":[{"uuid":"a'),
  };
}

async function serve(reply: { current: () => Reply }): Promise<{ server: Server; url: string; requests: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    n++;
    req.resume();
    req.on('end', () => {
      const r = reply.current();
      res.writeHead(r.status, { 'content-type': r.type });
      res.end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => n };
}

const OPS: Array<[string, (c: AutodlClient) => Promise<unknown>]> = [
  ['images.list', (c) => c.images.list()],
  ['images.listSystem', (c) => c.images.listSystem()],
  ['deployments.create', (c) => c.deployments.create({ name: 'x', deployment_type: 'Job', replica_num: 1, container_template: { gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, cpu_num_from: 1, cpu_num_to: 10, memory_size_from: 1, memory_size_to: 10, price_from: 1, price_to: 10, image_uuid: 'i', cmd: 'x' } } as never)],
  ['deployments.list', (c) => c.deployments.list()],
  ['deployments.listAll', async (c) => {
    let n = 0;
    for await (const _ of c.deployments.listAll()) n++;
    return n;
  }],
  ['deployments.get', (c) => c.deployments.get('dep1')],
  ['events.list', (c) => c.events.list({ deployment_uuid: 'd' })],
  ['containers.list', (c) => c.containers.list({ deployment_uuid: 'd' })],
  ['containers.stop', (c) => c.containers.stop({ deployment_container_uuid: 'c' })],
  ['deployments.setReplicas', (c) => c.deployments.setReplicas('d', 1)],
  ['deployments.stop', (c) => c.deployments.stop('d')],
  ['deployments.delete', (c) => c.deployments.delete('d')],
  ['blacklist.add', (c) => c.blacklist.add({ deployment_container_uuid: 'c' })],
  ['blacklist.list', (c) => c.blacklist.list()],
  ['stock.get', (c) => c.stock.get()],
  ['stock.region', (c) => c.stock.region({ region_sign: 'west' })],
  ['deployments.ddpOverview', (c) => c.deployments.ddpOverview('d')],
];

const CLI_CMDS = [['deployments'], ['stock'], ['images'], ['describe', 'dep1'], ['containers', 'dep1'], ['events', 'dep1'], ['blacklist', 'ls'], ['cost', 'dep1']];

export async function malformed(suite: Suite, sec: Section): Promise<void> {
  const longList = suite.scale === 'full' ? 100_000 : 10_000;
  const sc = scenarios(longList);
  const token = `rel-malformed-${randomBytes(12).toString('hex')}`;
  suite.secret(token);
  let current: () => Reply = () => json(env(null));
  const srv = await serve({ current: () => current() });
  const sdkBad: string[] = [];
  const cliBad: string[] = [];
  const rows: string[] = [];
  let sdkCases = 0;
  let cliRuns = 0;
  let slowest = { ms: 0, what: '' };
  try {
    for (const [name, reply] of Object.entries(sc)) {
      current = reply;
      const c = new AutodlClient({ token, host: srv.url, retries: 1, retryBaseMs: 1, retryMaxMs: 2, timeoutMs: 5_000 });
      const cells: string[] = [];
      for (const [op, fn] of OPS) {
        sdkCases++;
        const t0 = performance.now();
        let timer: NodeJS.Timeout | undefined;
        const outcome = await Promise.race([
          fn(c).then(
            () => 'ok',
            (e: unknown) => (e instanceof AutodlError ? `err:${e.errorType}` : `CRASH ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`),
          ),
          new Promise<string>((r) => (timer = setTimeout(() => r('HANG (60 s)'), 60_000))),
        ]);
        clearTimeout(timer);
        const took = performance.now() - t0;
        if (took > slowest.ms) slowest = { ms: took, what: `${op} × ${name}` };
        if (outcome.startsWith('CRASH') || outcome.startsWith('HANG')) sdkBad.push(`${op} × ${name}: ${outcome.slice(0, 200)}`);
        cells.push(outcome.startsWith('ok') ? 'ok' : outcome.startsWith('err') ? 'err' : '✗');
      }
      rows.push(`| ${name} | ${cells.join(' ')} |`);
      const home = join(suite.work, 'malformed-home');
      const cenv = cleanEnv({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), AUTODL_HOST: srv.url, AUTODL_TOKEN: token });
      await pool(CLI_CMDS, suite.sizes.cliConcurrency, async (args) => {
        cliRuns++;
        const r = await runCli(suite, [...args, '--json'], { env: cenv, timeoutMs: 60_000 });
        const why = r.code === 0 ? (hasStackTrace(r.stdout + r.stderr) ? 'stack trace' : undefined) : notCleanError(r, ['api_error', 'not_found'], 3);
        if (why) cliBad.push(`autodl ${args.join(' ')} × ${name}: ${why.slice(0, 200)}`);
      });
    }
  } finally {
    await new Promise<void>((r) => {
      srv.server.close(() => r());
      srv.server.closeAllConnections();
    });
  }
  const cmd = `${suite.rerun('faults')} (loopback server answering every endpoint with the same malformed reply)`;
  check(sec, `malformed replies, SDK (${Object.keys(sc).length} kinds × ${OPS.length} calls): crashes or hangs`, sdkBad.length, sdkBad.length === 0, cmd, sdkBad.slice(0, 4).join('; '));
  report(sec, 'malformed replies, SDK: slowest call', `${Math.round(slowest.ms)} ms (${slowest.what})`, cmd);
  check(sec, `malformed replies, CLI (${cliRuns} runs of ${CLI_CMDS.map((a) => a[0]).join('/')} --json): not exit 0 and not a clean api_error, or a stack trace`, cliBad.length, cliBad.length === 0, cmd.replace('(', '(node dist/autodl.cjs … against a '), cliBad.slice(0, 4).join('; '));
  report(sec, 'malformed replies: SDK cases', sdkCases, cmd);
  sec.extra = `${sec.extra ?? ''}\n\nMalformed replies (SDK; columns: ${OPS.map(([o]) => o).join(', ')}; \`ok\` = returned data, \`err\` = a clean AutodlError):\n\n| reply | results |\n|---|---|\n${rows.join('\n')}\n${cliBad.length ? `\nCLI failures:\n\n${cliBad.map((b) => `- ${b}`).join('\n')}\n` : ''}${sdkBad.length ? `\nSDK failures:\n\n${sdkBad.map((b) => `- ${b}`).join('\n')}\n` : ''}`;
}
