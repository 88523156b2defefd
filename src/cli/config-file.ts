// Reading a config file for a command (src/ops/config.ts), its warnings on stderr
// (NDJSON with --json); a sweep refused unless the command takes one.
import type { Dialect, CreateDeploymentBody } from '../api/types.js';
import { readConfig } from '../ops/config.js';
import type { QueueDecl, SweepParams } from '../pipeline/types.js';
import { inLang, t } from '../i18n/index.js';
import type { CliContext } from './runtime.js';
import { AutodlError } from '../errors.js';
import { cliWords } from './words.js';

/** How a config read from stdin is named in messages and error details. */
export const STDIN_NAME = '<stdin>';

/** The config text on stdin, at most MAX_CONFIG_BYTES (+1, so that the pipeline names the limit). */
async function readStdinConfig(ctx: CliContext): Promise<string> {
  const stdin = ctx.io.stdin;
  if (stdin.isTTY) throw new AutodlError('config_error', t('error.stdinTty'), { path: STDIN_NAME });
  const { MAX_CONFIG_BYTES } = await import('../pipeline/index.js');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(b);
    size += b.length;
    if (size > MAX_CONFIG_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, MAX_CONFIG_BYTES + 1).toString('utf8');
}

export interface PreparedConfig {
  body: CreateDeploymentBody;
  warnings: Array<{ code?: string; path?: string; message: string; line?: number }>;
  sweep?: SweepParams;
  /** The config's `queue:` block (the queue's policies), when it has one. */
  queue?: QueueDecl;
}

/**
 * `path` through the config pipeline, each warning printed: `file` set, a warning names the file
 * (as the queue commands print them, several files per run), else only where in it.
 */
export async function prepareConfig(
  ctx: CliContext,
  path: string,
  options: { dialect: Dialect; strict?: boolean; allowSweep?: boolean; file?: boolean; ignoreQueue?: boolean },
): Promise<PreparedConfig> {
  // `-`: the config is read from stdin (`autodl validate - < job.yaml`, `… | autodl submit -`)
  const fromStdin = path === '-';
  const prepared = await readConfig(fromStdin ? await readStdinConfig(ctx) : path, {
    dialect: options.dialect,
    ...(options.strict ? { strict: true } : {}),
    ...(options.allowSweep ? { allowSweep: true } : {}),
    ...(options.ignoreQueue ? { ignoreQueue: true } : {}),
    ...(fromStdin ? { strings: 'text' as const, textName: STDIN_NAME } : { strings: 'path' as const }),
    words: cliWords,
  });
  const warnings = prepared.warnings as PreparedConfig['warnings'];
  for (const w of warnings) {
    const where = [w.path, w.line !== undefined ? t('detail.lineBare', { line: w.line }) : undefined].filter(Boolean).join(', ');
    const text = inLang(w.message);
    const extra = { ...(options.file ? { file: path } : {}), ...(w.code ? { code: w.code } : {}), ...(w.path ? { path: w.path } : {}), ...(w.line !== undefined ? { line: w.line } : {}) };
    if (ctx.json) ctx.warn(w.message, extra);
    else if (options.file) ctx.warn(`${path}${where ? ` (${where})` : ''}: ${text}`);
    else ctx.warn(where ? `${where}: ${text}` : text);
  }
  return { body: prepared.body, warnings, ...(prepared.sweep ? { sweep: prepared.sweep } : {}), ...(prepared.queue ? { queue: prepared.queue } : {}) };
}
