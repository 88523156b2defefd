// Progress of a long wait on stderr: one line rewritten in place on a terminal, NDJSON with
// --json, occasional plain lines otherwise (a log file or a CI console).
import { t } from '../i18n/index.js';
import { escapeControls, formatDuration } from './output.js';
import { fitFrame } from './live.js';
import type { CliContext } from './runtime.js';
import { reasonText, type PlatformReason } from '../queue/refusal.js';

export interface ProgressEvent {
  type: string;
  [k: string]: unknown;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function idleText(idle: unknown): string {
  if (!idle || typeof idle !== 'object') return '-';
  const parts = Object.entries(idle as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length > 0 ? parts.join(', ') : '-';
}

/** Plain lines at most this often (simulated seconds of the wait), unless something changes. */
const PLAIN_EVERY_S = 60;

/**
 * One status line on stderr, rewritten in place on a terminal; `line()` prints a lasting
 * line above it. The mode says how progress is shown: NDJSON (--json), the in-place line
 * (a terminal), or plain lines (a log file or a CI console).
 */
export class StatusLine {
  protected statusShown = false;

  constructor(protected readonly ctx: CliContext) {}

  protected get mode(): 'json' | 'tty' | 'plain' {
    if (this.ctx.json) return 'json';
    return this.ctx.io.stderr.isTTY ? 'tty' : 'plain';
  }

  /** Erase the in-place status line (before any other output). */
  clear(): void {
    if (this.statusShown) {
      this.ctx.io.stderr.write('\r\x1b[2K');
      this.statusShown = false;
    }
  }

  protected status(text: string): void {
    const cols = this.ctx.io.stderr.columns ?? 0;
    const [line] = fitFrame([escapeControls(text, { inline: true })], cols, undefined);
    this.ctx.io.stderr.write(`\r\x1b[2K${this.ctx.humanText(this.ctx.err.cyan(line ?? ''))}`);
    this.statusShown = true;
  }

  protected line(text: string): void {
    this.clear();
    this.ctx.log(text);
  }
}

export class ProgressRenderer extends StatusLine {
  private lastPlainAt = -Infinity;
  private lastIdle = '';

  event(ev: ProgressEvent): void {
    const mode = this.mode;
    if (mode === 'json') {
      this.ctx.io.stderr.write(`${JSON.stringify(this.ctx.sanitize(ev))}\n`);
      return;
    }
    const elapsed = num(ev.elapsed_s) ?? num(ev.elapsed_seconds) ?? 0;
    const attempt = num(ev.attempt) ?? 0;
    switch (ev.type) {
      case 'waiting': {
        const idle = idleText(ev.idle);
        const text = t('submit.waiting', {
          elapsed: formatDuration(elapsed),
          attempt,
          idle,
          next: Math.round((num(ev.next_check_s) ?? 0) * 10) / 10,
        });
        if (mode === 'tty') this.status(text);
        else if (attempt <= 1 || elapsed - this.lastPlainAt >= PLAIN_EVERY_S || idle !== this.lastIdle) {
          this.lastPlainAt = elapsed;
          this.ctx.log(text);
        }
        this.lastIdle = idle;
        return;
      }
      case 'checking':
        if (mode === 'tty') this.status(t('submit.checking', { what: String(ev.what ?? '') }));
        return;
      case 'creating':
        this.line(t('submit.creating', { attempt: attempt || 1, gpu: String(ev.gpu_name ?? '') }));
        return;
      case 'stock_error':
        this.line(this.ctx.err.yellow(t('submit.stockError', { message: String(ev.message ?? '') })));
        return;
      case 'event': {
        const inner = ev.event as { type?: string; reason?: string; error?: string; consecutive_failures?: number; platform_reason?: PlatformReason } | undefined;
        if (inner?.type === 'requeued') {
          // the platform's own reason (暂无库存, GpuStockReqNum …) when it gave one
          if (inner.platform_reason) {
            this.line(this.ctx.err.yellow(t('submit.refused', { reason: reasonText(inner.platform_reason), n: String(inner.consecutive_failures ?? 1) })));
          } else this.line(this.ctx.err.yellow(t('submit.retry', { message: String(inner.error ?? inner.reason ?? '') })));
        }
        return;
      }
      case 'queued':
        return;
      case 'warning':
        this.clear();
        if (ev.code === 'image_unverified') this.ctx.warn(t('submit.imageUnverified', { image: String(ev.image_uuid ?? '') }));
        else this.ctx.warn(String(ev.message ?? ''));
        return;
      default:
        if (typeof ev.message === 'string') this.line(ev.message);
    }
  }
}
