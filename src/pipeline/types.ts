// Shared types of the config pipeline (load → normalize → validate → lint).

import type { CreateDeploymentBody, Dialect } from '../api/types.js';

export type { Dialect };

/** A path into the config object: keys and array indices. */
export type FieldPath = ReadonlyArray<string | number>;

/** Maps a field path to its 1-based line in the source file (undefined when unknown). */
export type LineOf = (path: FieldPath) => number | undefined;

export type ConfigFormat = 'json' | 'yaml';

export interface LoadedConfig {
  raw: unknown;
  format: ConfigFormat;
  /** 1-based line of the key (or array item) at `path`; undefined when the path is not in the file. */
  lineOf: LineOf;
  /** The file path (or the name given to loadConfigText). */
  path?: string | undefined;
}

/** One validation problem. `path` is stable: dotted keys, `[i]` for array items, '' for the root. */
export interface ValidationIssue {
  path: string;
  message: string;
  line?: number;
  /** Set when the problem is a lint warning promoted by `strict`. */
  code?: string;
}

/** A warning from normalize or lint. */
export interface SpecWarning {
  code: string;
  path: string;
  message: string;
  line?: number;
}

/** Sweep parameters: name → values (as strings, substituted into `{{name}}`). */
export type SweepParams = Record<string, string[]>;

/** A cause a retry answers to (the config's `queue.retry.on`). */
export type RetryCause = 'failed' | 'unscheduled' | 'host_error';

/**
 * The config's `queue:` block, checked and with durations in ms: the queue's policies for the
 * entries this config adds (never part of the create body).
 */
export interface QueueDecl {
  max_runtime_ms?: number;
  grace_ms?: number;
  max_cost?: number;
  on_cap?: 'stop' | 'warn';
  label_budget?: number;
  /** References as written (ids, names, label:<l>): the queue resolves them at add time. */
  after?: string[];
  after_any?: boolean;
  owner?: string;
  retry?: { max: number; on: RetryCause[]; unscheduled_after_ms?: number; blacklist_hosts?: boolean };
}

/** The scheduling unit of a host model: what one GPU brings along. */
export interface HostShape {
  gpu_name: string;
  cpu_per_gpu: number;
  memory_gb_per_gpu: number;
  /** GPUs per host; a container cannot have more. */
  max_gpus?: number;
}

export interface LintContext {
  /** Host shapes to check CPU/memory floors and ceilings against. Default: DEFAULT_HOST_SHAPES (a guess). */
  hostShapes?: HostShape[];
  /** Per-GPU prices seen (milli-yuan per hour), e.g. from the container list. */
  pricesSeen?: number[];
  /** Names of live deployments. */
  liveNames?: string[];
  /** Target dialect (enables dialect-specific lints). */
  dialect?: Dialect;
}

export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** The line of `path`, or of its nearest ancestor found in the file. */
export function nearestLine(lineOf: LineOf | undefined, path: FieldPath): number | undefined {
  if (!lineOf) return undefined;
  for (let n = path.length; n >= 1; n--) {
    const line = lineOf(path.slice(0, n));
    if (line !== undefined) return line;
  }
  return undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}
