// Where the token, host and dialect come from: AUTODL_TOKEN / AUTODL_HOST / AUTODL_DIALECT,
// then a `.env` file in the working directory, then the user config file
// ($XDG_CONFIG_HOME/autodl/config.json, default ~/.config/autodl/config.json).

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AutodlError } from '../errors.js';
import { PRIVATE_HOST, type Dialect } from '../api/types.js';

export type Env = Record<string, string | undefined>;

export interface UserConfig {
  token?: string;
  host?: string;
  dialect?: Dialect;
  lang?: string;
}

export type TokenSource = 'env' | 'dotenv' | 'user_config';

export interface ResolvedCredentials {
  token?: string;
  tokenSource?: TokenSource;
  host: string;
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

/** Merge `patch` into the user config file (a key set to undefined/null is removed); creates the directory; mode 0600. */
export function writeUserConfig(patch: Partial<Record<keyof UserConfig, string | null | undefined>>, env: Env = process.env): UserConfig {
  const path = userConfigPath(env);
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
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  chmodSync(path, 0o600);
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

  const host = nonEmpty(env.AUTODL_HOST) ?? nonEmpty(dot.values.AUTODL_HOST) ?? nonEmpty(cfg.host) ?? DEFAULT_HOST;
  const dialect =
    checkDialect(nonEmpty(env.AUTODL_DIALECT), 'AUTODL_DIALECT') ??
    checkDialect(nonEmpty(dot.values.AUTODL_DIALECT), dot.path) ??
    cfg.dialect;

  const out: ResolvedCredentials = { host, searched };
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
