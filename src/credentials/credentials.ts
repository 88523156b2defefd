// Where the token, host and dialect come from: AUTODL_TOKEN / AUTODL_HOST / AUTODL_DIALECT,
// then a `.env` file in the working directory, then the user config file
// ($XDG_CONFIG_HOME/autodl/config.json, default ~/.config/autodl/config.json).

// A token is sent only to the host it belongs to: the host saved with it by `autodl login`
// (or the default host), unless the user names the host with --host or token and host come
// from the same place (see tokenHostProblem).

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AutodlError } from '../errors.js';
import { t } from '../i18n/index.js';
import { PRIVATE_HOST, PUBLIC_HOST, type Dialect } from '../api/types.js';
import { dirProblem, linkProblem, writeFileSafely, type DirProblem } from '../util/safe-fs.js';

export type Env = Record<string, string | undefined>;

export interface UserConfig {
  token?: string;
  host?: string;
  dialect?: Dialect;
  lang?: string;
}

export type TokenSource = 'env' | 'dotenv' | 'user_config';
export type HostSource = 'env' | 'dotenv' | 'user_config' | 'default';

export interface ResolvedCredentials {
  token?: string;
  tokenSource?: TokenSource;
  host: string;
  hostSource: HostSource;
  /** The .env file looked at (whether or not it exists). */
  dotenvPath: string;
  /**
   * The host the token may be sent to without --host: for a token of the user config, the
   * host saved with it (default host when none); for AUTODL_TOKEN, AUTODL_HOST or else the
   * user config's host or the default. Undefined for a token of the .env file (its own
   * writer chose it, any host is theirs to pick).
   */
  tokenHost?: string;
  dialect?: Dialect;
  /** Where the token was looked for, in order (no values). */
  searched: string[];
}

export interface ResolveOptions {
  env?: Env;
  cwd?: string;
}

export const DEFAULT_HOST = PRIVATE_HOST;

/** $XDG_CONFIG_HOME/autodl/config.json, default ~/.config/autodl/config.json. */
export function userConfigPath(env: Env = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && xdg.trim() !== '' ? xdg : join(env.HOME && env.HOME !== '' ? env.HOME : homedir(), '.config');
  return join(base, 'autodl', 'config.json');
}

/**
 * Parse a .env text: `KEY=VALUE` lines, optional `export `, `#` comments (whole line, or after
 * whitespace in an unquoted value), single quotes (literal), double quotes (with \n \t \" \\ escapes).
 */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!;
    let v = m[2]!;
    if (v.startsWith('"')) {
      const end = findClosingQuote(v, '"');
      const inner = end >= 0 ? v.slice(1, end) : v.slice(1);
      v = inner.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c));
    } else if (v.startsWith("'")) {
      const end = v.indexOf("'", 1);
      v = end >= 0 ? v.slice(1, end) : v.slice(1);
    } else {
      const hash = v.search(/\s#/);
      if (hash >= 0) v = v.slice(0, hash);
      v = v.trim();
    }
    if (key === '__proto__') continue;
    out[key] = v;
  }
  return out;
}

function findClosingQuote(v: string, q: string): number {
  for (let i = 1; i < v.length; i++) {
    if (v[i] === '\\') {
      i++;
      continue;
    }
    if (v[i] === q) return i;
  }
  return -1;
}

function readDotenv(cwd: string): { path: string; values: Record<string, string> } {
  const path = join(cwd, '.env');
  if (!existsSync(path)) return { path, values: {} };
  try {
    return { path, values: parseDotenv(readFileSync(path, 'utf8')) };
  } catch (e) {
    throw new AutodlError('config_error', `cannot read ${path}: ${(e as Error).message}`, { path });
  }
}

function checkDialect(v: unknown, where: string): Dialect | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (v === 'private' || v === 'public') return v;
  throw new AutodlError('config_error', `${where}: dialect must be "private" or "public"`, { path: where, value: String(v) });
}

/** The user config file, or {} when it does not exist. A file that cannot be parsed → AutodlError('config_error'). */
export function readUserConfig(env: Env = process.env): UserConfig {
  const path = userConfigPath(env);
  if (!existsSync(path)) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AutodlError('config_error', `cannot read ${path}: ${(e as Error).message}`, { path });
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // the parser's message can quote the file's text (a token): give only the position
    const pos = /position (\d+)/.exec((e as Error).message);
    const details: Record<string, unknown> = { path };
    if (pos) details.position = Number(pos[1]);
    throw new AutodlError('config_error', `cannot parse ${path}: not valid JSON${pos ? ` (at position ${pos[1]})` : ''}`, details);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AutodlError('config_error', `${path}: expected a JSON object`, { path });
  }
  const o = parsed as Record<string, unknown>;
  const out: UserConfig = {};
  for (const key of ['token', 'host', 'lang'] as const) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new AutodlError('config_error', `${path}: "${key}" must be a string`, { path, field: key });
    out[key] = v;
  }
  const d = checkDialect(o.dialect, path);
  if (d) out.dialect = d;
  return out;
}

function errnoMessage(e: unknown): string {
  const er = e as NodeJS.ErrnoException;
  return er.code ? `${er.code}${er.syscall ? ` (${er.syscall})` : ''}` : String((e as Error)?.message ?? e);
}

/**
 * The config directory must be ours and closed to others: a directory that others can
 * write lets them plant a link where the file is written. Ours and open → repaired
 * (group/other write removed); someone else's and open → refused; a symbolic link that is
 * not ours → refused.
 */
function checkConfigDir(dir: string): void {
  let p: DirProblem | undefined;
  try {
    p = dirProblem(dir, true);
  } catch (e) {
    throw new AutodlError('config_error', t('config.dirUnusable', { path: dir, message: errnoMessage(e) }), { path: dir });
  }
  if (p === undefined) return;
  if (p.reason === 'symlink_not_owned') throw new AutodlError('config_error', t('config.dirNotOurs', { path: dir }), { path: dir, reason: p.reason, owner_uid: p.ownerUid });
  if (p.reason === 'not_a_directory') throw new AutodlError('config_error', t('config.dirUnusable', { path: dir, message: 'not a directory' }), { path: dir, reason: p.reason });
  throw new AutodlError('config_error', t('config.dirOpen', { path: dir, mode: p.mode }), { path: dir, reason: p.reason, mode: p.mode, owner_uid: p.ownerUid });
}

/**
 * Merge `patch` into the user config file (a key set to undefined/null is removed); creates the
 * directory (mode 0700), refuses or repairs one that others can write, writes mode 0600 through
 * a fresh temporary file. Any failure to write is a config_error naming the path.
 */
export function writeUserConfig(patch: Partial<Record<keyof UserConfig, string | null | undefined>>, env: Env = process.env): UserConfig {
  const path = userConfigPath(env);
  const dir = dirname(path);
  if (existsSync(dir)) checkConfigDir(dir);
  const planted = linkProblem(path);
  if (planted) throw new AutodlError('config_error', t('config.fileNotOurs', { path }), { path, reason: planted });
  readUserConfig(env); // validates the known keys (config_error on a broken file)
  // merge into the raw object so that keys this module does not type (e.g. `notify`) survive
  const current = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8') || '{}') as Record<string, unknown>) : {};
  const next: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (k === '__proto__') continue;
    if (v === undefined || v === null) delete next[k];
    else next[k] = v;
  }
  if (next.dialect !== undefined) checkDialect(next.dialect, 'dialect');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new AutodlError('config_error', t('config.writeFailed', { path, message: errnoMessage(e) }), { path, code: (e as NodeJS.ErrnoException).code });
  }
  checkConfigDir(dir);
  try {
    writeFileSafely(path, `${JSON.stringify(next, null, 2)}\n`, 0o600);
  } catch (e) {
    throw new AutodlError('config_error', t('config.writeFailed', { path, message: errnoMessage(e) }), { path, code: (e as NodeJS.ErrnoException).code });
  }
  return next as UserConfig;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v.trim() : undefined;
}

/** Token: AUTODL_TOKEN → .env → user config. Host: AUTODL_HOST → .env → user config → private host. Dialect likewise. */
export function resolveCredentials({ env = process.env, cwd = process.cwd() }: ResolveOptions = {}): ResolvedCredentials {
  const dot = readDotenv(cwd);
  const cfgPath = userConfigPath(env);
  const cfg = readUserConfig(env);
  const searched = ['env:AUTODL_TOKEN', dot.path, cfgPath];

  let token: string | undefined;
  let tokenSource: TokenSource | undefined;
  const fromEnv = nonEmpty(env.AUTODL_TOKEN);
  const fromDot = nonEmpty(dot.values.AUTODL_TOKEN);
  const fromCfg = nonEmpty(cfg.token);
  if (fromEnv) [token, tokenSource] = [fromEnv, 'env'];
  else if (fromDot) [token, tokenSource] = [fromDot, 'dotenv'];
  else if (fromCfg) [token, tokenSource] = [fromCfg, 'user_config'];

  const hosts: Array<[HostSource, string | undefined]> = [
    ['env', nonEmpty(env.AUTODL_HOST)],
    ['dotenv', nonEmpty(dot.values.AUTODL_HOST)],
    ['user_config', nonEmpty(cfg.host)],
    ['default', DEFAULT_HOST],
  ];
  const [hostSource, host] = hosts.find((h): h is [HostSource, string] => h[1] !== undefined)!;
  let tokenHost: string | undefined;
  if (tokenSource === 'user_config') tokenHost = nonEmpty(cfg.host) ?? DEFAULT_HOST;
  else if (tokenSource === 'env') tokenHost = nonEmpty(env.AUTODL_HOST) ?? nonEmpty(cfg.host) ?? DEFAULT_HOST;
  const dialect =
    checkDialect(nonEmpty(env.AUTODL_DIALECT), 'AUTODL_DIALECT') ??
    checkDialect(nonEmpty(dot.values.AUTODL_DIALECT), dot.path) ??
    cfg.dialect;

  const out: ResolvedCredentials = { host, hostSource, dotenvPath: dot.path, searched };
  if (tokenHost !== undefined) out.tokenHost = tokenHost;
  if (token !== undefined) out.token = token;
  if (tokenSource !== undefined) out.tokenSource = tokenSource;
  if (dialect !== undefined) out.dialect = dialect;
  return out;
}

export function tokenMissingError(searched: string[]): AutodlError {
  return new AutodlError(
    'token_missing',
    `no AutoDL token found: set AUTODL_TOKEN, put AUTODL_TOKEN=… in .env, or save "token" in ${searched[searched.length - 1] ?? 'the user config file'} (the token is at console → settings → developer token)`,
    { searched },
  );
}

/** The token, or AutodlError('token_missing') listing where it was looked for. */
export function requireToken(resolved: Pick<ResolvedCredentials, 'token' | 'searched'>): string {
  if (resolved.token === undefined || resolved.token === '') throw tokenMissingError(resolved.searched);
  return resolved.token;
}

/** scheme://host:port in lower case (a bare host name means https), or the trimmed text when it does not parse. */
export function hostOrigin(host: string): string {
  const h = host.trim().replace(/\/+$/, '');
  try {
    return new URL(h.includes('://') ? h : `https://${h}`).origin.toLowerCase();
  } catch {
    return h.toLowerCase();
  }
}

/** AutoDL's own API hosts: a token sent there reaches AutoDL whichever config named them. */
const OFFICIAL_ORIGINS = new Set([hostOrigin(PRIVATE_HOST), hostOrigin(PUBLIC_HOST)]);

/** A host as it may be quoted in a message: JSON-quoted (control characters escaped), at most 200 characters. */
function quoteHost(h: string): string {
  return JSON.stringify(h.length > 200 ? `${h.slice(0, 200)}…` : h);
}

/**
 * Why the resolved token must not be sent to the resolved host, or undefined when it may.
 * It may when: there is no token; the user named the host (`hostOverride`, the CLI's
 * --host); the host is one of AutoDL's own; the token came from the .env file (its writer
 * picked it); or the host is the one the token belongs to (`tokenHost`). So a `.env` that
 * only sets AUTODL_HOST cannot redirect the token saved by `autodl login` or set in the
 * environment. The error (config_error, exit 1) says where each came from and what to do.
 */
export function tokenHostProblem(r: ResolvedCredentials, hostOverride?: string): AutodlError | undefined {
  if (r.token === undefined || r.token === '') return undefined;
  if (hostOverride !== undefined && hostOverride.trim() !== '') return undefined;
  if (r.tokenHost === undefined) return undefined;
  const origin = hostOrigin(r.host);
  if (OFFICIAL_ORIGINS.has(origin) || origin === hostOrigin(r.tokenHost)) return undefined;
  const hostFrom = r.hostSource === 'env' ? 'AUTODL_HOST' : r.hostSource === 'dotenv' ? r.dotenvPath : r.hostSource === 'user_config' ? 'user_config' : 'default';
  const tokenFrom = r.tokenSource === 'env' ? 'AUTODL_TOKEN' : r.tokenSource === 'dotenv' ? r.dotenvPath : r.searched[r.searched.length - 1] ?? 'user_config';
  return new AutodlError(
    'config_error',
    t('config.tokenHostMismatch', { host: quoteHost(r.host), hostFrom, tokenFrom, tokenHost: quoteHost(r.tokenHost) }),
    {
      reason: 'token_host_mismatch',
      host: r.host.slice(0, 200),
      host_source: r.hostSource === 'dotenv' ? r.dotenvPath : r.hostSource,
      token_source: r.tokenSource,
      token_host: r.tokenHost,
      hint: '--host <url>',
    },
  );
}
