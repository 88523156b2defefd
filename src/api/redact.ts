// Secret redaction: the token (and any other secret handed in) never reaches an error
// message, error details or a debug line. Used by the transport for everything it
// builds from a server reply or a network failure.

export const REDACTED = '***';

/** Secrets shorter than this are not redacted (replacing 1–2 characters everywhere would garble text). */
const MIN_SECRET_LENGTH = 4;

function variants(secret: string): string[] {
  const out = new Set<string>([secret]);
  const enc = encodeURIComponent(secret);
  if (enc !== secret) out.add(enc);
  const json = JSON.stringify(secret).slice(1, -1);
  if (json !== secret) out.add(json);
  return [...out];
}

/** Replace every occurrence of each secret (raw, URL-encoded, JSON-escaped) in `text` by `***`. */
export function redact(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = String(text);
  const list = secrets
    .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
    .flatMap(variants)
    // longest first, so a secret containing another is replaced whole
    .sort((a, b) => b.length - a.length);
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

/** Deep copy of `value` with every string passed through redact(); keys are redacted too. */
export function redactDeep<T>(value: T, secrets: ReadonlyArray<string | null | undefined>): T {
  const seen = new WeakMap<object, unknown>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v, secrets);
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
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) obj[redact(k, secrets)] = walk(x);
    return obj;
  };
  return walk(value) as T;
}
