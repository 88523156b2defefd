// Times and durations, one way for the whole tool. Pure (one switch: the output zone).
//
// Durations as people type them: `30` (seconds), `90s`, `10m`, `1h`, `2d`, `1h30m`, `500ms` —
// the one parser behind every interval, timeout, time limit and `--since`.
// Times as the API writes them: without a zone they are the platform's, China Standard Time
// (+08:00). Times as the CLI prints them: in that zone, 24-hour clock, unless `--utc`.

const NO_ZONE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The platform's zone, as an offset from UTC. */
export const PLATFORM_OFFSET_MS = 8 * 3_600_000;

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
  if (typeof s !== 'string') return undefined;
  const v = s.trim().toLowerCase();
  if (v === '' || v.length > 64) return undefined;
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
  if (!any || pos !== v.length || !Number.isFinite(total)) return undefined;
  return total;
}

/** `--since`: an absolute time (ISO or API form) or a duration back from `now`. undefined when unparsable. */
export function parseSince(s: string, now: number): number | undefined {
  const d = parseDuration(s);
  if (d !== undefined) return now - d;
  return parseApiTime(s);
}

// ---------- output ----------

let utcOutput = false;

/** `--utc`: print times in UTC instead of the platform's +08:00. */
export function setUtcOutput(on: boolean): void {
  utcOutput = on;
}

export function isUtcOutput(): boolean {
  return utcOutput;
}

const pad = (n: number) => String(n).padStart(2, '0');

function shifted(ms: number): Date {
  return new Date(ms + (utcOutput ? 0 : PLATFORM_OFFSET_MS));
}

/** The zone suffix of printed times: "+08:00", or "UTC" with --utc. */
export function outputZone(): string {
  return utcOutput ? 'UTC' : '+08:00';
}

/** "2026-07-01 08:00:00" in the output zone (24-hour clock). */
export function formatDateTime(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const d = shifted(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** "08:00:00" in the output zone (24-hour clock). */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const d = shifted(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** An API time as printed: in the output zone; text that is not a time is returned as it is. */
export function displayApiTime(s: string | null | undefined): string {
  if (s === null || s === undefined || s === '') return '-';
  const ms = parseApiTime(s);
  return ms === undefined ? s : formatDateTime(ms);
}

/** The clock part of an API time as printed ("08:00:00"). */
export function displayApiClock(s: string | null | undefined): string {
  if (s === null || s === undefined || s === '') return '-';
  const ms = parseApiTime(s);
  return ms === undefined ? s : formatClock(ms);
}
