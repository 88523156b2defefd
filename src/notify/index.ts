// Notifications: an event (submitted, all running, Job finished, failed) sent to the sinks
// configured in the user config file (`notify` key). Formats in docs/notifications.md.
// notify() never throws: it returns one result per sink. A failed send is retried a few times.
import { createHmac } from 'node:crypto';
import { sleep } from '../util/sleep.js';
import { existsSync, readFileSync } from 'node:fs';
import { AutodlError } from '../errors.js';
import { userConfigPath, type Env } from '../credentials/credentials.js';
import { isLoopbackHostname } from '../api/transport.js';

export type NotifyKind = 'submitted' | 'all_running' | 'job_finished' | 'failed' | 'policy' | 'test';

export interface NotifyEvent {
  kind: NotifyKind;
  /** One human sentence. */
  message: string;
  /** Short title; default from the kind. */
  title?: string;
  deployment?: { uuid: string; name?: string };
  /** A queue entry, when the event comes from the queue. */
  entry?: { id: string; name?: string };
  /** For kind 'failed'. */
  error_type?: string;
  /** ISO time; default now. */
  time?: string;
  details?: Record<string, unknown>;
}

export const SINK_TYPES = ['webhook', 'feishu', 'wecom', 'dingtalk', 'serverchan'] as const;
export type SinkType = (typeof SINK_TYPES)[number];

export interface NotifySink {
  type: SinkType;
  url: string;
  /** Feishu / DingTalk signing secret. */
  secret?: string;
  /** WeCom: text (default) or markdown. */
  format?: 'text' | 'markdown';
  /** Extra headers for the generic webhook. */
  headers?: Record<string, string>;
  /** Only these kinds (default: all). */
  kinds?: NotifyKind[];
  /** Allow a plain http:// URL to a host that is not loopback (config `allow_insecure_http`). */
  allowInsecureHttp?: boolean;
}

/**
 * Why a sink URL may not be used, or undefined: only http(s); plain http:// only to a
 * loopback address unless the sink opts in (`allow_insecure_http: true`) — the URL, the
 * headers and the body would cross the network readable and changeable by anyone on the way.
 */
export function sinkUrlProblem(url: string, allowInsecureHttp = false): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'must be an http(s) URL';
  }
  if (u.protocol === 'https:') return undefined;
  if (u.protocol !== 'http:') return 'must be an http(s) URL';
  if (isLoopbackHostname(u.hostname) || allowInsecureHttp) return undefined;
  return 'plain http:// to a host that is not loopback: use https://, or set "allow_insecure_http": true on this sink';
}

export interface NotifyResult {
  type: SinkType;
  /** The URL with its secret parts masked. */
  target: string;
  ok: boolean;
  attempts: number;
  /** Last HTTP status, when a reply came. */
  status?: number;
  error?: string;
  /** true when the sink is filtered out by `kinds`. */
  skipped?: boolean;
}

export interface NotifyOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per sink (default 3). */
  attempts?: number;
  /** First backoff (default 500 ms), doubled each retry. */
  backoffMs?: number;
  /** Per-request timeout (default 10000 ms). */
  timeoutMs?: number;
  /** Clock for timestamps and signatures (ms since epoch). */
  now?: () => number;
}

const TITLES: Record<NotifyKind, string> = {
  submitted: 'AutoDL: deployment submitted',
  all_running: 'AutoDL: all replicas running',
  job_finished: 'AutoDL: Job finished',
  policy: 'AutoDL: a queue policy acted',
  failed: 'AutoDL: failed',
  test: 'AutoDL: test notification',
};

export function eventTitle(e: NotifyEvent): string {
  return e.title ?? TITLES[e.kind] ?? `AutoDL: ${e.kind}`;
}

/** The plain text of an event (what chat sinks show). */
export function eventText(e: NotifyEvent): string {
  const lines = [`[${eventTitle(e)}]`, e.message];
  if (e.deployment) lines.push(`deployment: ${e.deployment.name ? `${e.deployment.name} (${e.deployment.uuid})` : e.deployment.uuid}`);
  if (e.entry) lines.push(`queue entry: ${e.entry.name ? `${e.entry.name} (${e.entry.id})` : e.entry.id}`);
  if (e.error_type) lines.push(`error: ${e.error_type}`);
  if (e.time) lines.push(`time: ${e.time}`);
  return lines.join('\n');
}

function eventMarkdown(e: NotifyEvent): string {
  const lines = [`**${eventTitle(e)}**`, '', e.message];
  if (e.deployment) lines.push(`> deployment: ${e.deployment.name ? `${e.deployment.name} (\`${e.deployment.uuid}\`)` : `\`${e.deployment.uuid}\``}`);
  if (e.entry) lines.push(`> queue entry: \`${e.entry.id}\`${e.entry.name ? ` ${e.entry.name}` : ''}`);
  if (e.error_type) lines.push(`> error: ${e.error_type}`);
  if (e.time) lines.push(`> time: ${e.time}`);
  return lines.join('\n');
}

/** Feishu custom bot signature: base64(HMAC-SHA256(key = `${timestamp}\n${secret}`, message = "")), timestamp in seconds. */
export function feishuSign(timestampSeconds: number, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** DingTalk robot signature: base64(HMAC-SHA256(key = secret, message = `${timestamp}\n${secret}`)), timestamp in ms (URL-encode it in the query). */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

interface PreparedSend {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The HTTP request a sink gets for an event (exported for tests and --dry-run). */
export function buildRequest(sink: NotifySink, e: NotifyEvent, nowMs: number): PreparedSend {
  const json = (v: unknown): PreparedSend => ({ url: sink.url, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(v) });
  const text = eventText(e);
  switch (sink.type) {
    case 'webhook': {
      const r = json({ source: 'autodl-elastic', title: eventTitle(e), text, ...e });
      return { ...r, headers: { ...r.headers, ...(sink.headers ?? {}) } };
    }
    case 'feishu': {
      const body: Record<string, unknown> = { msg_type: 'text', content: { text } };
      if (sink.secret) {
        const ts = Math.floor(nowMs / 1000);
        body.timestamp = String(ts);
        body.sign = feishuSign(ts, sink.secret);
      }
      return json(body);
    }
    case 'wecom':
      return sink.format === 'markdown'
        ? json({ msgtype: 'markdown', markdown: { content: eventMarkdown(e) } })
        : json({ msgtype: 'text', text: { content: text } });
    case 'dingtalk': {
      const r = json({ msgtype: 'text', text: { content: text } });
      if (sink.secret) {
        const u = new URL(sink.url);
        u.searchParams.set('timestamp', String(nowMs));
        u.searchParams.set('sign', dingtalkSign(nowMs, sink.secret));
        r.url = u.toString();
      }
      return r;
    }
    case 'serverchan': {
      const form = new URLSearchParams({ title: eventTitle(e), desp: eventMarkdown(e) });
      return { url: sink.url, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: form.toString() };
    }
  }
}

/** A URL with its secrets masked: query values → ***, long path segments (keys, tokens) → first 4 chars + ***. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname
      .split('/')
      .map((seg) => (seg.length >= 12 ? `${seg.slice(0, 4)}***` : seg))
      .join('/');
    const q = [...u.searchParams.keys()].map((k) => `${k}=***`).join('&');
    return `${u.protocol}//${u.host}${path}${q ? `?${q}` : ''}`;
  } catch {
    return '***';
  }
}

/** A 200 reply can still be a logical failure: errcode (WeCom, DingTalk) / code (Feishu, ServerChan) not 0. */
function logicalError(sink: NotifySink, text: string): string | undefined {
  if (sink.type === 'webhook') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  for (const k of ['errcode', 'code', 'StatusCode']) {
    if (k in o && o[k] !== 0 && o[k] !== '0' && o[k] !== null) {
      const msg = o.errmsg ?? o.msg ?? o.message ?? o.StatusMessage ?? '';
      return `${k} ${String(o[k])}${msg ? `: ${String(msg)}` : ''}`;
    }
  }
  return undefined;
}

/** A sink's reply is read only for a chat platform's logical error (a small JSON object): at most this much. */
export const MAX_SINK_REPLY_BYTES = 64 * 1024;

/**
 * At most `max` bytes of a reply as text; the rest is not read (the stream is cancelled, so
 * the connection is dropped): a sink that answers without end costs nothing. A cut reply
 * does not parse, so it reads as no logical error, like any reply that is not JSON.
 */
async function replyPrefix(res: Response, max: number): Promise<string> {
  const body = res.body as ReadableStream<Uint8Array> | null | undefined;
  if (!body || typeof body.getReader !== 'function') return (await res.text().catch(() => '')).slice(0, max);
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size <= max) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!value) continue;
      parts.push(value);
      size += value.byteLength;
    }
  } catch {
    /* a reply cut short reads as what arrived */
  } finally {
    if (size > max) await reader.cancel().catch(() => {});
  }
  return Buffer.concat(parts).subarray(0, max).toString('utf8');
}

async function sendOne(sink: NotifySink, e: NotifyEvent, o: NotifyOptions): Promise<NotifyResult> {
  const target = maskUrl(sink.url);
  const result: NotifyResult = { type: sink.type, target, ok: false, attempts: 0 };
  const doFetch = o.fetch ?? globalThis.fetch;
  const pause = o.sleep ?? sleep;
  const attempts = Math.max(1, Math.floor(o.attempts ?? 3));
  let backoff = o.backoffMs ?? 500;
  const now = o.now ?? Date.now;
  const secrets = [sink.secret, sink.url].filter((s): s is string => typeof s === 'string' && s !== '');
  const clean = (msg: string) => secrets.reduce((m, s) => m.split(s).join('***'), msg);
  const refused = sinkUrlProblem(sink.url, sink.allowInsecureHttp === true);
  if (refused !== undefined) {
    result.error = `not sent: ${refused}`;
    return result;
  }
  for (let i = 1; i <= attempts; i++) {
    result.attempts = i;
    let retry = false;
    try {
      const req = buildRequest(sink, e, now());
      // redirects are never followed: the headers (an auth header, a signature) would go to the redirect target
      const res = await doFetch(req.url, { method: 'POST', headers: req.headers, body: req.body, redirect: 'manual', signal: AbortSignal.timeout(o.timeoutMs ?? 10_000) });
      result.status = res.status;
      const text = await replyPrefix(res, MAX_SINK_REPLY_BYTES);
      if ((res.status >= 300 && res.status < 400) || res.type === 'opaqueredirect') {
        result.error = `HTTP ${res.status || 'redirect'}: the sink answered with a redirect, which is not followed (headers and body would go to another address); put the final URL in the config`;
        break;
      }
      if (res.status >= 200 && res.status < 300) {
        const le = logicalError(sink, text);
        if (le === undefined) {
          result.ok = true;
          delete result.error;
          return result;
        }
        result.error = clean(`rejected: ${le}`.slice(0, 300));
        // a rate limit is worth another try; a bad signature or keyword filter is not
        retry = /limit|频率|too many|45009|130101|9499/i.test(le);
      } else {
        result.error = `HTTP ${res.status}`;
        retry = res.status === 429 || res.status >= 500 || res.status === 408;
      }
    } catch (err) {
      const er = err as Error;
      result.error = clean(er.name === 'TimeoutError' ? 'timed out' : `${er.name}: ${er.message}`.slice(0, 300));
      retry = true;
    }
    if (!retry || i === attempts) break;
    try {
      await pause(backoff);
    } catch {
      break;
    }
    backoff *= 2;
  }
  return result;
}

/** Send an event to every sink (in parallel). Never throws: one result per sink. */
export async function notify(event: NotifyEvent, sinks: readonly NotifySink[], options: NotifyOptions = {}): Promise<NotifyResult[]> {
  let e: NotifyEvent;
  try {
    e = { ...event, time: event.time ?? new Date((options.now ?? Date.now)()).toISOString() };
  } catch {
    e = { ...event };
  }
  return Promise.all(
    sinks.map(async (sink) => {
      try {
        if (sink.kinds && sink.kinds.length > 0 && !sink.kinds.includes(e.kind) && e.kind !== 'test') {
          return { type: sink.type, target: maskUrl(sink.url), ok: true, attempts: 0, skipped: true };
        }
        return await sendOne(sink, e, options);
      } catch (err) {
        return { type: sink.type, target: maskUrl(String(sink?.url ?? '')), ok: false, attempts: 0, error: String((err as Error)?.message ?? err) };
      }
    }),
  );
}

const KINDS: readonly NotifyKind[] = ['submitted', 'all_running', 'job_finished', 'failed', 'policy', 'test'];

/**
 * The sinks of a config object (the parsed user config, or its `notify` value).
 * Throws AutodlError('config_error') listing every bad entry.
 */
export function sinksFromConfig(config: unknown, where = 'notify'): NotifySink[] {
  let list: unknown = config;
  if (list !== null && typeof list === 'object' && !Array.isArray(list)) list = (list as Record<string, unknown>).notify;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new AutodlError('config_error', `${where}: "notify" must be a list of sinks`, { field: 'notify' });
  const errors: Array<{ path: string; message: string }> = [];
  const out: NotifySink[] = [];
  list.forEach((raw, i) => {
    const path = `notify[${i}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      errors.push({ path, message: 'must be an object {type, url, secret?}' });
      return;
    }
    const o = raw as Record<string, unknown>;
    const type = o.type;
    if (typeof type !== 'string' || !(SINK_TYPES as readonly string[]).includes(type)) {
      errors.push({ path: `${path}.type`, message: `must be one of ${SINK_TYPES.join(', ')}` });
      return;
    }
    const url = o.url;
    if (o.allow_insecure_http !== undefined && typeof o.allow_insecure_http !== 'boolean') {
      errors.push({ path: `${path}.allow_insecure_http`, message: 'must be true or false' });
      return;
    }
    const insecure = o.allow_insecure_http === true;
    const urlProblem = typeof url === 'string' ? sinkUrlProblem(url, insecure) : 'must be an http(s) URL';
    if (urlProblem !== undefined) {
      errors.push({ path: `${path}.url`, message: urlProblem });
      return;
    }
    const sink: NotifySink = { type: type as SinkType, url: url as string };
    if (insecure) sink.allowInsecureHttp = true;
    if (o.secret !== undefined && o.secret !== null && o.secret !== '') {
      if (typeof o.secret !== 'string') errors.push({ path: `${path}.secret`, message: 'must be a string' });
      else sink.secret = o.secret;
    }
    if (o.format !== undefined) {
      if (o.format !== 'text' && o.format !== 'markdown') errors.push({ path: `${path}.format`, message: 'must be "text" or "markdown"' });
      else sink.format = o.format;
    }
    if (o.headers !== undefined) {
      if (o.headers === null || typeof o.headers !== 'object' || Array.isArray(o.headers) || !Object.values(o.headers).every((v) => typeof v === 'string')) {
        errors.push({ path: `${path}.headers`, message: 'must be an object of strings' });
      } else sink.headers = { ...(o.headers as Record<string, string>) };
    }
    if (o.kinds !== undefined) {
      if (!Array.isArray(o.kinds) || !o.kinds.every((k) => KINDS.includes(k as NotifyKind))) {
        errors.push({ path: `${path}.kinds`, message: `must be a list of ${KINDS.join(', ')}` });
      } else sink.kinds = [...(o.kinds as NotifyKind[])];
    }
    out.push(sink);
  });
  if (errors.length > 0) throw new AutodlError('config_error', `${where}: invalid notification sinks`, { errors });
  return out;
}

/** The sinks configured in the user config file ($XDG_CONFIG_HOME/autodl/config.json, key `notify`); [] when none. */
export function loadNotifySinks(env: Env = process.env): NotifySink[] {
  const path = userConfigPath(env);
  if (!existsSync(path)) return [];
  let parsed: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    if (text.trim() === '') return [];
    parsed = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message);
    throw new AutodlError('config_error', `cannot read ${path}: not valid JSON`, { path, ...(pos ? { position: Number(pos[1]) } : {}) });
  }
  return sinksFromConfig(parsed, path);
}
