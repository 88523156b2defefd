import type { BlacklistBody } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, printDryRun } from '../client.js';
import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const body: BlacklistBody = { deployment_container_uuid: String(args[0]) };
  if (typeof opts.comment === 'string') body.comment = opts.comment;
  if (typeof opts.expireMinutes === 'number') body.expire_in_minutes = opts.expireMinutes;
  const dry = opts.dryRun === true;
  const client = await makeClient(ctx, { requireToken: !dry });
  if (dry) return printDryRun(ctx, client.prepare('addBlacklist', body));
  await client.blacklist.add(body);
  ctx.result({ status: 'success', ...body }, () => t('result.blacklisted', { uuid: body.deployment_container_uuid }));
}
