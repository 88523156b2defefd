// Rendering helpers: colours, aligned tables (CJK-aware widths), values for humans.

/**
 * The SGR open/close codes of each colour, by the names picocolors gives them (ECMA-48; the
 * same table as picocolors 1.1). Kept here rather than taken from picocolors at run time: its
 * module reads process.stdout.isTTY when loaded, and building process.stdout for a pipe costs a
 * one-shot command several ms (issue 14, §7; ./std.ts).
 */
const SGR = {
  reset: [0, 0],
  bold: [1, 22],
  dim: [2, 22],
  italic: [3, 23],
  underline: [4, 24],
  inverse: [7, 27],
  hidden: [8, 28],
  strikethrough: [9, 29],
  black: [30, 39],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  white: [37, 39],
  gray: [90, 39],
  bgBlack: [40, 49],
  bgRed: [41, 49],
  bgGreen: [42, 49],
  bgYellow: [43, 49],
  bgBlue: [44, 49],
  bgMagenta: [45, 49],
  bgCyan: [46, 49],
  bgWhite: [47, 49],
  blackBright: [90, 39],
  redBright: [91, 39],
  greenBright: [92, 39],
  yellowBright: [93, 39],
  blueBright: [94, 39],
  magentaBright: [95, 39],
  cyanBright: [96, 39],
  whiteBright: [97, 39],
  bgBlackBright: [100, 49],
  bgRedBright: [101, 49],
  bgGreenBright: [102, 49],
  bgYellowBright: [103, 49],
  bgBlueBright: [104, 49],
  bgMagentaBright: [105, 49],
  bgCyanBright: [106, 49],
  bgWhiteBright: [107, 49],
} as const satisfies Record<string, readonly [number, number]>;

export type ColorName = keyof typeof SGR;
type Formatter = (input: string | number | null | undefined) => string;
export type Colors = { isColorSupported: boolean } & Record<ColorName, Formatter>;

// ---------- terminal safety ----------
// Text shown to a person may carry strings we did not write (server replies, config files,
// the environment). A terminal obeys control characters in them: ESC and C1 sequences set
// the window title, clear the screen or plant OSC 8 links; bidi controls reorder what the
// reader sees. So every human-readable sink (CliContext.print/log/warn, the status line,
// the live frame) passes its text through terminalText(): each such character is shown as
// a visible escape (`\x1b`, `\u202e`), and only our own colours become real SGR codes.
// Our colours are told apart from look-alikes in data by construction: colorsFor() emits
// markers (two Unicode noncharacters around a per-process nonce and the SGR number), and
// terminalText() turns only those markers into `ESC[<n>m`, after escaping everything else.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// eslint-disable-next-line no-control-regex
const CONTROL_INLINE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Control, bidi and C1 characters shown as visible escapes; newline and tab kept, unless
 * `inline` (a table cell, a status line: one line, so a newline in data cannot fake a row).
 */
export function escapeControls(s: string, o: { inline?: boolean } = {}): string {
  return s.replace(o.inline ? CONTROL_INLINE : CONTROL, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\t') return '\\t';
    const cp = ch.charCodeAt(0);
    return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
}

const NONCE = Math.random().toString(36).slice(2, 10).replace(/[^a-z0-9]/g, '') || 'k';
const MARK_OPEN = '\ufdd0';
const MARK_CLOSE = '\ufdd1';
const mark = (code: string) => `${MARK_OPEN}${NONCE}${code}${MARK_CLOSE}`;
const MARKS = new RegExp(`${MARK_OPEN}${NONCE}(\\d{1,3})${MARK_CLOSE}`, 'g');

/** The text a terminal receives: controls in data escaped, our colour markers made real SGR. */
export function terminalText(s: string): string {
  return escapeControls(s).replace(MARKS, '\x1b[$1m');
}

/** Colours as picocolors, but emitting the markers terminalText() understands. */
function markedColors(): Colors {
  const out: Record<string, unknown> = { isColorSupported: true };
  for (const [name, [on, off]] of Object.entries(SGR)) {
    const open = mark(String(on));
    const close = mark(String(off));
    // as picocolors: an inner close of the same kind re-opens ours (bold/dim share 22)
    const replace = off === 22 ? close + open : open;
    out[name] = (input: unknown) => {
      const str = String(input);
      return open + str.split(close).join(replace) + close;
    };
  }
  return out as unknown as Colors;
}

/** No colour: every name is String (as picocolors' createColors(false)). */
function plainColors(): Colors {
  const out: Record<string, unknown> = { isColorSupported: false };
  for (const name of Object.keys(SGR)) out[name] = String;
  return out as unknown as Colors;
}

/** Colour on a stream: a TTY, NO_COLOR unset, TERM not dumb; FORCE_COLOR forces it on. */
export function colorsFor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): Colors {
  let enabled = Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') enabled = !env.NO_COLOR;
  return enabled ? markedColors() : plainColors();
}

// eslint-disable-next-line no-control-regex
const ANSI = new RegExp(`\\x1b\\[[0-9;]*m|${MARK_OPEN}${NONCE}\\d{1,3}${MARK_CLOSE}`, 'g');

/** Text without colour (real SGR codes and our markers). */
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
  // cells are data: escaped here so the widths below are those the terminal will show
  rows = rows.map((r) => r.map((cell) => escapeControls(cell, { inline: true })));
  headers = headers.map((h) => escapeControls(h, { inline: true }));
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
  fields = fields.map(([k, v]) => [escapeControls(k), escapeControls(v)]);
  const w = Math.max(0, ...fields.map(([k]) => displayWidth(k)));
  return fields.map(([k, v]) => `${c.dim(pad(k, w, false))}  ${v}`).join('\n');
}

/** Colour of a deployment or container status (a status we do not know is data: shown on one line, escaped). */
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
      return escapeControls(status, { inline: true });
  }
}

/** A value for one line of a table or a list: '-' when absent; data escaped to one line. */
export function dash(v: unknown): string {
  if (v === undefined || v === null || v === '') return '-';
  return escapeControls(String(v), { inline: true });
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
