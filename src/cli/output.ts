// Rendering helpers: colours, aligned tables (CJK-aware widths), values for humans.
import pc from 'picocolors';
export type Colors = ReturnType<typeof pc.createColors>;

/** Colour on a stream: a TTY, NO_COLOR unset, TERM not dumb; FORCE_COLOR forces it on. */
export function colorsFor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): Colors {
  let enabled = Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') enabled = !env.NO_COLOR;
  return pc.createColors(enabled);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Columns a string takes on a terminal (ANSI codes ignored, CJK counted as 2). */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of stripAnsi(s)) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x300 && cp <= 0x36f)) continue;
    w += isWide(cp) ? 2 : 1;
  }
  return w;
}

function pad(s: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
}

export interface TableOptions {
  /** Column indexes aligned to the right (numbers). */
  right?: number[];
}

/** An aligned table: bold header, two spaces between columns, no trailing spaces. */
export function renderTable(headers: string[], rows: string[][], c: Colors, opts: TableOptions = {}): string {
  const right = new Set(opts.right ?? []);
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[], header: boolean) =>
    cells
      .map((cell, i) => {
        const last = i === cells.length - 1;
        const text = header ? c.bold(cell) : cell;
        return last && !right.has(i) ? text : pad(text, widths[i]!, right.has(i));
      })
      .join('  ')
      .trimEnd();
  return [line(headers, true), ...rows.map((r) => line(r, false))].join('\n');
}

/** Key/value lines, keys aligned. */
export function renderFields(fields: Array<[string, string]>, c: Colors): string {
  const w = Math.max(0, ...fields.map(([k]) => displayWidth(k)));
  return fields.map(([k, v]) => `${c.dim(pad(k, w, false))}  ${v}`).join('\n');
}

/** Colour of a deployment or container status. */
export function statusColor(status: string, c: Colors): string {
  switch (status) {
    case 'running':
      return c.green(status);
    case 'creating':
    case 'created':
    case 'starting':
    case 'oss_merged':
    case 'shutting_down':
      return c.yellow(status);
    case 'failed':
    case 'error':
      return c.red(status);
    case 'stopped':
    case 'shutdown':
    case 'in_cache':
      return c.dim(status);
    default:
      return status;
  }
}

export function dash(v: unknown): string {
  if (v === undefined || v === null || v === '') return '-';
  return String(v);
}

/** bytes → GB with at most one decimal. */
export function bytesToGb(bytes: number): string {
  const gb = bytes / 1024 ** 3;
  return Number.isInteger(gb) ? String(gb) : gb.toFixed(1);
}

/** milli-yuan per hour → yuan per hour. */
export function milliYuan(v: number): string {
  const y = v / 1000;
  return Number.isInteger(y) ? String(y) : y.toFixed(3).replace(/0+$/, '');
}

/** Seconds → "1h02m03s" / "2m05s" / "7s". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** A value for a one-line human rendering of error details. */
export function inlineValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v);
}
