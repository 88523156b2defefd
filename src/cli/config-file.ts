// The config pipeline as the CLI uses it: prepareSpec, warnings on stderr, sweeps refused.
import { AutodlError } from '../errors.js';
import type { Dialect, CreateDeploymentBody } from '../api/types.js';

import type { CliContext } from './runtime.js';

export interface PreparedConfig {
  body: CreateDeploymentBody;
  warnings: Array<{ code?: string; path?: string; message: string; line?: number }>;
}

export async function prepareConfig(
  ctx: CliContext,
  path: string,
  options: { dialect: Dialect; strict?: boolean; allowSweep?: boolean },
): Promise<PreparedConfig> {
  const { prepareSpec } = await import('../pipeline/index.js');
  const prepared = await prepareSpec(path, { dialect: options.dialect, ...(options.strict ? { strict: true } : {}) });
  if (prepared.sweep && !options.allowSweep) {
    throw new AutodlError('config_error', `${path} describes a sweep: run it with \`autodl sweep ${path}\``, { path, sweep: true });
  }
  const warnings = (prepared.warnings ?? []) as PreparedConfig['warnings'];
  for (const w of warnings) {
    const where = [w.path, w.line !== undefined ? `line ${w.line}` : undefined].filter(Boolean).join(', ');
    if (ctx.json) ctx.warn(w.message, { ...(w.code ? { code: w.code } : {}), ...(w.path ? { path: w.path } : {}), ...(w.line !== undefined ? { line: w.line } : {}) });
    else ctx.warn(where ? `${where}: ${w.message}` : w.message);
  }
  return { body: prepared.body as CreateDeploymentBody, warnings };
}
