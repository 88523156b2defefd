import { t } from '../../i18n/index.js';
import { resolveTarget } from '../client.js';
import { prepareConfig } from '../config-file.js';
import type { CliContext } from '../runtime.js';
import { dialectForHost } from '../../api/dialect.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const path = String(args[0]);
  // Offline: the dialect comes from --dialect, the environment/config or the host; no token needed.
  const target = await resolveTarget(ctx, false);
  const dialect = target.dialect ?? dialectForHost(target.host);
  const { body, warnings } = await prepareConfig(ctx, path, { dialect, strict: opts.strict === true, allowSweep: true });
  ctx.result({ status: 'success', valid: true, path, dialect, warnings, body }, () =>
    [ctx.out.green(`✓ ${t('result.valid', { path })}`), JSON.stringify(ctx.sanitize(body), null, 2)].join('\n'),
  );
}
