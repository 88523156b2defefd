// The four ways a queue entry used to become more than one deployment (issue 11 §1), as
// scenarios of real processes: the real CLI (`node dist/autodl.cjs queue run`) against a
// simulator on loopback, killed with SIGKILL, run with a skewed clock, started as PID 1 in
// PID namespaces of their own, or talking through a hostile proxy that deletes a deployment
// between two list pages. Used by test/queue-cli/duplicates.test.ts (one round each) and by
// the reliability section `duplicates` (many rounds, SQLite and PostgreSQL).
//
// Each scenario returns what it saw; the callers assert / report:
//   notOnce: entries whose number of deployments is not exactly one (or whose recorded uuid
//            is not that deployment); lost: entries not in the database, or not submitted
//            at the end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { CreateDeploymentBody } from '../../src/api/types.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AutodlClient } from '../../src/api/index.js';
import { openQueueStore, type QueueEntry } from '../../src/queue/index.js';
import { DEMO_IMAGE_UUID, type Simulator } from '../../src/sim/index.js';

const CREATE = '/api/v1/dev/deployment';

export interface ScenarioSim {
  url: string;
  token: string;
  world: Simulator['world'];
  faults: Simulator['faults'];
  stats: Simulator['stats'];
}

export interface ScenarioEnv {
  /** node dist/autodl.cjs (or another build of it) */
  cli: string;
  sim: ScenarioSim;
  /** The children's environment (HOME, XDG_*, no AUTODL_*); AUTODL_HOST / AUTODL_TOKEN are set here. */
  env: Record<string, string>;
  cwd: string;
  /** Every byte the children printed (for the callers' secret searches). */
  onOutput?: (label: string, text: string) => void;
  /** Give up on a child after this long (SIGKILL; counted as a failure by the caller). Default 120 s. */
  guardMs?: number;
}

export interface Outcome {
  entries: number;
  deployments: number;
  notOnce: number;
  lost: number;
  detail: string[];
  /** scenario-specific facts (events seen, ids, …) */
  facts: Record<string, unknown>;
}

/** A one-GPU Job on the simulator's demo image (the reliability suite uses it too). */
export const jobBody = (name: string, cmd = 'sleep 3600'): CreateDeploymentBody => ({
  name,
  deployment_type: 'Job',
  replica_num: 1,
  parallelism_num: 1,
  container_template: {
    gpu_name_set: ['RTX 4090'],
    gpu_num: 1,
    cuda_v: 118,
    cpu_num_from: 1,
    cpu_num_to: 1000,
    memory_size_from: 1,
    memory_size_to: 10000,
    price_from: 100,
    price_to: 9000,
    image_uuid: DEMO_IMAGE_UUID,
    cmd,
  },
});

interface Child {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(e: ScenarioEnv, label: string, argv: string[], extraEnv: Record<string, string> = {}, prefix: string[] = []): Child {
  const [file, ...args] = prefix.length ? [...prefix, process.execPath, e.cli, ...argv] : [process.execPath, e.cli, ...argv];
  const child = spawn(file!, args, {
    cwd: e.cwd,
    env: { ...e.env, AUTODL_HOST: e.sim.url, AUTODL_TOKEN: e.sim.token, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const guard = setTimeout(() => child.kill('SIGKILL'), e.guardMs ?? 120_000);
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      e.onOutput?.(`${label} (stdout)`, out);
      e.onOutput?.(`${label} (stderr)`, err);
      resolve({ code, signal });
    }),
  );
  return { child, stdout: () => out, stderr: () => err, done };
}

/** Resolves once `cond()` holds (polled every 10 ms); rejects after `ms`. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const createsSeen = (sim: ScenarioSim) => sim.stats.count('POST', CREATE);

async function addEntries(db: string, names: string[]): Promise<QueueEntry[]> {
  const store = await openQueueStore(db);
  try {
    return await store.add(names.map((name) => ({ body: jobBody(name) })), Date.now());
  } finally {
    await store.close();
  }
}

/** One deployment per entry (the one it records), every entry submitted/running, nothing lost. */
export async function judge(sim: ScenarioSim, db: string, added: QueueEntry[], prefix: string, alive: readonly string[] = ['submitted', 'running']): Promise<Outcome> {
  const store = await openQueueStore(db);
  let entries: QueueEntry[];
  try {
    entries = await store.list({ ids: added.map((a) => a.id) });
  } finally {
    await store.close();
  }
  const deps = sim.world.allDeployments(true).filter((d) => d.name.startsWith(prefix));
  const byName = new Map<string, string[]>();
  for (const d of deps) byName.set(d.name, [...(byName.get(d.name) ?? []), d.uuid]);
  const detail: string[] = [];
  let notOnce = 0;
  let lost = added.length - entries.length;
  for (const e of entries) {
    const got = byName.get(e.deployment_name) ?? [];
    if (got.length !== 1 || got[0] !== e.deployment_uuid) {
      notOnce++;
      detail.push(`${e.id}: ${got.length} deployments`);
    }
    if (!alive.includes(e.state)) {
      lost++;
      detail.push(`${e.id} ${e.state}`);
    }
  }
  return { entries: entries.length, deployments: deps.length, notOnce, lost, detail, facts: {} };
}

const runArgs = (db: string, extra: string[]) => ['queue', 'run', '--db', db, '--json', '--interval', '0.2', ...extra];

export interface InFlightOptions {
  entries?: number;
  /** The simulator holds each create this long before applying and answering it. */
  slowMs?: number;
  /** Kill the worker this long after its first create reached the simulator. */
  killAfterMs?: number;
  /** --request-timeout (seconds); omitted when undefined (an older build has no such option). */
  requestTimeoutS?: number;
}

/**
 * 1. Restart while a create is in flight: creates are slow; the worker is SIGKILLed while
 * its first create is still being applied and restarted at once with the same --worker-id.
 */
export async function inFlightRestart(e: ScenarioEnv, db: string, prefix: string, o: InFlightOptions = {}): Promise<Outcome> {
  const n = o.entries ?? 3;
  const slowMs = o.slowMs ?? 3000;
  const killAfterMs = o.killAfterMs ?? slowMs / 2;
  const added = await addEntries(db, Array.from({ length: n }, (_, i) => `${prefix}${i}`));
  e.sim.faults.add({ method: 'POST', path: CREATE, kind: 'slow', delay_ms: slowMs, count: 1000 });
  const rt = o.requestTimeoutS !== undefined ? ['--request-timeout', String(o.requestTimeoutS)] : [];
  try {
    const before = createsSeen(e.sim);
    const first = start(e, 'in-flight worker (killed)', runArgs(db, ['--worker-id', `${prefix}w`, ...rt]));
    await until(() => createsSeen(e.sim) > before, 60_000, 'the first create');
    await new Promise((r) => setTimeout(r, killAfterMs));
    first.child.kill('SIGKILL');
    const killed = await first.done;
    const second = start(e, 'in-flight worker (restarted)', runArgs(db, ['--worker-id', `${prefix}w`, '--drain', ...rt]));
    const r = await second.done;
    // let a create that a killed worker left behind land before counting
    await new Promise((res) => setTimeout(res, slowMs));
    const out = await judge(e.sim, db, added, prefix);
    out.facts = { killed: killed.signal === 'SIGKILL', restartExit: r.code, held: second.stderr().includes('may still be applied'), found: /"type":"found"/.test(second.stderr()) };
    if (r.code !== 0) out.detail.push(`restarted worker exit ${r.code}: ${second.stderr().slice(-300)}`);
    return out;
  } finally {
    e.sim.faults.clear();
  }
}

export interface SkewOptions {
  entries?: number;
  slowMs?: number;
  /** How far ahead the second worker's clock runs (default 8 min). */
  skewMs?: number;
}

/**
 * 2. Clock skew: worker A (true clock) creates slowly; worker B, whose clock runs `skewMs`
 * ahead, starts while A's create is in flight. On B's own clock A's lease (5 min) has long
 * expired.
 */
export async function clockSkew(e: ScenarioEnv, db: string, prefix: string, o: SkewOptions = {}): Promise<Outcome> {
  const n = o.entries ?? 3;
  const slowMs = o.slowMs ?? 2000;
  const skew = o.skewMs ?? 8 * 60_000;
  const added = await addEntries(db, Array.from({ length: n }, (_, i) => `${prefix}${i}`));
  e.sim.faults.add({ method: 'POST', path: CREATE, kind: 'slow', delay_ms: slowMs, count: 1000 });
  try {
    const before = createsSeen(e.sim);
    const a = start(e, 'skew worker A (true clock)', runArgs(db, ['--worker-id', `${prefix}a`, '--drain']));
    await until(() => createsSeen(e.sim) > before, 60_000, 'the first create');
    // B's process really runs skewed: Date.now is shifted by a preload before the CLI starts
    // (the databases' clocks — SQLite's julianday('now'), PostgreSQL's — stay true)
    const b = start(e, 'skew worker B (clock ahead)', runArgs(db, ['--worker-id', `${prefix}b`, '--drain']), {
      NODE_OPTIONS: `--import ${pathToFileURL(skewPreload()).href}`,
      AUTODL_SKEW_PRELOAD_MS: String(skew),
    });
    const [ra, rb] = await Promise.all([a.done, b.done]);
    await new Promise((res) => setTimeout(res, slowMs));
    const out = await judge(e.sim, db, added, prefix);
    const clockEvents = b.stderr().split('\n').filter((l) => l.includes('"type":"clock"'));
    out.facts = { exits: [ra.code, rb.code], warned: clockEvents.length > 0, clockEvent: clockEvents[0] ?? null };
    if (ra.code !== 0 || rb.code !== 0) out.detail.push(`worker exits ${ra.code}/${rb.code}`);
    return out;
  } finally {
    e.sim.faults.clear();
  }
}

let preload: string | undefined;
/** A module that shifts Date.now by AUTODL_SKEW_PRELOAD_MS (for `node --import`), written once. */
export function skewPreload(): string {
  if (preload) return preload;
  const d = mkdtempSync(join(tmpdir(), 'autodl-skew-'));
  preload = join(d, 'skew.mjs');
  writeFileSync(preload, 'const skew = Number(process.env.AUTODL_SKEW_PRELOAD_MS ?? 0);\nconst real = Date.now.bind(Date);\nDate.now = () => real() + skew;\n');
  process.on('exit', () => rmSync(d, { recursive: true, force: true }));
  return preload;
}

/** Whether `unshare --pid --fork` works here (root, or user namespaces allowed). */
export function canUnsharePid(): boolean {
  const r = spawnSync('unshare', ['--pid', '--fork', process.execPath, '-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 && r.stdout.trim() === '1';
}

/**
 * 3. Same default id: two workers without --worker-id, each node as PID 1 in a PID
 * namespace of its own, same hostname (two containers of one image); B starts while A's
 * create is in flight.
 */
export async function sameDefaultId(e: ScenarioEnv, db: string, prefix: string, o: { entries?: number; slowMs?: number } = {}): Promise<Outcome> {
  const n = o.entries ?? 3;
  const slowMs = o.slowMs ?? 2000;
  const added = await addEntries(db, Array.from({ length: n }, (_, i) => `${prefix}${i}`));
  e.sim.faults.add({ method: 'POST', path: CREATE, kind: 'slow', delay_ms: slowMs, count: 1000 });
  const ns = ['unshare', '--pid', '--fork'];
  try {
    const before = createsSeen(e.sim);
    const a = start(e, 'pid-1 worker A', runArgs(db, ['--drain']), {}, ns);
    await until(() => createsSeen(e.sim) > before, 60_000, 'the first create');
    const b = start(e, 'pid-1 worker B', runArgs(db, ['--drain']), {}, ns);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    await new Promise((res) => setTimeout(res, slowMs));
    const out = await judge(e.sim, db, added, prefix);
    const idOf = (c: Child) => /"type":"start","worker":"([^"]+)"/.exec(c.stderr())?.[1] ?? null;
    out.facts = { ids: [idOf(a), idOf(b)], host: hostname(), exits: [ra.code, rb.code] };
    if (ra.code !== 0 || rb.code !== 0) out.detail.push(`worker exits ${ra.code}/${rb.code}`);
    return out;
  } finally {
    e.sim.faults.clear();
  }
}

/** A loopback proxy in front of the simulator that can delete a deployment between two list pages. */
export interface ShiftProxy {
  url: string;
  /** Before forwarding the next deployment list request for page 2, delete this deployment (once). */
  deleteBeforePage2(uuid: string): void;
  /** Deletions done. */
  fired(): number;
  close(): Promise<void>;
}

export async function startShiftProxy(sim: ScenarioSim): Promise<ShiftProxy> {
  let target: string | undefined;
  let fired = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = (req.url ?? '/').split('?')[0];
        if (target && req.method === 'POST' && path === '/api/v1/dev/deployment/list') {
          let page = 0;
          try {
            page = Number((JSON.parse(body) as { page_index?: number }).page_index ?? 0);
          } catch {
            /* not JSON: forward as is */
          }
          if (page === 2) {
            const uuid = target;
            target = undefined;
            await fetch(`${sim.url}${CREATE}`, { method: 'DELETE', headers: { authorization: sim.token, 'content-type': 'application/json' }, body: JSON.stringify({ deployment_uuid: uuid }) });
            fired++;
          }
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
        const up = await fetch(`${sim.url}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body && req.method !== 'GET' ? { body } : {}) });
        const text = await up.text();
        res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
        res.end(text);
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deleteBeforePage2: (uuid) => (target = uuid),
    fired: () => fired,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export interface ShiftOutcome extends Outcome {
  facts: {
    /** entries marked finished while their deployment was alive */
    wronglyFinished: number;
    /** live deployments of the queue vs --max-running */
    liveDeployments: number;
    maxRunning: number;
    /** the pending entry was created although the limit was reached */
    overLimit: boolean;
    /** the entry missed on the page had missing_since recorded, then cleared by the uuid lookup */
    missRecorded: boolean;
    missCleared: boolean;
    /** a deployment really gone is finished once missing past the grace and not found by uuid */
    goneFinished: boolean;
    proxyDeletes: number;
  };
}

/**
 * 4. Missing from one page is not finished: `running` running entries (> one page of 100),
 * one pending entry and --max-running = running; a foreign deployment is deleted between the
 * two list pages, so the oldest of ours shifts from page 2 onto page 1 and is seen on neither.
 */
export async function pagedShift(e: ScenarioEnv, db: string, prefix: string, o: { running?: number } = {}): Promise<ShiftOutcome> {
  const n = o.running ?? 101;
  const added = await addEntries(db, Array.from({ length: n }, (_, i) => `${prefix}${i}`));
  const api = new AutodlClient({ token: e.sim.token, host: e.sim.url, retries: 0 });
  const proxy = await startShiftProxy(e.sim);
  const once = async (label: string, extra: string[] = []) => {
    const c = start(e, label, runArgs(db, ['--once', '--max-running', String(n), ...extra]), { AUTODL_HOST: proxy.url });
    const r = await c.done;
    if (r.code !== 0) throw new Error(`${label}: exit ${r.code}: ${c.stderr().slice(-400)}`);
  };
  const age = async (id: string, field: 'submitted_at' | 'missing_since', byMs: number) => {
    const store = await openQueueStore(db);
    try {
      const cur = (await store.get(id))!;
      const base = cur[field] ?? Date.now();
      await store.transition(id, cur.state, { from: cur.state, now: Date.now(), set: { [field]: base - byMs } });
    } finally {
      await store.close();
    }
  };
  const get = async (id: string) => {
    const store = await openQueueStore(db);
    try {
      return (await store.get(id))!;
    } finally {
      await store.close();
    }
  };
  try {
    await once('shift worker (create all)');
    e.sim.world.advance(60_000); // containers start
    await once('shift worker (follow: running)');
    // submitted long ago (the old grace was counted from submitted_at)
    for (const a of added) await age(a.id, 'submitted_at', 10 * 60_000);
    const [extra] = await addEntries(db, [`${prefix}extra`]);
    // two foreign deployments of the same account, newest of all: on page 1
    const foreign1 = await api.deployments.create(jobBody(`${prefix}foreign-1`));
    const foreign2 = await api.deployments.create(jobBody(`${prefix}foreign-2`));
    // newest first: page 1 holds the 100 newest; deleting one of them moves the newest of
    // page 2 (one of ours) onto page 1, after page 1 was read
    proxy.deleteBeforePage2(foreign1.deployment_uuid);
    await once('shift worker (pages shift)');
    const store0 = await openQueueStore(db);
    const missed = (await store0.list({ ids: added.map((a) => a.id) })).filter((x) => x.missing_since !== null);
    await store0.close();
    const shifted = missed[0];
    const missRecorded = missed.length === 1 && (shifted!.state === 'running' || shifted!.state === 'submitted');
    if (!shifted) throw new Error('no entry was missed by the shifted pages');
    // past the grace since the first miss, missed again by the same shift: the lookup by uuid finds it
    await age(shifted.id, 'missing_since', 10 * 60_000);
    await api.deployments.create(jobBody(`${prefix}foreign-3`));
    proxy.deleteBeforePage2(foreign2.deployment_uuid);
    await once('shift worker (pages shift again, past the grace)');
    const afterLookup = await get(shifted.id);
    const missCleared = afterLookup.missing_since === null && (afterLookup.state === 'running' || afterLookup.state === 'submitted');

    const store = await openQueueStore(db);
    let entries: QueueEntry[];
    try {
      entries = await store.list({ ids: added.map((a) => a.id) });
    } finally {
      await store.close();
    }
    const live = e.sim.world.allDeployments(false).filter((d) => d.name.startsWith(prefix) && !d.name.startsWith(`${prefix}foreign`));
    const extraNow = await get(extra!.id);
    const wronglyFinished = entries.filter((x) => x.state === 'finished' || x.state === 'failed').length;

    // a deployment really gone: missing, held for the grace, then finished after a lookup by uuid
    const victim = added[n - 1]!;
    await api.deployments.delete((await get(victim.id)).deployment_uuid!);
    await once('shift worker (one really gone: first miss)');
    const firstMiss = await get(victim.id);
    await age(victim.id, 'missing_since', 10 * 60_000);
    await once('shift worker (one really gone: past the grace)');
    const gone = await get(victim.id);
    const goneFinished = firstMiss.state !== 'finished' && firstMiss.missing_since !== null && gone.state === 'finished';

    const out = await judge(e.sim, db, added.slice(0, n - 1), prefix, ['submitted', 'running']);
    const facts = {
      wronglyFinished,
      liveDeployments: live.length,
      maxRunning: n,
      overLimit: extraNow.state !== 'pending' || live.length > n,
      missRecorded,
      missCleared,
      goneFinished,
      proxyDeletes: proxy.fired(),
    };
    return { ...out, facts };
  } finally {
    await proxy.close();
  }
}
