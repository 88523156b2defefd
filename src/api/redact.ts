// Secret redaction: the token (and any other secret handed in) never reaches an error
// message, error details or a debug line. Used by the transport for everything it
// builds from a server reply or a network failure.

export const REDACTED = '***';

/** Secrets shorter than this are not redacted (replacing 1–2 characters everywhere would garble text). */
const MIN_SECRET_LENGTH = 4;

function variants(secret: string): string[] {
  const out = new Set<string>([secret]);
  // a lone surrogate has no URL encoding (encodeURIComponent throws): that variant cannot occur
  let enc = secret;
  try {
    enc = encodeURIComponent(secret);
  } catch {
    /* no URL-encoded variant */
  }
  if (enc !== secret) out.add(enc);
  const json = JSON.stringify(secret).slice(1, -1);
  if (json !== secret) out.add(json);
  return [...out];
}

/** The strings to mask for a list of secrets: every variant, longest first (so a secret containing another is replaced whole). */
export function patternsOf(secrets: ReadonlyArray<string | null | undefined>): string[] {
  return secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
    .flatMap(variants)
    .sort((a, b) => b.length - a.length);
}

// The variants of the last secret list seen, by content: a CLI run or a transport redacts
// thousands of strings with the same few secrets, and rebuilding (encode, escape, sort) them
// for every string was most of what `queue ls --json` spent (issue 14, §5).
let lastSecrets: readonly (string | null | undefined)[] = [];
let lastPatterns: string[] = [];

function cachedPatterns(secrets: ReadonlyArray<string | null | undefined>): string[] {
  if (secrets.length !== lastSecrets.length || secrets.some((s, i) => s !== lastSecrets[i])) {
    lastPatterns = patternsOf(secrets);
    lastSecrets = [...secrets];
  }
  return lastPatterns;
}

function redactWith(text: string, list: readonly string[]): string {
  let out = String(text);
  // repeat until none is left: a replacement can complete a new occurrence ("a***" in "aa***");
  // it terminates because every secret is longer than the mask
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of list) {
      if (out.includes(s)) {
        out = out.split(s).join(REDACTED);
        changed = true;
      }
    }
  }
  return out;
}

/** Replace every occurrence of each secret (raw, URL-encoded, JSON-escaped) in `text` by `***`. */
export function redact(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  return redactWith(text, cachedPatterns(secrets));
}

/** A redact() bound to one list of secrets, their variants built once (the list is copied: later changes to it do not count). */
export function redactor(secrets: ReadonlyArray<string | null | undefined>): (text: string) => string {
  const list = patternsOf(secrets);
  return list.length === 0 ? (text) => String(text) : (text) => redactWith(text, list);
}

/** Deep copy of `value` with every string passed through redact(); keys are redacted too. */
export function redactDeep<T>(value: T, secrets: ReadonlyArray<string | null | undefined>): T {
  const redactText = redactor(secrets);
  const seen = new WeakMap<object, unknown>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v);
    if (v === null || typeof v !== 'object') return v;
    const cached = seen.get(v);
    if (cached !== undefined) return cached;
    if (Array.isArray(v)) {
      const arr: unknown[] = [];
      seen.set(v, arr);
      for (const x of v) arr.push(walk(x));
      return arr;
    }
    const obj: Record<string, unknown> = {};
    seen.set(v, obj);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) obj[redactText(k)] = walk(x);
    return obj;
  };
  return walk(value) as T;
}
