// prepareSpec: load → normalize → validate → lint in one call.

import { english } from '../i18n/index.js';
import { AutodlError } from '../errors.js';
import { finishPrepared, withLine, type PrepareOptions, type PreparedSpec } from './finish.js';
import { validationError } from './issues.js';
import { loadConfigFile } from './load.js';
import { normalize } from './normalize.js';
import { isPlainObject, type LineOf } from './types.js';
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
  const issues = collectIssues(n.body, n.dialect, lineOf, pre);
  if (issues.length > 0) throw validationError(issues, file);
  const out = finishPrepared(n, options, lineOf, file);
  if (source) out.source = source;
  return out;
}
