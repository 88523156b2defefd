// What every command shares: the context (global options, output mode, colours, secrets),
// the dispatcher that main.ts calls from each lazy action, and the single top-level error
// handler. Loaded only once a command runs (never for --help).
import { CommanderError, type Command } from 'commander';
import { AutodlError } from '../errors.js';
import type { Dialect } from '../api/types.js';
import { redactDeep } from '../api/redact.js';
import { dropSecrets, sanitizedJson } from '../ops/sanitize.js';
import { getLang, inLang, t, type Lang, type MessageKey } from '../i18n/index.js';
import { commanderMessage } from './commander-words.js';
import { colorsFor, inlineValue, terminalText, type Colors } from './output.js';
import { setUtcOutput } from '../util/time.js';
import { resolveCredentials } from '../credentials/credentials.js';
import { tokenSourceText } from './token-source.js';
import { stdErr, stdOut } from './std.js';

export interface GlobalOptions {
  json?: boolean;
  lang?: Lang;
  host?: string;
  dialect?: Dialect;
  verbose?: boolean;
  /** --utc: times printed in UTC instead of the platform's +08:00. */
  utc?: boolean;
}

export type Env = Record<string, string | undefined>;

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Env;
  cwd: string;
}

function defaultIo(): Io {
  return {
    // written straight to the descriptor until a stream is needed (./std.ts)
    stdout: stdOut,
    stderr: stdErr,
    // built on first use only: making the stdin stream costs several ms, and most commands never read it
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

// The secret-key rule and the one-pass sanitised JSON are the operations layer's (both faces use them).
export { dropSecrets, sanitizedJson } from '../ops/sanitize.js';

export class CliContext {
  readonly global: GlobalOptions;
  readonly io: Io;
  /** Machine output: --json, or stdout not a terminal (unless --no-json). */
  readonly json: boolean;
  /** Colours for stdout / stderr (off without a TTY or with NO_COLOR). */
  readonly out: Colors;
  readonly err: Colors;
  /** Values never printed (the token once resolved; AUTODL_TOKEN from the start). */
  readonly secrets: string[] = [];
  /** A long-running command (sim) sets this: main.ts then does not exit. */
  keepAlive = false;
  /** The exit code of a run that printed its result but did not succeed in full (a bulk action with failures). */
  exitCode = 0;

  constructor(global: GlobalOptions, io: Io = defaultIo()) {
    this.global = global;
    this.io = io;
    this.json = global.json ?? !io.stdout.isTTY;
    this.out = colorsFor(io.stdout, io.env);
    this.err = colorsFor(io.stderr, io.env);
    if (io.env.AUTODL_TOKEN) this.secrets.push(io.env.AUTODL_TOKEN);
    setUtcOutput(global.utc === true);
  }

  get env(): Env {
    return this.io.env;
  }

  get verbose(): boolean {
    return this.global.verbose === true;
  }

  addSecret(s: string | undefined): void {
    if (s && !this.secrets.includes(s)) this.secrets.push(s);
  }

  /** Secrets dropped (keys) and redacted (values): everything printed goes through here. */
  sanitize<T>(value: T): T {
    return redactDeep(dropSecrets(value), this.secrets);
  }

  private redactText(text: string): string {
    return redactDeep(text, this.secrets);
  }

  /** Human text as a terminal may receive it: secrets redacted, control characters of data escaped (output.ts). */
  humanText(text: string): string {
    return terminalText(this.redactText(text));
  }

  /** A line (or block) of human text on stdout. */
  print(text: string): void {
    this.io.stdout.write(`${this.humanText(text)}\n`);
  }

  /** JSON text of `value` as sanitize() would leave it (secret keys dropped, secrets redacted), in one pass. */
  jsonText(value: unknown, indent?: number): string {
    return sanitizedJson(value, this.secrets, indent);
  }

  /** JSON on stdout: indented on a terminal, one line otherwise. */
  printJson(value: unknown): void {
    this.io.stdout.write(`${this.jsonText(value, this.io.stdout.isTTY ? 2 : undefined)}\n`);
  }

  /** The result of a command: JSON in machine mode, else the human rendering. */
  result(value: unknown, human: () => string): void {
    if (this.json) this.printJson(value);
    else this.print(human());
  }

  /** A line of human text on stderr (progress, logs). */
  log(text: string): void {
    this.io.stderr.write(`${this.humanText(text)}\n`);
  }

  /** A warning on stderr: NDJSON `{"type":"warning",…}` in machine mode, else a yellow line. */
  warn(message: string, extra: Record<string, unknown> = {}): void {
    if (this.json) this.io.stderr.write(`${JSON.stringify(this.sanitize({ type: 'warning', message, ...extra }))}\n`);
    else this.log(`${this.err.yellow(t('warn.prefix'))}: ${message}`);
  }

  /** Debug lines, only with --verbose. */
  debug(line: string): void {
    if (this.verbose) this.log(this.err.dim(line));
  }
}

// ---------- dispatch ----------

interface RunState {
  ctx?: CliContext;
}
const state: RunState = {};

/** Global options as commander parsed them (`--no-json` → json false). */
export function globalOptionsOf(command: Command): GlobalOptions {
  const o = command.optsWithGlobals() as Record<string, unknown>;
  const g: GlobalOptions = {};
  if (typeof o.json === 'boolean') g.json = o.json;
  if (o.lang === 'zh' || o.lang === 'en') g.lang = o.lang;
  if (typeof o.host === 'string') g.host = o.host;
  if (o.dialect === 'private' || o.dialect === 'public') g.dialect = o.dialect;
  if (o.verbose === true) g.verbose = true;
  if (o.utc === true) g.utc = true;
  return g;
}

/** Run one command (./command.ts's action calls this): the context from the global options, then `run`. */
export async function runCommand(command: Command, run: (ctx: CliContext) => Promise<void>): Promise<void> {
  // `autodl deployments | head -1`: a closed pipe is a normal end, not a crash
  stdOut.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const ctx = new CliContext(globalOptionsOf(command));
  state.ctx = ctx;
  await run(ctx);
}

/** Exit code once the command returned normally; -1 = keep the process alive (a server runs). */
export function exitCodeAfterRun(): number {
  return state.ctx?.keepAlive ? -1 : (state.ctx?.exitCode ?? 0);
}

// ---------- the single error handler ----------

function toAutodlError(e: unknown, verbose: boolean): { err: AutodlError; stack?: string } {
  if (e instanceof AutodlError) return { err: e };
  if (e instanceof CommanderError) {
    const msg = e.message.replace(/^error:\s*/i, '');
    // details.reason stays commander's English (details never change with the language)
    return { err: new AutodlError('config_error', t('arg.invalid', { message: commanderMessage(e.code, msg) }), { code: e.code, reason: msg }) };
  }
  const base = e instanceof Error ? e : new Error(String(e));
  const out: { err: AutodlError; stack?: string } = {
    err: new AutodlError('api_error', t('error.unexpected', { message: base.message }), { kind: 'internal', name: base.name }, 3),
  };
  if (verbose && base.stack) out.stack = base.stack;
  return out;
}

/** The key of a detail as a person reads it (the JSON keeps the key itself). */
function detailLabel(key: string): string {
  const label = DETAIL_LABELS[key];
  return label ? t(label) : key;
}

const DETAIL_LABELS: Record<string, MessageKey> = {
  errors: 'detail.errors',
  path: 'detail.path',
  deployment: 'detail.deployment',
  requested: 'detail.requested',
  searched: 'detail.searched',
  line: 'detail.lineKey',
  container: 'detail.container',
  hint: 'detail.hint',
  state: 'detail.state',
  deployment_uuid: 'detail.deploymentUuid',
  reason: 'detail.reason',
  column: 'detail.columnKey',
};

function humanDetails(details: Record<string, unknown>, c: Colors): string[] {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(details)) {
    // commander's own English words of a parse error: the headline already says them
    if (k === 'reason' && getLang() !== 'en' && typeof details.code === 'string' && details.code.startsWith('commander.')) continue;
    if (Array.isArray(v) && v.every((x) => x && typeof x === 'object' && 'message' in (x as object))) {
      lines.push(`  ${c.dim(`${detailLabel(k)}:`)}`);
      for (const x of v as Array<Record<string, unknown>>) {
        const where = x.path ?? x.field;
        const line = typeof x.line === 'number' ? c.dim(` ${t('detail.line', { line: x.line })}`) : '';
        const head = where !== undefined && where !== '' ? `${c.bold(String(where))}${line}: ` : line ? `${line.trim()}: ` : '';
        lines.push(`    - ${head}${inLang(String(x.message))}`);
      }
    } else {
      lines.push(`  ${c.dim(`${detailLabel(k)}:`)} ${typeof v === 'string' ? inLang(v) : inlineValue(v)}`);
    }
  }
  return lines;
}

/**
 * Report any error once and return the exit code. Machine mode (--json, or stdout not a
 * terminal): `{"status":"error",…}` on stdout. Terminal: a readable coloured message on stderr.
 */
/**
 * The library layers (spec, queue, SDK) word their messages in English. In another
 * language the headline comes from the catalog, built from error_type and details — the
 * details themselves (field paths, API code/msg) stay as they are.
 */
function localizedMessage(r: { error_type: string; message: string; details: Record<string, unknown> }): string {
  if (getLang() === 'en') return r.message;
  // already from the catalog (unless the Chinese is the platform's own msg, quoted in an English message)
  if (/[\u4e00-\u9fff]/.test(r.message) && r.error_type !== 'api_error' && r.details.platform_reason === undefined) return r.message;
  const made = inLang(r.message);
  if (made !== r.message) return made; // worded by a lower layer from the catalog (english())
  const d = r.details;
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String).join(', ') : String(v ?? ''));
  switch (r.error_type) {
    case 'validation_error': {
      const errors = Array.isArray(d.errors) ? (d.errors as Array<{ path?: unknown; message?: unknown }>) : [];
      if (errors.length === 0) break;
      const first = errors[0]!;
      return t('errmsg.validation', { count: errors.length, first: `${String(first.path ?? '')}: ${inLang(String(first.message ?? ''))}` });
    }
    case 'config_error':
      return t('errmsg.config', { message: inLang(r.message) });
    case 'image_not_found':
      return t('errmsg.imageNotFound', { requested: list(d.requested) });
    case 'gpu_type_not_found':
      return t('errmsg.gpuTypeNotFound', { requested: list(d.requested) });
    case 'submission_error': {
      const pr = d.platform_reason as { code?: unknown; msg?: unknown } | undefined;
      if (pr && typeof pr === 'object') {
        const reason = [pr.msg, pr.code !== undefined ? `(code ${String(pr.code)})` : undefined].filter((x) => x !== undefined && x !== '').join(' ');
        return t('errmsg.submissionReason', { n: String(d.consecutive_failures ?? 3), reason });
      }
      return t('errmsg.submission', { message: r.message });
    }
    case 'timeout':
      if (d.in_flight === true) return t('errmsg.timeoutInFlight', { elapsed: String(d.elapsed_seconds ?? '?'), id: String(d.entry_id ?? '') });
      if (typeof d.refused_creates === 'number') {
        const pr = d.platform_reason as { code?: unknown; msg?: unknown } | undefined;
        const reason = pr && typeof pr === 'object' ? [pr.msg, pr.code !== undefined ? `(code ${String(pr.code)})` : undefined].filter((x) => x !== undefined && x !== '').join(' ') : r.message;
        return t('errmsg.timeoutRefused', { elapsed: String(d.elapsed_seconds ?? '?'), n: d.refused_creates, reason });
      }
      return t('errmsg.timeout', { elapsed: String(d.elapsed_seconds ?? '?'), message: r.message });
    case 'token_missing':
      return t('errmsg.tokenMissing', { searched: list(d.searched) });
    case 'api_error':
      return t('errmsg.api', { message: r.message });
    default:
      break;
  }
  return r.message;
}

/** A 401/403 from the API: where the token came from and what to do (`autodl login`). */
function refusedTokenHint(r: { error_type: string; details: Record<string, unknown> }, ctx: CliContext): { text: string; source: string | null } | undefined {
  if (r.error_type !== 'api_error') return undefined;
  const status = r.details.status;
  if (status !== 401 && status !== 403) return undefined;
  try {
    const creds = resolveCredentials({ env: ctx.env, cwd: ctx.io.cwd });
    return { text: t('auth.hint401', { source: tokenSourceText(creds) }), source: creds.tokenSource ?? null };
  } catch {
    return { text: t('auth.hint401', { source: '' }), source: null };
  }
}

export function handleError(e: unknown, early: { json?: boolean; verbose: boolean }, io: Io = defaultIo()): number {
  const ctx = state.ctx ?? new CliContext({ ...(early.json !== undefined ? { json: early.json } : {}), verbose: early.verbose }, io);
  const { err, stack } = toAutodlError(e, ctx.verbose || early.verbose);
  const result = ctx.sanitize(err.toResult());
  result.message = localizedMessage(result);
  const hint = refusedTokenHint(result, ctx);
  if (hint) {
    result.message = `${result.message}; ${hint.text}`;
    result.details = { ...result.details, token_source: hint.source };
  }
  if (ctx.json) {
    ctx.printJson(result);
  } else {
    const c = ctx.err;
    const lines = [`${c.red(c.bold(t('error.title')))} ${c.dim(`[${result.error_type}]`)}: ${result.message}`];
    lines.push(...humanDetails(result.details, c));
    ctx.log(lines.join('\n'));
  }
  if (stack) ctx.log(ctx.err.dim(stack));
  return err.exitCode;
}
