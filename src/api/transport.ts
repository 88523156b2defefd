// HTTP transport on the built-in fetch: auth header, per-request timeout, the envelope,
// typed errors, retries for safe calls only, refusal of plain http to non-loopback
// hosts, and redaction of the token from everything it reports.

import { httpFetch, tooLargeError } from './http-fetch.js';
import { ApiError, AutodlError, type ApiFailureKind, type ApiErrorInfo } from '../errors.js';
import type { Envelope } from './types.js';
import { redact } from './redact.js';
import { sleep, timerDelay, type SleepFn } from '../util/sleep.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | null;
export type Query = Record<string, QueryValue>;

export type { SleepFn };

/** How requests are sent, timed out and retried (also the tuning part of ClientOptions). */
export interface TransportTuning {
  /** Per-request timeout (default 30000 ms). */
  timeoutMs?: number;
  /** Retries for safe calls (reads), default 3. Creates are never retried. */
  retries?: number;
  /** Injected fetch (tests of the transport alone); default node:http(s). */
  fetch?: typeof fetch;
  /** Debug log sink; lines never contain the token. */
  debug?: (line: string) => void;
  /** Observes every HTTP attempt (for request counting / progress). */
  onRequest?: (info: { method: string; path: string; attempt: number }) => void;
  /** Injected sleep for backoff (tests). */
  sleep?: SleepFn;
  /** Injected randomness for jitter (tests), in [0, 1). */
  random?: () => number;
  /** Backoff base (default 200 ms) and cap (default 5000 ms). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Cap on an honoured Retry-After (default 60000 ms). */
  maxRetryAfterMs?: number;
  /**
   * Largest reply body read, in bytes (default 32 MiB). The body is read as a stream and the
   * connection dropped past the cap (whatever Content-Length says, or without one); the call
   * then fails with an api_error of kind 'too_large' (not retried).
   */
  maxReplyBytes?: number;
}

export interface TransportOptions extends TransportTuning {
  host: string;
  token?: string;
  /** Builds the error thrown when a request needs a token and there is none. */
  missingToken?: () => Error;
  /** Extra secrets to redact besides the token. */
  secrets?: string[];
}

export interface RequestSpec {
  method: HttpMethod;
  path: string;
  query?: Query;
  body?: unknown;
  /** Safe (read) calls are retried; writes never are. */
  safe: boolean;
  signal?: AbortSignal;
}

export interface TransportResult {
  envelope: Envelope<unknown>;
  httpStatus: number;
  attempts: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRIES = 3;
export const DEFAULT_RETRY_BASE_MS = 200;
export const DEFAULT_RETRY_MAX_MS = 5_000;
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
export const DEFAULT_MAX_REPLY_BYTES = 32 * 1024 * 1024;

function interrupted(): AutodlError {
  return new AutodlError('interrupted', 'request aborted');
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  if (/^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return false;
}

export function normalizeHost(host: string): string {
  const h = host.trim().replace(/\/+$/, '');
  return h.includes('://') ? h : `https://${h}`;
}

export function buildUrl(host: string, path: string, query?: Query): string {
  let url = normalizeHost(host) + path;
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null) continue;
      qs.append(k, String(v));
    }
    const s = qs.toString();
    if (s) url += `?${s}`;
  }
  return url;
}

/** Codes of failures that happen before the request leaves: it was certainly not applied. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CONNECT',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
]);

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const o = cur as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof o.code === 'string') return o.code;
    if (Array.isArray(o.errors) && o.errors.length > 0) {
      const c = errorCode(o.errors[0]);
      if (c) return c;
    }
    cur = o.cause;
  }
  return undefined;
}

function errorText(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    if (cur instanceof Error) {
      if (cur.message && !parts.includes(cur.message)) parts.push(cur.message);
      cur = (cur as { cause?: unknown }).cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(': ');
}

function isNotSent(code: string | undefined): boolean {
  if (!code) return false;
  return NOT_SENT_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('CERT_');
}

/** Retry-After in seconds (delta or HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, (t - now) / 1000);
}

function isEnvelope(v: unknown): v is Envelope<unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { code?: unknown }).code === 'string';
}

interface Failure {
  kind: ApiFailureKind;
  message: string;
  httpStatus?: number;
  code?: string;
  msg?: string;
  requestId?: string;
  mayHaveApplied: boolean;
  retryable: boolean;
  retryAfterSeconds?: number;
  limitBytes?: number;
}

type Outcome = { ok: true; envelope: Envelope<unknown>; httpStatus: number } | { ok: false; failure: Failure };

// A header value may hold only visible latin-1 and spaces/tabs.
const VALID_HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export class Transport {
  readonly host: string;
  private readonly token: string | undefined;
  private readonly opts: TransportOptions;
  private readonly fetchImpl: typeof fetch;
  private readonly secrets: string[];

  constructor(options: TransportOptions) {
    this.opts = options;
    this.host = normalizeHost(options.host);
    this.token = options.token;
    this.fetchImpl = options.fetch ?? (httpFetch as unknown as typeof fetch);
    this.secrets = [options.token, ...(options.secrets ?? [])].filter((s): s is string => typeof s === 'string' && s !== '');
  }

  private serverDate: { server: number; local: number } | undefined;

  private noteServerDate(header: string | null): void {
    if (!header) return;
    const server = Date.parse(header);
    if (Number.isFinite(server)) this.serverDate = { server, local: Date.now() };
  }

  /** The server's clock now (from the last reply's Date header, 1 s resolution), or undefined before any reply. */
  serverNow(): number | undefined {
    return this.serverDate ? this.serverDate.server + (Date.now() - this.serverDate.local) : undefined;
  }

  /** Redact every known secret from a text. */
  redact(text: string): string {
    return redact(text, this.secrets);
  }

  private debug(line: string): void {
    this.opts.debug?.(this.redact(line));
  }

  url(path: string, query?: Query): string {
    return buildUrl(this.host, path, query);
  }

  /** Throws ApiError kind 'refused' unless the URL is https, or http to a loopback address. */
  checkUrl(method: string, path: string, url: string): void {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new AutodlError('config_error', `invalid API host: ${this.redact(this.host)}`, { host: this.redact(this.host) });
    }
    if (u.protocol === 'https:') return;
    if (u.protocol === 'http:' && isLoopbackHostname(u.hostname)) return;
    const why =
      u.protocol === 'http:'
        ? `refusing to send the token over plain http:// to ${u.hostname} (only https, or http to a loopback address, is allowed)`
        : `unsupported protocol ${u.protocol} in API host`;
    throw new ApiError(this.redact(why), { kind: 'refused', method, path, mayHaveApplied: false, attempts: 0 });
  }

  async request(spec: RequestSpec): Promise<TransportResult> {
    const { method, path } = spec;
    const url = this.url(path, spec.query);
    this.checkUrl(method, path, url);
    if (!this.token) {
      throw this.opts.missingToken?.() ?? new AutodlError('token_missing', 'no AutoDL token: set AUTODL_TOKEN', { searched: [] });
    }
    if (!VALID_HEADER_VALUE.test(this.token)) {
      throw new AutodlError('config_error', 'the AutoDL token contains characters that cannot be sent in a header', {});
    }
    const retries = Math.max(0, Math.floor(this.opts.retries ?? DEFAULT_RETRIES));
    const maxAttempts = spec.safe ? retries + 1 : 1;
    const pause = this.opts.sleep ?? sleep;
    for (let attempt = 1; ; attempt++) {
      if (spec.signal?.aborted) throw interrupted();
      this.opts.onRequest?.({ method, path, attempt });
      this.debug(`-> ${method} ${path} (attempt ${attempt})`);
      const outcome = await this.attempt(spec, url);
      if (outcome.ok) {
        this.debug(`<- ${outcome.httpStatus} ${method} ${path} code=${outcome.envelope.code}`);
        return { envelope: outcome.envelope, httpStatus: outcome.httpStatus, attempts: attempt };
      }
      const f = outcome.failure;
      if (spec.safe && f.retryable && attempt < maxAttempts) {
        const delay = this.backoff(attempt, f.retryAfterSeconds);
        this.debug(`retrying ${method} ${path} in ${Math.round(delay)} ms after: ${f.message}`);
        await pause(delay, spec.signal);
        if (spec.signal?.aborted) throw interrupted();
        continue;
      }
      this.debug(`failed ${method} ${path} after ${attempt} attempt(s): ${f.message}`);
      const info: ApiErrorInfo = {
        kind: f.kind,
        method,
        path,
        attempts: attempt,
      };
      if (!spec.safe) info.mayHaveApplied = f.mayHaveApplied;
      if (f.httpStatus !== undefined) info.httpStatus = f.httpStatus;
      if (f.code !== undefined) info.code = this.redact(f.code);
      if (f.msg !== undefined) info.msg = this.redact(f.msg);
      if (f.requestId !== undefined) info.requestId = this.redact(f.requestId);
      if (f.retryAfterSeconds !== undefined) info.retryAfterSeconds = f.retryAfterSeconds;
      if (f.limitBytes !== undefined) info.limitBytes = f.limitBytes;
      let message = f.message;
      if (attempt > 1) message += ` (after ${attempt} attempts)`;
      if (!spec.safe && f.mayHaveApplied) message += '; the request may have been applied';
      throw new ApiError(this.redact(message), info);
    }
  }

  /** Delay before retry number `attempt` (1-based): Retry-After when given (capped), else jittered exponential. */
  backoff(attempt: number, retryAfterSeconds?: number): number {
    const cap = this.opts.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    if (retryAfterSeconds !== undefined) return Math.min(cap, Math.max(0, retryAfterSeconds * 1000));
    const base = this.opts.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    const max = this.opts.retryMaxMs ?? DEFAULT_RETRY_MAX_MS;
    const exp = Math.min(max, base * 2 ** (attempt - 1));
    const r = (this.opts.random ?? Math.random)();
    // "equal jitter": half fixed, half random
    return exp / 2 + (exp / 2) * Math.min(1, Math.max(0, r));
  }

  private async attempt(spec: RequestSpec, url: string): Promise<Outcome> {
    const { method, path } = spec;
    const where = `${method} ${path}`;
    const ctrl = new AbortController();
    let timedOut = false;
    const timeoutMs = this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, timerDelay(timeoutMs));
    const onAbort = () => ctrl.abort();
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    const headers: Record<string, string> = {
      Authorization: this.token ?? '',
      'Content-Type': 'application/json',
      Accept: 'application/json',
    };
    const maxBytes = replyCap(this.opts.maxReplyBytes);
    // maxBytes is read by httpFetch; an injected fetch ignores it and readBody() enforces the cap
    const init: RequestInit & { maxBytes: number } = { method, headers, signal: ctrl.signal, redirect: 'manual', maxBytes };
    if (method !== 'GET' && spec.body !== undefined) init.body = JSON.stringify(spec.body);
    let status = 0;
    let text: string;
    let retryAfter: string | null = null;
    try {
      const res = await this.fetchImpl(url, init);
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      this.noteServerDate(res.headers.get('date'));
      text = await readBody(res, maxBytes, () => ctrl.abort());
    } catch (e) {
      if (errorCode(e) === 'ERR_REPLY_TOO_LARGE') {
        return {
          ok: false,
          failure: {
            kind: 'too_large',
            message: `reply from ${where}${status ? ` (HTTP ${status})` : ''} is larger than the ${formatBytes(maxBytes)} limit (maxReplyBytes); it was not read further`,
            mayHaveApplied: true,
            retryable: false,
            limitBytes: maxBytes,
          },
        };
      }
      if (spec.signal?.aborted && !timedOut) throw interrupted();
      if (timedOut) {
        return {
          ok: false,
          failure: {
            kind: 'timeout',
            message: `no reply from ${where} within ${timeoutMs} ms`,
            mayHaveApplied: true,
            retryable: true,
            ...(status ? { httpStatus: status } : {}),
          },
        };
      }
      const code = errorCode(e);
      const notSent = status === 0 && isNotSent(code);
      return {
        ok: false,
        failure: {
          kind: 'network',
          message: `network error on ${where}: ${code ?? 'error'} (${errorText(e)})`,
          mayHaveApplied: !notSent,
          retryable: true,
          ...(code ? { code } : {}),
        },
      };
    } finally {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
    }

    let parsed: unknown;
    let isJson = false;
    try {
      parsed = JSON.parse(text);
      isJson = true;
    } catch {
      /* not JSON */
    }
    const env = isJson && isEnvelope(parsed) ? parsed : undefined;
    const envFields = (e: Envelope<unknown> | undefined) => {
      const out: { code?: string; msg?: string; requestId?: string } = {};
      if (!e) return out;
      out.code = e.code;
      if (e.msg !== undefined && e.msg !== null) out.msg = String(e.msg);
      if (typeof e.request_id === 'string') out.requestId = e.request_id;
      return out;
    };

    if (status < 200 || status >= 300) {
      const f = envFields(env);
      const ra = parseRetryAfter(retryAfter);
      const retryable = status === 429 || status === 408 || status >= 500;
      let message = `HTTP ${status} from ${where}`;
      if (status >= 300 && status < 400) message += ' (redirect not followed)';
      if (f.msg) message += `: ${f.msg}`;
      if (f.code) message += ` (code ${f.code})`;
      if (!env && text.trim() !== '') message += `: ${snippet(text)}`;
      return {
        ok: false,
        failure: {
          kind: 'http',
          message,
          httpStatus: status,
          ...f,
          mayHaveApplied: status >= 500,
          retryable,
          ...(ra !== undefined && (status === 429 || status === 503) ? { retryAfterSeconds: ra } : {}),
        },
      };
    }
    if (!isJson) {
      return {
        ok: false,
        failure: {
          kind: 'non_json',
          message: `non-JSON reply (HTTP ${status}) from ${where}${text.trim() ? `: ${snippet(text)}` : ' (empty body)'}`,
          httpStatus: status,
          mayHaveApplied: true,
          retryable: false,
        },
      };
    }
    if (!env) {
      return {
        ok: false,
        failure: {
          kind: 'non_json',
          message: `reply from ${where} is JSON but not an AutoDL envelope (no string "code")`,
          httpStatus: status,
          mayHaveApplied: true,
          retryable: false,
        },
      };
    }
    if (env.code !== 'Success') {
      const f = envFields(env);
      return {
        ok: false,
        failure: {
          kind: 'envelope',
          message: `AutoDL refused ${where}: ${f.msg || '(no message)'} (code ${env.code})`,
          httpStatus: status,
          ...f,
          mayHaveApplied: false,
          retryable: false,
        },
      };
    }
    return { ok: true, envelope: env, httpStatus: status };
  }
}

/** The reply cap: a positive whole number of bytes, else the default. */
function replyCap(v: number | undefined): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.floor(v) : DEFAULT_MAX_REPLY_BYTES;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

type BodyReader = { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(reason?: unknown): Promise<void> };

/**
 * The body as text, at most `maxBytes`: a declared Content-Length past it is refused at once;
 * a web stream body (an injected fetch) is read chunk by chunk and cancelled past the cap;
 * otherwise text() (httpFetch enforces the cap itself) is checked afterwards.
 */
async function readBody(
  res: { headers: { get(name: string): string | null }; text(): Promise<string>; body?: unknown },
  maxBytes: number,
  abort: () => void,
): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    abort();
    throw tooLargeError(maxBytes);
  }
  const body = res.body as { getReader?: () => BodyReader } | null | undefined;
  if (body && typeof body.getReader === 'function') {
    const reader = body.getReader();
    const parts: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!value) continue;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        abort();
        throw tooLargeError(maxBytes);
      }
      parts.push(value);
    }
    return Buffer.concat(parts).toString('utf8');
  }
  const text = await res.text();
  if (Buffer.byteLength(text) > maxBytes) throw tooLargeError(maxBytes);
  return text;
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? `${t.slice(0, 120)}…` : t;
}
