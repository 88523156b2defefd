// The secret-key rule of both faces (CLI output, MCP results): wherever it stands, a key named
// root_password (any case) is dropped and the string value of a key named token or
// authorization (any case) is shown as ***; on top of that, the secret values of the run
// (the token, a database password) are redacted wherever they appear (src/api/redact.ts).
import { patternsOf, redactDeep, redactor } from '../api/redact.js';

/** Keys whose values are secrets wherever they appear in output (compared lower-cased). */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['root_password', 'token', 'authorization']);

/** Is `key` one whose value is never shown? */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

/** What a secret key's value becomes: undefined (dropped) for a password, *** for a string token. */
function secretValue(key: string, value: unknown): unknown {
  if (key.toLowerCase() === 'root_password') return undefined;
  return typeof value === 'string' && value !== '***' ? '***' : value;
}

/** Deep copy without secret-bearing keys (root_password dropped; token/Authorization shown as ***). */
export function dropSecrets<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (isSecretKey(k)) {
        const y = secretValue(k, x);
        if (y !== undefined) out[k] = y;
        continue;
      }
      out[k] = walk(x);
    }
    return out;
  };
  return walk(value) as T;
}

/** Secret keys dropped or masked, then the secret values redacted: what either face may show. */
export function sanitize<T>(value: T, secrets: ReadonlyArray<string | null | undefined>): T {
  return redactDeep(dropSecrets(value), secrets);
}

/**
 * JSON.stringify(sanitize(value, secrets), null, indent) in one pass, without the two deep
 * copies (issue 14, §5: `queue ls --json` at 50,000 entries spent most of its time copying and
 * collecting them): the secret keys and the redaction are applied by a replacer, and the secret
 * variants are built once. For JSON data (no toJSON, no cycles) the text is the same, character
 * for character (test/cli/sanitize.test.ts).
 */
export function sanitizedJson(value: unknown, secrets: ReadonlyArray<string | null | undefined>, indent?: number): string {
  // The fast path: plain JSON.stringify, kept when its text shows that neither a secret key nor
  // a secret can be in the value (then the replacer below would change nothing).
  const plain = JSON.stringify(value, null, indent) as string | undefined;
  if (plain !== undefined && noSecretIn(plain, patternsOf(secrets))) return plain;
  const redactText = redactor(secrets);
  // the value of a secret key that is not a string is kept as it is (dropSecrets does not walk
  // into it; redactDeep does): the objects inside one are "opaque"
  const opaque = new WeakSet<object>();
  const replacer = function (this: object, key: string, v: unknown): unknown {
    const inside = opaque.has(this);
    const isObject = v !== null && typeof v === 'object';
    if (key !== '' && !inside && !Array.isArray(this) && isSecretKey(key)) {
      const x = secretValue(key, v);
      if (x !== v) return x;
      if (isObject) opaque.add(v as object);
    } else if (inside && isObject) opaque.add(v as object);
    if (typeof v === 'string') return redactText(v);
    if (!isObject || Array.isArray(v)) return v;
    // a key that holds a secret is redacted too (rare: only then is the object copied)
    let renamed = false;
    for (const k of Object.keys(v as object)) {
      if (redactText(k) !== k) {
        renamed = true;
        break;
      }
    }
    if (!renamed) return v;
    const out: Record<string, unknown> = {};
    const keepAsIs = opaque.has(v as object);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (!keepAsIs && isSecretKey(k)) {
        const y = secretValue(k, x);
        if (y === undefined) continue;
        if (y !== null && typeof y === 'object') opaque.add(y);
        out[redactText(k)] = y;
      } else out[redactText(k)] = x;
    }
    if (keepAsIs) opaque.add(out);
    return out;
  };
  return JSON.stringify(value, replacer, indent);
}

// A lone surrogate is escaped by JSON.stringify differently alone and beside its partner.
const SURROGATE = /[\ud800-\udfff]/;

/**
 * True when JSON text `text` holds no secret key and no occurrence of any secret variant, so
 * that sanitizing its value would change nothing. JSON.stringify escapes character by
 * character (", \\, control characters; lone surrogates aside): a string holding a variant
 * holds it escaped in the text, and a key K with K.toLowerCase() a secret key name shows as
 * "name" in the lower-cased text. False whenever in doubt.
 */
function noSecretIn(text: string, patterns: readonly string[]): boolean {
  for (const p of patterns) {
    if (SURROGATE.test(p)) return false;
    if (text.includes(JSON.stringify(p).slice(1, -1))) return false;
  }
  const lower = text.toLowerCase();
  for (const k of SECRET_KEYS) if (lower.includes(`"${k}"`)) return false;
  return true;
}
