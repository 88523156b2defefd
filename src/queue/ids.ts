// Entry ids, idempotency tags and the secret guard for stored bodies.

import { randomBytes } from 'node:crypto';
import type { CreateDeploymentBody } from '../api/types.js';
import { hostname } from 'node:os';
import { AutodlError, isAutodlError, ApiError } from '../errors.js';

/** Lowercase Crockford base32 (no i, l, o, u): safe in deployment names. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A fresh entry id: `q-` + 8 base32 characters (40 random bits). */
export function newEntryId(): string {
  const bytes = randomBytes(5);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 8; i++) {
    out = ALPHABET[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return `q-${out}`;
}

export function tagOf(id: string): string {
  return id.startsWith('q-') ? id.slice(2) : id;
}

/**
 * The idempotency mark. The deployment is created under `<name>-q<tag>`, deterministic per
 * entry, so after a crash or a lost reply the worker can look it up with
 * `deployments.listAll({ name })` and keep only exact name matches (the platform's name
 * filter may be a substring match, or ignored: exact filtering client-side is correct in
 * every case). The mark is the name suffix because the create body has no other free field
 * that the list returns.
 */
export function deploymentNameFor(name: string, id: string, retry = 0): string {
  // an automatic resubmission (the retry policy) is a new deployment: a fresh mark per run, so
  // a lookup for this run never finds an earlier run's deployment, and an earlier run's late
  // create is never taken for this one
  return retry > 0 ? `${name}-q${tagOf(id)}-r${retry}` : `${name}-q${tagOf(id)}`;
}

const SECRET_KEY = /(^|_)(token|password|passwd|secret|authorization|api_key|apikey)$/i;

/**
 * A create body has no field for secrets; refuse one that carries a key that looks like a
 * secret (`root_password`, `token`, …) so it can never reach the queue database.
 * Values are not inspected (`cmd` is the user's command and must be sent as is).
 */
export function assertNoSecretKeys(body: unknown, path = 'body'): void {
  if (body === null || typeof body !== 'object') return;
  if (Array.isArray(body)) {
    body.forEach((v, i) => assertNoSecretKeys(v, `${path}[${i}]`));
    return;
  }
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (SECRET_KEY.test(k)) {
      throw new AutodlError('validation_error', `refusing to queue a body with a secret-looking field ${path}.${k}`, {
        errors: [{ path: `${path}.${k}`, message: 'secret-looking field: not accepted in a queued create body' }],
      });
    }
    assertNoSecretKeys(v, `${path}.${k}`);
  }
}

/** Deep copy (JSON round trip) of a body with its `name` checked. */
export function normalizeBodyForQueue(body: CreateDeploymentBody): CreateDeploymentBody {
  if (!body || typeof body !== 'object') {
    throw new AutodlError('validation_error', 'create body must be an object', { errors: [{ path: 'body', message: 'not an object' }] });
  }
  if (typeof body.name !== 'string' || body.name.length === 0) {
    throw new AutodlError('validation_error', 'create body needs a name', { errors: [{ path: 'name', message: 'missing' }] });
  }
  const long = markedNameProblem(body.name);
  if (long) {
    throw new AutodlError(
      'config_error',
      `name "${body.name.slice(0, 80)}" is ${body.name.length} characters; the queue sends it as ${long.marked_length} (it adds the ${MARK_LENGTH}-character mark -q<tag>) and the platform allows ${long.limit}: shorten it to ${long.limit - MARK_LENGTH} or fewer`,
      { path: 'name', ...long },
    );
  }
  const t = body.container_template;
  if (!t || !Array.isArray(t.gpu_name_set) || t.gpu_name_set.length === 0 || !(Number(t.gpu_num) >= 1)) {
    throw new AutodlError('validation_error', 'container_template needs gpu_name_set and gpu_num', {
      errors: [{ path: 'container_template', message: 'gpu_name_set (non-empty) and gpu_num (>= 1) are required' }],
    });
  }
  assertNoSecretKeys(body);
  return JSON.parse(JSON.stringify(body)) as CreateDeploymentBody;
}

const SECRET_TEXT = /((?:token|password|passwd|secret|authorization)["']?\s*[:=]\s*["']?)([^\s"',}]+)/gi;

/** Mask `token=…`, `"root_password": "…"`, `Authorization: …` and any given secret in a text. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(SECRET_TEXT, (_m, k: string) => `${k}***`);
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}

export function redactValue(v: unknown, secrets: readonly string[] = []): unknown {
  if (typeof v === 'string') return redactText(v, secrets);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => redactValue(x, secrets));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) || k === 'info' ? '***' : redactValue(x, secrets);
  }
  return out;
}

/** The API answer of a failed call, as stored and reported: code / msg / status only. */
export function apiResponseOf(e: unknown): Record<string, unknown> {
  if (e instanceof ApiError) {
    const r: Record<string, unknown> = { kind: e.info.kind };
    if (e.info.httpStatus !== undefined) r.status = e.info.httpStatus;
    if (e.info.code !== undefined) r.code = e.info.code;
    if (e.info.msg !== undefined) r.msg = e.info.msg;
    if (e.info.requestId !== undefined) r.request_id = e.info.requestId;
    return redactValue(r) as Record<string, unknown>;
  }
  if (isAutodlError(e)) return redactValue({ error_type: e.errorType, message: e.message }) as Record<string, unknown>;
  return { message: redactText(e instanceof Error ? e.message : String(e)) };
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const parts = [e.info.code, e.info.msg, e.info.httpStatus !== undefined ? `HTTP ${e.info.httpStatus}` : undefined]
      .filter((x) => x !== undefined && x !== '')
      .join(' ');
    return redactText(`${e.info.kind}: ${parts || e.message}`);
  }
  return redactText(e instanceof Error ? e.message : String(e));
}

/**
 * The default worker id: `<host>-<pid>-<random>`. The random part makes it unique per
 * process start — two containers with one hostname both run node as PID 1, and a shared id
 * would let one "reclaim" the other's live claims. An explicit --worker-id is kept as given
 * (the restart-reclaim mechanism).
 */
export function defaultWorkerId(host: string = hostname(), pid: number = process.pid, random: string = randomBytes(4).toString('hex')): string {
  return `${host}-${pid}-${random}`;
}

/** What the mark adds to a name: `-q` and the 8 characters of the entry's tag. */
export const MARK_LENGTH = 10;
/** The platform's name limit (the console refuses longer names): the marked name must fit. */
export const DEPLOYMENT_NAME_LIMIT = 64;
/** The mark's rule, as previews show it. */
export const MARK_RULE = '<name>-q<the 8 characters after "q-" in the entry id>';

/** Whether `name` is `<base>-q<8 base32 characters>`; the base when it is. */
export function unmarkedName(name: string): string | undefined {
  const m = /^(.+)-q([0-9a-hjkmnp-tv-z]{8})$/.exec(name);
  return m ? m[1] : undefined;
}

/** A name the queue cannot send: too long once marked. Details: name, limit, marked_length. */
export function markedNameProblem(name: string): { name: string; limit: number; marked_length: number; mark_length: number } | undefined {
  const marked = name.length + MARK_LENGTH;
  return marked > DEPLOYMENT_NAME_LIMIT ? { name, limit: DEPLOYMENT_NAME_LIMIT, marked_length: marked, mark_length: MARK_LENGTH } : undefined;
}
