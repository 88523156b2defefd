// Shared pieces of the reliability suite: scale, figures, child processes with a timeout
// whose every byte is kept (for the secret scan), a small concurrency pool, checks of the
// error contract's JSON shape.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'dist', 'autodl.cjs');

export type ScaleName = 'ci' | 'full';

export interface Sizes {
  /** configs through prepareSpec (library) */
  configsLib: number;
  /** configs through the real CLI (validate and create each) */
  configsCli: number;
  /** fault section: entries for the queue worker under faults */
  faultQueueEntries: number;
  /** crash section */
  crashRounds: number;
  /** load section */
  loadClients: number;
  loadSeconds: number;
  loadMaxRequests: number;
  workerEntries: number;
  workerTicks: number;
  /** parallel CLI processes */
  cliConcurrency: number;
}

export const SIZES: Record<ScaleName, Sizes> = {
  ci: {
    configsLib: 1500,
    configsCli: 40,
    faultQueueEntries: 12,
    crashRounds: 20,
    loadClients: 8,
    loadSeconds: 4,
    loadMaxRequests: 20_000,
    workerEntries: 1000,
    workerTicks: 5,
    cliConcurrency: 2,
  },
  full: {
    configsLib: 10_000,
    configsCli: 200,
    faultQueueEntries: 40,
    crashRounds: 300,
    loadClients: 32,
    loadSeconds: 20,
    loadMaxRequests: 400_000,
    workerEntries: 1000,
    workerTicks: 20,
    cliConcurrency: 2,
  },
};

export interface Figure {
  figure: string;
  value: string;
  command: string;
  /** true/false for a correctness check, undefined for a reported (performance) figure */
  ok?: boolean;
}

export interface Section {
  id: string;
  title: string;
  /** a sentence on what was exercised */
  intro: string;
  figures: Figure[];
  /** extra markdown after the table (e.g. the isolation matrix) */
  extra?: string;
  /** human-readable correctness failures (each also makes the run exit non-zero) */
  failures: string[];
}

export interface Captured {
  label: string;
  text: string;
}

/** State shared by every section of one run. */
export class Suite {
  readonly scale: ScaleName;
  readonly sizes: Sizes;
  readonly work: string;
  /** every stdout/stderr byte the suite saw from child processes, plus its own log */
  readonly captured: Captured[] = [];
  /** tokens and root passwords that must appear nowhere */
  readonly secrets = new Set<string>();
  readonly rerun: (section: string) => string;

  constructor(scale: ScaleName) {
    this.scale = scale;
    this.sizes = SIZES[scale];
    this.work = mkdtempSync(join(tmpdir(), 'autodl-reliability-'));
    this.rerun = (section) => `RELIABILITY_SCALE=${scale} RELIABILITY_ONLY=${section} npm run reliability`;
  }

  secret(s: string | undefined): void {
    if (s && s.length >= 6) this.secrets.add(s);
  }

  capture(label: string, text: string): void {
    if (text) this.captured.push({ label, text });
  }

  log(line: string): void {
    const l = `[reliability] ${line}`;
    this.capture('suite log', l);
    process.stderr.write(`${l}\n`);
  }
}

export function newSection(id: string, title: string, intro: string): Section {
  return { id, title, intro, figures: [], failures: [] };
}

/** A checked figure: ok decides the pass; a failure message is recorded when it does not hold. */
export function check(sec: Section, figure: string, value: string | number, ok: boolean, command: string, why?: string): void {
  sec.figures.push({ figure, value: String(value), command, ok });
  if (!ok) sec.failures.push(`${figure}: ${value}${why ? ` — ${why}` : ''}`);
}

/** A reported figure (performance): never fails the run. */
export function report(sec: Section, figure: string, value: string | number, command: string): void {
  sec.figures.push({ figure, value: String(value), command });
}

export interface ProcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export interface ProcOptions {
  env?: Record<string, string>;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
  label?: string;
}

/** Environment for a child: no inherited AUTODL_* / HOME / XDG; the given additions. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k.startsWith('AUTODL_') || k.startsWith('XDG_') || ['HOME', 'LANG', 'LC_ALL', 'LC_MESSAGES', 'NO_COLOR', 'FORCE_COLOR', 'NODE_OPTIONS'].includes(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Run a command to completion (SIGKILL after timeoutMs); every byte is captured for the secret scan. */
export function runProc(suite: Suite, file: string, args: string[], o: ProcOptions = {}): Promise<ProcResult> {
  const t0 = performance.now();
  return new Promise((res, rej) => {
    const child = spawn(file, args, { cwd: o.cwd ?? suite.work, env: o.env ?? cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => {});
    if (o.input !== undefined) child.stdin.end(o.input);
    else child.stdin.end();
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs ?? 20_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      rej(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const label = o.label ?? `${file} ${args.join(' ')}`;
      suite.capture(`${label} (stdout)`, stdout);
      suite.capture(`${label} (stderr)`, stderr);
      res({ code, signal, stdout, stderr, timedOut, ms: performance.now() - t0 });
    });
  });
}

/** The real CLI: node dist/autodl.cjs … */
export function runCli(suite: Suite, args: string[], o: ProcOptions = {}): Promise<ProcResult> {
  return runProc(suite, process.execPath, [CLI, ...args], { label: `autodl ${args[0] ?? ''}`, ...o });
}

/** Run tasks with at most `n` in flight. */
export async function pool<T, R>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(n, items.length)) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

const STACK_LINE = /^\s+at \S.*(\(|:\d+)/m;
const ERROR_DUMP = /^(?:Uncaught )?[A-Z][A-Za-z]*Error(?: \[[A-Z_]+\])?: /m;

/** A stack trace or a raw "XxxError: …" dump in a text. */
export function hasStackTrace(text: string): boolean {
  return STACK_LINE.test(text) || ERROR_DUMP.test(text) || text.includes('node:internal');
}

export interface ErrorShape {
  status: 'error';
  error_type: string;
  message: string;
  details: Record<string, unknown>;
}

/** Why a CLI result is not a clean error of one of `types` with exit `code` (undefined = clean). */
export function notCleanError(r: ProcResult, types: readonly string[], code: number): string | undefined {
  if (r.timedOut) return `hung (killed after ${Math.round(r.ms)} ms)`;
  if (r.signal) return `killed by ${r.signal}`;
  if (hasStackTrace(r.stdout) || hasStackTrace(r.stderr)) return `stack trace: ${(r.stderr || r.stdout).slice(0, 300)}`;
  let j: unknown;
  try {
    j = JSON.parse(r.stdout);
  } catch {
    return `stdout is not one JSON document: ${r.stdout.slice(0, 200)} / stderr ${r.stderr.slice(0, 200)}`;
  }
  const why = notErrorShape(j);
  if (why) return why;
  const e = j as ErrorShape;
  if (!types.includes(e.error_type)) return `error_type ${e.error_type} (expected ${types.join('|')}): ${e.message.slice(0, 200)}`;
  if (r.code !== code) return `exit ${r.code} (expected ${code})`;
  for (const line of r.stderr.split('\n')) {
    if (line.trim() === '') continue;
    try {
      JSON.parse(line);
    } catch {
      return `stderr line is not NDJSON in --json mode: ${line.slice(0, 200)}`;
    }
  }
  return undefined;
}

/** Why a value is not the contract's error object. */
export function notErrorShape(j: unknown): string | undefined {
  if (j === null || typeof j !== 'object' || Array.isArray(j)) return 'not an object';
  const o = j as Record<string, unknown>;
  if (o.status !== 'error') return `status ${String(o.status)}`;
  if (typeof o.error_type !== 'string') return 'error_type missing';
  if (typeof o.message !== 'string' || o.message === '') return 'message missing';
  if (o.details === null || typeof o.details !== 'object' || Array.isArray(o.details)) return 'details missing';
  if (o.error_type === 'validation_error') {
    const errs = (o.details as Record<string, unknown>).errors;
    if (!Array.isArray(errs) || errs.length === 0) return 'validation_error without details.errors';
  }
  return undefined;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const ms = (x: number): string => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`;

/** Deterministic PRNG (LCG) for the suite's own random choices. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export const sleep = (t: number): Promise<void> => new Promise((r) => setTimeout(r, t));
