// The end of prepareSpec once a normalized body has no problems: the sweep checked, the
// warnings with their lines, --strict. Shared by the full path (./prepare.ts, zod) and the
// quick one (./quick.ts); loads no schema library.

import type { CreateDeploymentBody, Dialect } from '../api/types.js';
import { pathSegments, validationError } from './issues.js';
import { lint } from './lint.js';
import type { NormalizeResult } from './normalize-core.js';
import { sweepIssues } from './sweep.js';
import { nearestLine, type ConfigFormat, type LineOf, type LintContext, type QueueDecl, type SpecWarning, type SweepParams, type ValidationIssue } from './types.js';

export interface PrepareOptions {
  dialect: Dialect;
  context?: LintContext;
  /** Lint warnings become validation errors. */
  strict?: boolean;
  /** Force the file format (default: by extension, else sniffed). */
  format?: ConfigFormat;
  /** With a raw object: its line map, if it came from a file. */
  lineOf?: LineOf;
  /** With a raw object: its file name, for error details. */
  file?: string;
}

export interface PreparedSpec {
  body: CreateDeploymentBody;
  /** normalize warnings then lint warnings (each with a line when known). */
  warnings: SpecWarning[];
  sweep?: SweepParams;
  /** The config's `queue:` block (the queue's policies), checked; never part of `body`. */
  queue?: QueueDecl;
  source?: { path: string; format: ConfigFormat };
}

export function withLine<T extends { path: string; line?: number }>(item: T, lineOf: LineOf | undefined): T {
  if (item.line !== undefined || !lineOf) return item;
  const line = nearestLine(lineOf, pathSegments(item.path));
  return line === undefined ? item : { ...item, line };
}

/** A normalized body without problems → the prepared spec (throws validation_error for a bad sweep, or lint warnings under strict). */
export function finishPrepared(n: NormalizeResult, options: PrepareOptions, lineOf: LineOf | undefined, file: string | undefined): PreparedSpec {
  const body = n.body as unknown as CreateDeploymentBody;

  if (n.sweep) {
    const si = sweepIssues(body, n.sweep).map((i) => withLine(i, lineOf));
    if (si.length > 0) throw validationError(si, file);
  }

  const normWarnings = n.warnings.map((w) => withLine(w, lineOf));
  const lintWarnings = lint(body, { dialect: options.dialect, ...options.context }).map((w) => withLine(w, lineOf));
  if (options.strict && lintWarnings.length > 0) {
    const errs: ValidationIssue[] = lintWarnings.map((w) => {
      const e: ValidationIssue = { path: w.path, message: w.message, code: w.code };
      if (w.line !== undefined) e.line = w.line;
      return e;
    });
    throw validationError(errs, file);
  }
  const out: PreparedSpec = { body, warnings: [...normWarnings, ...lintWarnings] };
  if (n.sweep) out.sweep = n.sweep;
  if (n.queue) out.queue = n.queue;
  return out;
}
