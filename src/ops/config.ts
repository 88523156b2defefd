// Reading a deployment config for an operation: a file path, the config text itself, or an
// already-parsed object → the API-ready body (through the config pipeline, src/pipeline), its
// warnings, and its sweep block when it has one. The pipeline is loaded here on first use:
// nothing that only imports this module pays for it; a plainly valid config loads no zod.
import { isAbsolute, join } from 'node:path';
import type { CreateDeploymentBody, Dialect } from '../api/types.js';
import { AutodlError } from '../errors.js';
import type { LineOf, QueueDecl, SpecWarning, SweepParams } from '../pipeline/types.js';
import { ENGLISH, type OpsWords } from './words.js';

export type ConfigInput = string | object;

export interface ReadConfigOptions {
  dialect: Dialect;
  /** Lint warnings become validation errors. */
  strict?: boolean;
  /** A config with a `sweep:` block is refused (config_error) unless this is true. */
  allowSweep?: boolean;
  /** The operation does not queue (create): a `queue:` block is ignored with a warning (code queue_block_ignored). */
  ignoreQueue?: boolean;
  /**
   * How a string is read: 'path' (the CLI: always a file name, relative to the process's
   * directory) or 'path-or-text' (MCP: the config text itself when it starts with `{` or spans
   * lines, else a file name relative to `cwd`).
   */
  strings?: 'path' | 'path-or-text';
  /** Where a relative path is, with strings: 'path-or-text' (default: the process's directory). */
  cwd?: string;
  words?: OpsWords;
}

export interface ReadConfig {
  body: CreateDeploymentBody;
  warnings: SpecWarning[];
  sweep?: SweepParams;
  /** The config's `queue:` block (policies for the queue; never part of `body`). */
  queue?: QueueDecl;
  /** What the config was: the path as given, '<inline config>' or '<object>'. */
  source: string;
}

const INLINE = '<inline config>';

export async function readConfig(input: ConfigInput, options: ReadConfigOptions): Promise<ReadConfig> {
  // The quick path first (src/pipeline/quick.ts: no zod, and no yaml for a JSON config); the
  // full pipeline (zod) only for a config that is not plainly valid, which it then explains.
  const quick = await import('../pipeline/quick.js');
  const popts = { dialect: options.dialect, ...(options.strict ? { strict: true } : {}) };
  let raw: unknown;
  let lineOf: LineOf | undefined;
  let file: string | undefined;
  let source: string;
  let path: string | undefined;
  if (typeof input === 'string') {
    const s = input.trim();
    let loaded;
    if (options.strings === 'path-or-text' && (s.startsWith('{') || s.includes('\n'))) {
      loaded = quick.loadConfigText(input, { path: INLINE });
      file = INLINE;
      source = INLINE;
    } else {
      path = options.strings === 'path-or-text' ? (isAbsolute(s) ? s : join(options.cwd ?? process.cwd(), s)) : input;
      loaded = quick.loadConfigFile(path);
      file = path;
      source = options.strings === 'path-or-text' ? s : input;
    }
    raw = loaded.raw;
    lineOf = loaded.lineOf;
  } else {
    raw = input ?? {};
    source = '<object>';
  }
  let prepared = quick.quickPrepare(raw, popts, lineOf, file);
  if (prepared === undefined) {
    const { prepareSpec } = await import('../pipeline/index.js');
    prepared = prepareSpec(raw as object, { ...popts, ...(lineOf ? { lineOf } : {}), ...(file !== undefined ? { file } : {}) });
  }
  if (prepared.sweep && !options.allowSweep) {
    throw new AutodlError('config_error', (options.words ?? ENGLISH).sweepRefused(source), { ...(path !== undefined ? { path: source } : {}), sweep: true });
  }
  const warnings = [...(prepared.warnings ?? [])];
  if (options.ignoreQueue && prepared.queue) {
    warnings.push({ code: 'queue_block_ignored', path: 'queue', message: (options.words ?? ENGLISH).queueIgnored() });
  }
  return { body: prepared.body, warnings, ...(prepared.sweep ? { sweep: prepared.sweep } : {}), ...(prepared.queue ? { queue: prepared.queue } : {}), source };
}
