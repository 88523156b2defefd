// prepareSpec: load → normalize → validate → lint in one call.

import type { Dialect, CreateDeploymentBody } from '../api/types.js';
import { AutodlError } from '../errors.js';
import { english } from '../i18n/index.js';
import { lint } from './lint.js';
import { loadConfigFile } from './load.js';
import { normalize } from './normalize.js';
import { sweepIssues } from './sweep.js';
import { isPlainObject, nearestLine, type ConfigFormat, type LineOf, type LintContext, type SpecWarning, type SweepParams, type ValidationIssue } from './types.js';
import { collectIssues, pathSegments, validationError } from './validate.js';

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
  source?: { path: string; format: ConfigFormat };
}

function withLine<T extends { path: string; line?: number }>(item: T, lineOf: LineOf | undefined): T {
  if (item.line !== undefined || !lineOf) return item;
  const line = nearestLine(lineOf, pathSegments(item.path));
  return line === undefined ? item : { ...item, line };
}

/**
 * Turn a config file path (a string) or an already-parsed config object into an API-ready body.
 * Throws AutodlError config_error (unreadable/unparsable file) or validation_error
 * (details.errors lists every problem, with lines).
 */
export function prepareSpec(input: string | object, options: PrepareOptions): PreparedSpec {
  let raw: unknown;
  let lineOf = options.lineOf;
  let file = options.file;
  let source: PreparedSpec['source'];
  if (typeof input === 'string') {
    const loaded = loadConfigFile(input, options.format ? { format: options.format } : {});
    raw = loaded.raw;
    lineOf = loaded.lineOf;
    file = input;
    source = { path: input, format: loaded.format };
  } else {
    raw = input;
  }
  if (!isPlainObject(raw)) {
    throw new AutodlError('validation_error', 'Invalid deployment config: the config must be an object', {
      errors: [{ path: '', message: english('spec.notObject') }],
    });
  }
  const n = normalize(raw, { dialect: options.dialect });
  const pre = n.issues.map((i) => withLine(i, lineOf));
  const issues = collectIssues(n.body, n.dialect, lineOf, pre);
  if (issues.length > 0) throw validationError(issues, file);
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
  if (source) out.source = source;
  return out;
}
