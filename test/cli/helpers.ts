// Helpers for the CLI's end-to-end tests: build dist/ once when it is missing or older
// than the sources, start the simulator in-process (manual clock, no background load),
// run `node dist/autodl.cjs …` as a subprocess with a private HOME/XDG tree and collect
// every byte it prints (to prove the token never appears).
import { after, before } from 'node:test';
import { spawn, spawnSync, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_IMAGE_UUID, startSimulator, type Simulator, type SimOptions, type World } from '../../src/sim/index.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The executable as installed (`bin`): its fast path answers --help/--version itself. */
export const CLI = join(ROOT, 'dist', 'autodl.cjs');
/** The full CLI behind it (one CommonJS bundle), which the executable runs for everything else. */
export const FULL_CLI = join(ROOT, 'dist', 'cli.cjs');

// ---------- build once ----------

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newestMtime(join(path, name)));
  return max;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isFresh(): boolean {
  try {
    const built = statSync(CLI).mtimeMs;
    const src = Math.max(newestMtime(join(ROOT, 'src')), newestMtime(join(ROOT, 'scripts', 'build.mjs')), newestMtime(join(ROOT, 'scripts', 'help-render.ts')), newestMtime(join(ROOT, 'scripts', 'code-cache.ts')), newestMtime(join(ROOT, 'package.json')));
    return built >= src;
  } catch {
    return false;
  }
}

let built = false;

/** Build dist/ when missing or stale; a lock directory keeps parallel test files from building at once. */
export function ensureBuilt(): void {
  if (built) return;
  const lock = join(tmpdir(), `autodl-cli-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}.lock`);
  for (let i = 0; ; i++) {
    if (isFresh()) break;
    try {
      mkdirSync(lock);
    } catch {
      // someone else is building: wait for them (steal a lock left by a crashed build)
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone already */
      }
      if (i > 1200) throw new Error('timed out waiting for the build lock');
      sleepSync(100);
      continue;
    }
    try {
      if (!isFresh()) {
        const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    break;
  }
  built = true;
}

// ---------- simulator ----------

/** A token no other fixture contains: the suite searches every output for it. */
export const TEST_TOKEN = `cli-test-token-${randomBytes(12).toString('hex')}`;

export interface SimHandle {
  url: string;
  token: string;
  world: World;
  faults: Simulator['faults'];
  stats: Simulator['stats'];
  /** API requests answered so far (admin calls excluded). */
  requests(): number;
  close(): Promise<void>;
}

export async function startSim(options: SimOptions = {}): Promise<SimHandle> {
  const s = await startSimulator({ clock: 'manual', backgroundLoad: false, tokens: [TEST_TOKEN], ...options });
  return {
    url: s.url,
    token: TEST_TOKEN,
    world: s.world,
    faults: s.faults,
    stats: s.stats,
    requests: () => s.stats.total,
    close: () => s.close(),
  };
}

/**
 * The usual frame of a CLI test file: build dist/ and start a simulator before its tests
 * (handed to `onStart`), close it after them and check that no output held the token.
 */
export function useSim(onStart: (sim: SimHandle) => void): void {
  let sim: SimHandle | undefined;
  before(async () => {
    ensureBuilt();
    sim = await startSim();
    onStart(sim);
  });
  after(async () => {
    await sim?.close();
    assertTokenNeverPrinted();
  });
}

// ---------- running the CLI ----------

/** Every stdout/stderr of every CLI run in this process (for the token search). */
export const outputs: string[] = [];

export interface Home {
  dir: string;
  env: Record<string, string> & { HOME: string; XDG_CONFIG_HOME: string; XDG_DATA_HOME: string; XDG_STATE_HOME: string; XDG_CACHE_HOME: string };
  cleanup(): void;
}

/** A private HOME + XDG tree: the user's real config is never read or written. */
export function tempHome(): Home {
  const dir = mkdtempSync(join(tmpdir(), 'autodl-cli-test-'));
  const env = {
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, '.config'),
    XDG_DATA_HOME: join(dir, '.local', 'share'),
    XDG_STATE_HOME: join(dir, '.local', 'state'),
    XDG_CACHE_HOME: join(dir, '.cache'),
  };
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunOptions {
  sim?: SimHandle;
  /** Extra environment (overrides). A key set to undefined is removed. */
  env?: Record<string, string | undefined>;
  home?: Home;
  cwd?: string;
  input?: string;
  /** Run this file instead of the executable (e.g. FULL_CLI). */
  script?: string;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The child's environment: no inherited AUTODL_* / locale / colour settings. */
export function childEnv(o: RunOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k.startsWith('AUTODL_') || ['LANG', 'LC_ALL', 'LC_MESSAGES', 'NO_COLOR', 'FORCE_COLOR', 'HOME'].includes(k) || k.startsWith('XDG_')) continue;
    env[k] = v;
  }
  const home = o.home ?? sharedHome();
  Object.assign(env, home.env);
  if (o.sim) {
    env.AUTODL_HOST = o.sim.url;
    env.AUTODL_TOKEN = o.sim.token;
  }
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

let shared: Home | undefined;
function sharedHome(): Home {
  shared ??= tempHome();
  return shared;
}

/** A working directory without a .env file. */
export function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'autodl-cli-cwd-'));
}

let defaultCwd: string | undefined;

export function spawnCli(args: string[], o: RunOptions = {}): ChildProcess {
  ensureBuilt();
  defaultCwd ??= emptyDir();
  return spawn(process.execPath, [o.script ?? CLI, ...args], { cwd: o.cwd ?? defaultCwd, env: childEnv(o), stdio: ['pipe', 'pipe', 'pipe'] });
}

/** util-linux `script` is there to make a pseudo-terminal (tests on a terminal are skipped without it). */
export const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The CLI on a pseudo-terminal (util-linux `script`): stdin, stdout and stderr are the terminal. */
export function onTerminal(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  ensureBuilt();
  const cmd = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
  return spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...env, TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Run the CLI to completion. */
export function runCli(args: string[], o: RunOptions = {}): Promise<RunResult> {
  const child = spawnCli(args, o);
  return collect(child, o.input);
}

/** Collect a child's output until it ends. `input`: written then stdin closed; 'keep-open': stdin left for the caller. */
export function collect(child: ChildProcess, input?: string | 'keep-open'): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  if (input === 'keep-open') {
    /* the caller writes */
  } else if (input !== undefined) child.stdin!.end(input);
  else child.stdin!.end();
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code, signal) => {
      outputs.push(stdout, stderr);
      res({ code, signal, stdout, stderr });
    });
  });
}

/** Wait until the child's stderr (or stdout) contains `needle`; returns what was seen. */
export function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', needle: string | RegExp): Promise<string> {
  return new Promise((res, rej) => {
    let seen = '';
    const s = child[stream]!;
    const onData = (d: Buffer | string) => {
      seen += d.toString();
      if (typeof needle === 'string' ? seen.includes(needle) : needle.test(seen)) {
        s.off('data', onData);
        res(seen);
      }
    };
    s.on('data', onData);
    child.once('close', () => rej(new Error(`process ended before ${String(needle)} appeared on ${stream}:\n${seen}`)));
  });
}

/** The single JSON document on stdout. */
export function json<T = Record<string, unknown>>(r: RunResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

/** A config file in a temp dir; returns its path. */
/**
 * A deployment config the default simulator world can place (demo image, CUDA 11.8, wide
 * ranges): `type` and `replicas` set the counts, `tpl` overrides container_template fields.
 */
export function deploymentConfig(
  name: string,
  o: { type?: 'ReplicaSet' | 'Job' | 'Container'; replicas?: number; parallelism?: number; tpl?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const type = o.type ?? 'Job';
  const replicas = o.replicas ?? 1;
  return {
    name,
    deployment_type: type,
    ...(type === 'Container' ? {} : { replica_num: replicas }),
    ...(type === 'Job' ? { parallelism_num: o.parallelism ?? replicas } : {}),
    container_template: {
      gpu_name_set: ['RTX 4090'],
      gpu_num: 1,
      cuda_v: 118,
      cpu_num_from: 1,
      cpu_num_to: 200,
      memory_size_from: 8,
      memory_size_to: 800,
      price_from: 100,
      price_to: 90000,
      image_uuid: DEMO_IMAGE_UUID,
      cmd: 'sleep infinity',
      ...o.tpl,
    },
  };
}

export function writeConfig(name: string, content: string | Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'autodl-cli-cfg-'));
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
}

/** Assert the token appears in no output collected so far (call in an after() hook). */
export function assertTokenNeverPrinted(token: string = TEST_TOKEN): void {
  const hits = outputs.filter((o) => o.includes(token));
  if (hits.length > 0) throw new Error(`the token was printed ${hits.length} time(s): ${hits[0]!.slice(0, 500)}`);
}
