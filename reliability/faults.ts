// Section 2 — faults: every fault kind of the simulator on every endpoint the tool calls
// (SDK), a sample through the real CLI, the queue worker under random faults on all the
// endpoints it uses, and malformed replies from a loopback server of our own.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { AutodlClient } from '../src/api/index.js';
import { ENDPOINTS, type EndpointName } from '../src/api/types.js';
import { ApiError, AutodlError } from '../src/errors.js';
import { openSqliteStore, runWorker, type QueueEvent } from '../src/queue/index.js';
import { startSimulator, DEMO_IMAGE_UUID, type FaultSpec, type Simulator } from '../src/sim/index.js';
import { check, cleanEnv, newSection, notCleanError, report, runCli, hasStackTrace, type Section, type Suite } from './lib.js';
import { malformed } from './malformed.js';
import { jobBody as scenarioJobBody } from '../test/queue-cli/duplicate-scenarios.js';

const RETRIES = 3;
const TIMEOUT_MS = 250;
const SLOW_MS = 400; // > TIMEOUT_MS: the client gives up, the server still handles the request
const SETTLE_MS = 1_000; // > SLOW_MS: an entry whose create timed out is looked up again only after this

interface Fixture {
  dep: string;
  container: string;
}

type Op = (c: AutodlClient, fx: Fixture) => Promise<unknown>;

export const jobBody = (name: string, cmd = 'sleep 600') => scenarioJobBody(name, cmd);

const OPS: Record<EndpointName, Op> = {
  listPrivateImages: (c) => c.images.list(),
  createDeployment: (c) => c.deployments.create(jobBody('fault-create')),
  listDeployments: (c) => c.deployments.list(),
  listEvents: (c, fx) => c.events.list({ deployment_uuid: fx.dep }),
  listContainers: (c, fx) => c.containers.list({ deployment_uuid: fx.dep }),
  stopContainer: (c, fx) => c.containers.stop({ deployment_container_uuid: fx.container }),
  setReplicas: (c, fx) => c.deployments.setReplicas(fx.dep, 2),
  operateDeployment: (c, fx) => c.deployments.stop(fx.dep),
  deleteDeployment: (c, fx) => c.deployments.delete(fx.dep),
  addBlacklist: (c, fx) => c.blacklist.add({ deployment_container_uuid: fx.container, comment: 'fault test' }),
  listBlacklist: (c) => c.blacklist.list(),
  gpuStock: (c) => c.stock.get(),
  regionGpuStock: (c) => c.stock.region({ region_sign: 'west' }),
  listSystemImages: (c) => c.images.listSystem(),
  ddpOverview: (c, fx) => c.deployments.ddpOverview(fx.dep),
};

const SAFE = new Set<EndpointName>(['listPrivateImages', 'listDeployments', 'listEvents', 'listContainers', 'listBlacklist', 'gpuStock', 'regionGpuStock', 'listSystemImages', 'ddpOverview']);

const MUTATES = new Set<EndpointName>(['stopContainer', 'setReplicas', 'operateDeployment', 'deleteDeployment', 'addBlacklist']);

interface Variant {
  name: string;
  spec: Omit<FaultSpec, 'method' | 'path' | 'count'>;
  /** retried by the SDK on a read */
  retryable: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'http_error 500', spec: { kind: 'http_error', status: 500 }, retryable: true },
  { name: 'http_error 502', spec: { kind: 'http_error', status: 502 }, retryable: true },
  { name: 'http_error 503', spec: { kind: 'http_error', status: 503 }, retryable: true },
  { name: 'http_429', spec: { kind: 'http_429', retry_after: 1 }, retryable: true },
  { name: 'envelope_error', spec: { kind: 'envelope_error' }, retryable: false },
  { name: 'slow (within timeout)', spec: { kind: 'slow', delay_ms: 30 }, retryable: true },
  { name: 'slow (past timeout)', spec: { kind: 'slow', delay_ms: SLOW_MS }, retryable: true },
  { name: 'reset', spec: { kind: 'reset' }, retryable: true },
  { name: 'non_json', spec: { kind: 'non_json' }, retryable: false },
  { name: 'non_json 502', spec: { kind: 'non_json', status: 502 }, retryable: true },
  { name: 'commit_then_reset', spec: { kind: 'commit_then_reset' }, retryable: true },
];

function clientFor(sim: Simulator, token: string, retries = RETRIES): AutodlClient {
  return new AutodlClient({ token, host: sim.url, retries, retryBaseMs: 1, retryMaxMs: 4, maxRetryAfterMs: 5, timeoutMs: TIMEOUT_MS });
}

async function fixture(sim: Simulator, c: AutodlClient, i: number): Promise<Fixture> {
  const { deployment_uuid } = await c.deployments.create({ ...jobBody(`fx-${i}`), deployment_type: 'ReplicaSet' });
  sim.world.advance(20_000);
  const p = await c.containers.list({ deployment_uuid });
  const container = p.list[0]?.uuid;
  if (!container) throw new Error('fixture: no container');
  return { dep: deployment_uuid, container };
}

type Result = { ok: true } | { ok: false; err: unknown };

async function attempt(op: () => Promise<unknown>): Promise<Result> {
  try {
    await op();
    return { ok: true };
  } catch (err) {
    return { ok: false, err };
  }
}

function describeErr(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 200) : String(e);
}

export async function faults(suite: Suite): Promise<Section> {
  const sec = newSection('faults', '2. Faults', `Every simulator fault kind on each of the 15 endpoints through the SDK (reads: ${RETRIES} retries, per-request timeout ${TIMEOUT_MS} ms; "past timeout" = the server answers after ${SLOW_MS} ms), a sample through the real CLI, the queue worker under random faults, and malformed replies from a loopback server of our own.`);
  const token = `rel-faults-${randomBytes(12).toString('hex')}`;
  suite.secret(token);
  const sim = await startSimulator({ tokens: [token], clock: 'manual', backgroundLoad: false, world: { hosts: manyHosts(60) } });
  const tenant = sim.world.tenantFor(token)!;
  const creates = () => sim.world.allDeployments(true).length;
  try {
    const setup = clientFor(sim, token, 0);
    let fxN = 0;
    let shared: Fixture | undefined;
    const readRecovered: string[] = [];
    const readFailures: string[] = [];
    const writeFailures: string[] = [];
    const doubled: string[] = [];
    let cases = 0;
    let recovered = 0;
    let cleanErrors = 0;
    const matrix: string[] = [];
    for (const [name, ep] of Object.entries(ENDPOINTS) as Array<[EndpointName, (typeof ENDPOINTS)[EndpointName]]>) {
      const row: string[] = [];
      for (const v of VARIANTS) {
        const safe = SAFE.has(name);
        const scenarios: Array<{ count: number; expect: 'ok' | 'error' | 'either' }> = safe
          ? v.name.startsWith('slow (within')
            ? [{ count: RETRIES + 1, expect: 'ok' }]
            : v.retryable
            ? [
                { count: RETRIES, expect: 'ok' },
                { count: RETRIES + 1, expect: 'error' },
              ]
            : [{ count: 1, expect: 'either' }]
          : [{ count: 1, expect: v.name.startsWith('slow (within') ? 'ok' : 'either' }];
        const cell: string[] = [];
        for (const sc of scenarios) {
          cases++;
          // writes that change the fixture get a fresh one; everything else shares one
          const fx = MUTATES.has(name) ? await fixture(sim, setup, fxN++) : (shared ??= await fixture(sim, setup, fxN++));
          const c = clientFor(sim, token);
          const before = creates();
          sim.stats.reset();
          sim.faults.clear();
          sim.faults.add({ method: ep.method, path: ep.path, count: sc.count, ...v.spec });
          const r = await attempt(() => OPS[name](c, fx));
          const sent = sim.stats.count(ep.method, ep.path);
          if (v.spec.kind === 'slow') await new Promise((res) => setTimeout(res, SLOW_MS + 100)); // let the late handler finish
          sim.faults.clear();
          const delta = creates() - before;
          const where = `${name} × ${v.name} × ${sc.count}`;
          let bad: string | undefined;
          if (!r.ok && !(r.err instanceof AutodlError)) bad = `not an AutodlError: ${describeErr(r.err)}`;
          else if (!r.ok && hasStackTrace(JSON.stringify((r.err as AutodlError).toResult()))) bad = 'stack trace in the error result';
          else if (sc.expect === 'ok' && !r.ok) bad = `did not recover: ${describeErr(r.err)}`;
          else if (sc.expect === 'error' && r.ok) bad = 'succeeded although every attempt was faulted';
          else if (!safe && sent > 1) bad = `write sent ${sent} times (writes are never retried)`;
          if (name === 'createDeployment') {
            if (delta > 1) doubled.push(`${where}: ${delta} deployments`);
            if (!r.ok && delta === 1 && r.err instanceof ApiError && r.err.info.mayHaveApplied !== true) bad = 'create applied but the error says it was not (may_have_applied false)';
            if (!r.ok && delta === 0 && r.err instanceof ApiError && v.spec.kind === 'commit_then_reset') bad = 'commit_then_reset did not create';
          }
          if (bad) (safe ? readFailures : writeFailures).push(`${where}: ${bad}`);
          if (r.ok) recovered++;
          else cleanErrors++;
          if (safe && sc.expect === 'ok' && r.ok) readRecovered.push(where);
          cell.push(bad ? '✗' : r.ok ? 'ok' : r.err instanceof ApiError ? `err(${r.err.info.kind})` : `err(${(r.err as AutodlError).errorType})`);
        }
        row.push(cell.join(' / '));
      }
      matrix.push(`| ${ep.n}. ${name} (${ep.method}${SAFE.has(name) ? ', read' : ', write'}) | ${row.join(' | ')} |`);
    }
    const cmdSdk = `${suite.rerun('faults')} (AutodlClient against startSimulator + sim.faults.add)`;
    report(sec, 'SDK fault cases (endpoint × fault kind × count)', `${cases}: ${recovered} recovered, ${cleanErrors} clean api_error`, cmdSdk);
    check(sec, 'reads: faults within the retry budget not recovered, or beyond it not reported, or unclean', readFailures.length, readFailures.length === 0, cmdSdk, readFailures.slice(0, 4).join('; '));
    report(sec, 'reads recovered within the retry budget', `${readRecovered.length} cases`, cmdSdk);
    check(sec, 'writes: unclean results, retried writes, wrong may_have_applied', writeFailures.length, writeFailures.length === 0, cmdSdk, writeFailures.slice(0, 4).join('; '));
    check(sec, 'creates doubled (more than one deployment per create call)', doubled.length, doubled.length === 0, cmdSdk, doubled.join('; '));

    // ---- the real CLI under each fault kind ----
    const cfg = join(suite.work, 'fault-create.json');
    writeFileSync(cfg, JSON.stringify(jobBody('cli-fault')));
    const env = cleanEnv({ HOME: join(suite.work, 'fault-home'), XDG_CONFIG_HOME: join(suite.work, 'fault-home', '.config'), AUTODL_HOST: sim.url, AUTODL_TOKEN: token });
    const cliBad: string[] = [];
    const cliDoubled: string[] = [];
    let cliRuns = 0;
    const cliCmds: Array<{ args: string[]; method: string; path: string }> = [
      { args: ['create', cfg], method: 'POST', path: ENDPOINTS.createDeployment.path },
      { args: ['deployments'], method: 'POST', path: ENDPOINTS.listDeployments.path },
      { args: ['stock'], method: 'GET', path: ENDPOINTS.gpuStock.path },
    ];
    for (const v of VARIANTS) {
      for (const cc of cliCmds) {
        cliRuns++;
        const before = sim.world.listDeployments(tenant, { name: 'cli-fault' }).length;
        sim.faults.clear();
        sim.faults.add({ method: cc.method, path: cc.path, count: 1, ...v.spec });
        const r = await runCli(suite, [...cc.args, '--json'], { env, timeoutMs: 30_000 });
        if (v.spec.kind === 'slow') await new Promise((res) => setTimeout(res, SLOW_MS + 100));
        sim.faults.clear();
        const after = sim.world.listDeployments(tenant, { name: 'cli-fault' }).length;
        if (after - before > 1) cliDoubled.push(`${v.name}: ${after - before}`);
        const why = r.code === 0 ? (hasStackTrace(r.stdout + r.stderr) ? 'stack trace' : undefined) : notCleanError(r, ['api_error'], 3);
        if (why) cliBad.push(`autodl ${cc.args[0]} × ${v.name}: ${why}`);
      }
    }
    const cmdCli = `AUTODL_HOST=<sim> node dist/autodl.cjs create|deployments|stock --json, one fault per run (${cliRuns} runs)`;
    check(sec, 'CLI under faults: not exit 0 and not a clean api_error (exit 3), or a stack trace', cliBad.length, cliBad.length === 0, cmdCli, cliBad.slice(0, 4).join('; '));
    check(sec, 'CLI under faults: creates doubled', cliDoubled.length, cliDoubled.length === 0, cmdCli, cliDoubled.join('; '));

    // ---- the queue worker under random faults on every endpoint it calls ----
    const q = await workerUnderFaults(suite, sim, token, false, suite.sizes.faultQueueEntries);
    const cmdQ = `${suite.rerun('faults')} (runWorker, SQLite store, ${q.entries} entries, every fault kind at random on stock/images/list/create)`;
    const late = await workerUnderFaults(suite, sim, token, true, suite.sizes.faultQueueEntries);
    const cmdL = `${suite.rerun('faults')} (runWorker, ${late.entries} entries, 30 % of creates answered after the client's ${TIMEOUT_MS} ms timeout, settle window ${SETTLE_MS} ms)`;
    check(
      sec,
      'queue worker, creates the server applies AFTER the client timed out: entries with a number of deployments other than one (the engine holds such an entry for a settle window before it looks again)',
      late.notExactlyOnce,
      late.notExactlyOnce === 0,
      cmdL,
      late.notes,
    );
    check(sec, 'queue worker, late creates: entries not finished', late.unfinished, late.unfinished === 0, cmdL, late.notes);
    report(sec, 'queue worker: faults injected / ticks / creates sent / found by mark after a lost reply', `${q.faulted} / ${q.ticks} / ${q.createsSent} / ${q.found}`, cmdQ);
    check(sec, 'queue worker: entries not finished (not submitted)', q.unfinished, q.unfinished === 0, cmdQ, q.notes);
    check(sec, 'queue worker: entries with a number of deployments other than one', q.notExactlyOnce, q.notExactlyOnce === 0, cmdQ, q.notes);
    check(sec, 'queue worker: crashed (threw out of runWorker)', q.crashed ? 1 : 0, !q.crashed, cmdQ, q.notes);

    sec.extra = [
      '',
      `Fault matrix (SDK). Reads: \`count ${RETRIES}\` / \`count ${RETRIES + 1}\` for retried faults (must recover / must fail cleanly), \`count 1\` otherwise; writes: \`count 1\`. \`ok\` = the call succeeded, \`err(kind)\` = a clean ApiError of that kind.`,
      '',
      `| endpoint | ${VARIANTS.map((v) => v.name).join(' | ')} |`,
      `|---|${VARIANTS.map(() => '---').join('|')}|`,
      ...matrix,
    ].join('\n');
  } finally {
    await collectSecrets(suite, sim, [token]);
    await sim.close();
  }
  // ---- malformed replies ----
  await malformed(suite, sec);
  return sec;
}

export function manyHosts(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    machine_id: `rel${String(i).padStart(4, '0')}`,
    data_center: 'westDC2',
    gpu_name: 'RTX 4090',
    gpu_num: 8,
    cpu_num: 128,
    memory_gb: 720,
    max_cuda: 122,
    price_per_gpu: 1500,
  }));
}

/** Every container root_password of these tenants: secrets the suite searches for. */
export async function collectSecrets(suite: Suite, sim: Simulator, tokens: string[]): Promise<number> {
  let n = 0;
  for (const token of tokens) {
    const t = sim.world.tenantFor(token);
    if (!t) continue;
    for (const d of sim.world.allDeployments(true)) {
      let cs: Array<{ info?: { root_password?: string } }> = [];
      try {
        cs = sim.world.listContainers(t, d.uuid, {}) as typeof cs;
      } catch {
        continue;
      }
      for (const c of cs) {
        if (c.info?.root_password) {
          suite.secret(c.info.root_password);
          n++;
        }
      }
    }
  }
  return n;
}

/**
 * The worker under random faults. `lateCreates` = false: every fault kind on every endpoint it
 * calls, except that a create is never applied after the client gave up on it (the engine's
 * design covers a lost reply, not a create still in flight). true: only that case.
 */
async function workerUnderFaults(suite: Suite, sim: Simulator, token: string, lateCreates: boolean, entries: number) {
  const db = join(suite.work, `faults-queue-${lateCreates ? 'late' : 'all'}.db`);
  const store = await openSqliteStore({ path: db });
  const added = await store.add(Array.from({ length: entries }, (_, i) => ({ body: jobBody(`${lateCreates ? 'ql' : 'qf'}-${i}`) })), Date.now());
  const client = new AutodlClient({ token, host: sim.url, retries: 2, retryBaseMs: 1, retryMaxMs: 4, maxRetryAfterMs: 5, timeoutMs: TIMEOUT_MS });
  const paths: Array<[string, string]> = [
    ['GET', ENDPOINTS.gpuStock.path],
    ['POST', ENDPOINTS.listPrivateImages.path],
    ['POST', ENDPOINTS.listSystemImages.path],
    ['POST', ENDPOINTS.listDeployments.path],
    ['POST', ENDPOINTS.createDeployment.path],
  ];
  sim.faults.clear();
  sim.stats.reset();
  const prefix = lateCreates ? 'ql' : 'qf';
  if (lateCreates) sim.faults.add({ method: 'POST', path: ENDPOINTS.createDeployment.path, probability: 0.3, kind: 'slow', delay_ms: SLOW_MS });
  else
    for (const [method, path] of paths)
      for (const v of VARIANTS) {
        if (v.name === 'slow (past timeout)' && path === ENDPOINTS.createDeployment.path && method === 'POST') continue;
        sim.faults.add({ method, path, probability: 0.025, ...v.spec });
      }
  const events: QueueEvent[] = [];
  let crashed = false;
  let summary: Awaited<ReturnType<typeof runWorker>> | undefined;
  const ac = new AbortController();
  const guard = setTimeout(() => ac.abort(), 180_000);
  try {
    summary = await runWorker({
      store,
      api: client,
      workerId: `fault-worker-${prefix}`,
      intervalMs: 5,
      drain: true,
      follow: false,
      leaseMs: 2_000,
      // the settle window, scaled like the timeout (production: 90 s against a 30 s timeout)
      settleMs: SETTLE_MS,
      maxTicks: 5_000,
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type !== 'tick') events.push(e);
      },
    });
  } catch (e) {
    crashed = true;
    suite.log(`worker under faults threw: ${describeErr(e)}`);
  } finally {
    clearTimeout(guard);
  }
  const faulted = sim.faults.list().reduce((n, r) => n + r.fired, 0);
  const createsSent = sim.stats.count('POST', ENDPOINTS.createDeployment.path);
  sim.faults.clear();
  await new Promise((r) => setTimeout(r, SLOW_MS + 100));
  const list = await store.list();
  await store.close();
  const deps = sim.world.allDeployments(true);
  let unfinished = 0;
  let notExactlyOnce = 0;
  const notes: string[] = [];
  for (const e of list) {
    if (e.state !== 'submitted') {
      unfinished++;
      notes.push(`${e.id} ${e.state}`);
    }
    const mine = deps.filter((d) => d.name === e.deployment_name);
    if (mine.length !== 1 || (e.deployment_uuid && mine[0]?.uuid !== e.deployment_uuid)) {
      notExactlyOnce++;
      notes.push(`${e.id}: ${mine.length} deployments`);
    }
  }
  if (list.length !== added.length) notes.push(`entries ${list.length} of ${added.length}`);
  return {
    entries,
    faulted,
    createsSent,
    ticks: summary?.ticks ?? 0,
    found: events.filter((e) => e.type === 'found').length,
    unfinished: unfinished + (added.length - list.length),
    notExactlyOnce,
    crashed,
    notes: notes.slice(0, 5).join('; '),
  };
}
