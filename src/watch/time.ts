// Times as the API writes them, and durations as users type them. Pure.

const NO_ZONE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An API time → ms since epoch, or undefined. ISO-8601 with a zone is taken as is; a time
 * without a zone (`2026-07-01 08:00:00`, `2026-07-01T08:00:00`) or a bare date is read as
 * China Standard Time (+08:00), the platform's zone.
 */
export function parseApiTime(s: string | null | undefined): number | undefined {
  if (typeof s !== 'string') return undefined;
  const v = s.trim();
  if (v === '') return undefined;
  const m = NO_ZONE.exec(v);
  const text = m ? `${m[1]}T${m[2]}+08:00` : DATE_ONLY.test(v) ? `${v}T00:00:00+08:00` : v;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "2h", "90m", "1h30m", "45s", "1.5h", "2d", "500ms" → ms; a bare number is seconds. undefined when unparsable. */
export function parseDuration(s: string): number | undefined {
  const v = s.trim().toLowerCase();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let pos = 0;
  let any = false;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = re.lastIndex;
    any = true;
  }
  if (!any || pos !== v.length) return undefined;
  return total;
}

/** `--since`: an absolute time (ISO or API form) or a duration back from `now`. undefined when unparsable. */
export function parseSince(s: string, now: number): number | undefined {
  const d = parseDuration(s);
  if (d !== undefined) return now - d;
  return parseApiTime(s);
}
