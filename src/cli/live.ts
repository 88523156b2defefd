// A frame redrawn in place on a terminal (`autodl watch`, `autodl queue ls --watch`): the
// cursor is hidden while it runs and restored at the end, even on an exit from elsewhere;
// each frame is cut to the terminal's width and height so that moving up by the previous
// frame's line count always lands on its first line.
import { t } from '../i18n/index.js';
import { displayWidth, escapeControls, stripAnsi, terminalText } from './output.js';

type TtyOut = NodeJS.WritableStream & { columns?: number; rows?: number };

/** Lines cut to the terminal: none wider than it (ANSI-aware), no more than its height. */
export function fitFrame(lines: string[], columns: number | undefined, rows: number | undefined): string[] {
  let out = lines.flatMap((l) => escapeControls(l).split('\n'));
  // taller than the terminal: the lines that fit, then how many were left out (never a scroll)
  if (rows && rows > 3 && out.length > rows - 1) out = [...out.slice(0, rows - 2), t('live.more', { n: out.length - (rows - 2) })];
  if (columns && columns > 10) {
    out = out.map((l) => {
      if (displayWidth(l) <= columns - 1) return l;
      const plain = stripAnsi(l);
      let s = '';
      for (const ch of plain) {
        if (displayWidth(s + ch) > columns - 2) break;
        s += ch;
      }
      return `${s}…`;
    });
  }
  return out;
}

export class LiveFrame {
  private prevLines = 0;
  private cursorHidden = false;
  private readonly onExit = () => this.restore();

  constructor(private readonly stdout: TtyOut) {
    process.once('exit', this.onExit);
  }

  /** Replace the previous frame with these lines. */
  draw(lines: string[]): void {
    const frame = fitFrame(lines, this.stdout.columns, this.stdout.rows);
    let out = '';
    if (!this.cursorHidden) {
      out += '\x1b[?25l';
      this.cursorHidden = true;
    }
    if (this.prevLines > 0) out += `\x1b[${this.prevLines}F\x1b[J`;
    out += `${terminalText(frame.join('\n'))}\n`;
    this.stdout.write(out);
    this.prevLines = frame.length;
  }

  /** Something else was written below the frame: draw the next one under it. */
  detach(): void {
    this.prevLines = 0;
  }

  close(): void {
    this.restore();
    process.off('exit', this.onExit);
  }

  private restore(): void {
    if (this.cursorHidden) this.stdout.write('\x1b[?25h');
    this.cursorHidden = false;
  }
}

/** An AbortSignal fired by Ctrl-C or SIGTERM, for commands that run until stopped. */
export function untilInterrupted(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
