// Small deterministic helpers of the simulator: seeded PRNG, hashing, ids, time format.

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a 32-bit hash of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** `len` lowercase hex characters drawn from `rng`. */
export function hexFrom(rng: () => number, len: number): string {
  let out = '';
  while (out.length < len) out += Math.floor(rng() * 16).toString(16);
  return out;
}

/** Stable hex id derived from a string (for seeded fixtures such as image uuids). */
export function stableHex(s: string, len: number): string {
  return hexFrom(createRng(fnv1a(s)), len);
}

const CST_OFFSET_MS = 8 * 3600 * 1000;

/** Time as the platform prints it: ISO-8601 in China Standard Time, e.g. `2026-07-01T08:00:00+08:00`. */
export function fmtTime(ms: number): string {
  const d = new Date(ms + CST_OFFSET_MS);
  const iso = d.toISOString(); // 2026-07-01T08:00:00.000Z
  return `${iso.slice(0, 19)}+08:00`;
}

/**
 * Parse a time filter: ISO-8601 with or without zone, or `YYYY-MM-DD HH:mm:ss` / `YYYY-MM-DD`
 * (read as China Standard Time). Returns ms since epoch, or undefined when unparsable.
 */
export function parseTime(s: string): number | undefined {
  const t = s.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (m) {
    const [, y, mo, d, h, mi, se] = m;
    return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(se ?? 0)) - CST_OFFSET_MS;
  }
  const v = Date.parse(t);
  return Number.isFinite(v) ? v : undefined;
}

/** A binary min-heap keyed by (at, seq): events at the same time run in the order they were scheduled. */
export class EventHeap<T> {
  private items: Array<{ at: number; seq: number; value: T }> = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  push(at: number, value: T): void {
    const node = { at, seq: this.seq++, value };
    const a = this.items;
    a.push(node);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[i]!, a[p]!)) {
        [a[i], a[p]] = [a[p]!, a[i]!];
        i = p;
      } else break;
    }
  }

  peekAt(): number | undefined {
    return this.items[0]?.at;
  }

  pop(): { at: number; value: T } | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return { at: top.at, value: top.value };
  }

  clear(): void {
    this.items = [];
  }

  private less(x: { at: number; seq: number }, y: { at: number; seq: number }): boolean {
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }
}
