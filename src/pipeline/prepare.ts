// prepareSpec: load → normalize → validate → lint in one call.

import { english } from '../i18n/index.js';
import { AutodlError } from '../errors.js';
import { finishPrepared, withLine, type PrepareOptions, type PreparedSpec } from './finish.js';
import { validationError } from './issues.js';
import { loadConfigFile } from './load.js';
import { normalize } from './normalize.js';
import type { CreateDeploymentBody } from '../api/types.js';
import { lint } from './lint.js';
import { isPlainObject, type LineOf, type SpecWarning } from './types.js';
import { collectIssues } from './validate.js';

export type { PrepareOptions, PreparedSpec };

/**
 * Turn a config file path (a string) or an already-parsed config object into an API-ready body.
 * Throws AutodlError config_error (unreadable/unparsable file) or validation_error
 * (details.errors lists every problem, with lines).
 */
export function prepareSpec(input: string | object, options: PrepareOptions): PreparedSpec {
  let raw: unknown;
  let lineOf: LineOf | undefined = options.lineOf;
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
  const shapes = options.context?.hostShapes ? { hostShapes: options.context.hostShapes } : {};
  const issues = collectIssues(n.body, n.dialect, lineOf, pre, shapes);
  if (issues.length > 0) {
    // Every problem at once: the warnings of what could be read, beside the errors.
    const err = validationError(issues, file);
    const warnings = [...n.warnings.map((w) => withLine(w, lineOf)), ...bestEffortLint(n.body, options).map((w) => withLine(w, lineOf))];
    if (warnings.length > 0) err.details.warnings = warnings;
    throw err;
  }
  const out = finishPrepared(n, options, lineOf, file);
  if (source) out.source = source;
  return out;
}

/** Lint of a body that failed validation: whatever of it has the right shape (never throws). */
function bestEffortLint(raw: Record<string, unknown>, options: PrepareOptions): SpecWarning[] {
  const tpl = raw.container_template;
  if (!isPlainObject(tpl)) return [];
  const body = { ...raw, container_template: { ...tpl, gpu_name_set: Array.isArray(tpl.gpu_name_set) ? tpl.gpu_name_set.filter((g) => typeof g === 'string') : [] } };
  if (typeof (body.container_template as { gpu_num?: unknown }).gpu_num !== 'number') (body.container_template as { gpu_num?: unknown }).gpu_num = 1;
  try {
    return lint(body as unknown as CreateDeploymentBody, { dialect: options.dialect, ...options.context });
  } catch {
    return [];
  }
}
