// Reading a deployment config for an operation: a file path, the config text itself, or an
// already-parsed object → the API-ready body (through the config pipeline, src/pipeline), its
// warnings, and its sweep block when it has one. The pipeline (zod, yaml) is loaded here on
// first use: nothing that only imports this module pays for it.
import { isAbsolute, join } from 'node:path';
import type { CreateDeploymentBody, Dialect } from '../api/types.js';
import { AutodlError } from '../errors.js';
import type { SpecWarning, SweepParams } from '../pipeline/types.js';
import { ENGLISH, type OpsWords } from './words.js';

export type ConfigInput = string | object;

export interface ReadConfigOptions {
  dialect: Dialect;
  /** Lint warnings become validation errors. */
  strict?: boolean;
  /** A config with a `sweep:` block is refused (config_error) unless this is true. */
  allowSweep?: boolean;
  /**
   * How a string is read: 'path' (the CLI: always a file name, relative to the process's
   * directory) or 'path-or-text' (MCP: the config text itself when it starts with `{` or spans
   * lines, else a file name relative to `cwd`).
   */
  strings?: 'path' | 'path-or-text' | 'text';
  /**
   * 'text': the string is the config text itself (read from stdin by the CLI for `-`), named
   * `textName` in messages.
   */
  textName?: string;
  /** Where a relative path is, with strings: 'path-or-text' (default: the process's directory). */
  cwd?: string;
  words?: OpsWords;
}

export interface ReadConfig {
  body: CreateDeploymentBody;
  warnings: SpecWarning[];
  sweep?: SweepParams;
  /** What the config was: the path as given, '<inline config>' or '<object>'. */
  source: string;
}

const INLINE = '<inline config>';

export async function readConfig(input: ConfigInput, options: ReadConfigOptions): Promise<ReadConfig> {
  const { prepareSpec, loadConfigText } = await import('../pipeline/index.js');
  const popts = { dialect: options.dialect, ...(options.strict ? { strict: true } : {}) };
  let prepared;
  let source: string;
  let path: string | undefined;
  if (typeof input === 'string') {
    const s = input.trim();
    if (options.strings === 'text' || (options.strings === 'path-or-text' && (s.startsWith('{') || s.includes('\n')))) {
      const name = options.strings === 'text' ? (options.textName ?? INLINE) : INLINE;
      const loaded = loadConfigText(input, { path: name });
      prepared = prepareSpec(loaded.raw as object, { ...popts, lineOf: loaded.lineOf, file: name });
      source = name;
    } else {
      path = options.strings === 'path-or-text' ? (isAbsolute(s) ? s : join(options.cwd ?? process.cwd(), s)) : input;
      prepared = prepareSpec(path, popts);
      source = options.strings === 'path-or-text' ? s : input;
    }
  } else {
    prepared = prepareSpec(input ?? {}, popts);
    source = '<object>';
  }
  if (prepared.sweep && !options.allowSweep) {
    throw new AutodlError('config_error', (options.words ?? ENGLISH).sweepRefused(source), { ...(path !== undefined ? { path: source } : {}), sweep: true });
  }
  return { body: prepared.body, warnings: prepared.warnings ?? [], ...(prepared.sweep ? { sweep: prepared.sweep } : {}), source };
}
