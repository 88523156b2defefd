import type { BlacklistBody } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, printDryRun } from '../client.js';
import type { Command } from 'commander';
import { expireMinutes } from '../args.js';
import { action, dryRunOption } from '../command.js';
import type { CliContext } from '../runtime.js';

export interface BlacklistAddOptions {
  comment?: string;
  expireMinutes?: number;
  dryRun?: boolean;
}

export async function run(ctx: CliContext, [container]: [string], opts: BlacklistAddOptions): Promise<void> {
  const body: BlacklistBody = { deployment_container_uuid: container };
  if (opts.comment !== undefined) body.comment = opts.comment;
  if (opts.expireMinutes !== undefined) body.expire_in_minutes = opts.expireMinutes;
  const dry = opts.dryRun ?? false;
  const client = await makeClient(ctx, { requireToken: !dry });
  if (dry) return printDryRun(ctx, client.prepare('addBlacklist', body));
  await client.blacklist.add(body);
  ctx.result({ status: 'success', ...body }, () => t('result.blacklisted', { uuid: body.deployment_container_uuid }));
}

/** `blacklist add <container>` (the group is ./blacklist.ts) */
export function declareAdd(group: Command): void {
  group
    .command('add')
    .description(t('cmd.blacklist.add'))
    .argument('<container>', t('arg.container'))
    .option('--comment <text>', t('cmd.blacklist.comment'))
    .option('--expire-minutes <n>', t('cmd.blacklist.expire'), expireMinutes)
    .addOption(dryRunOption())
    .action(action(run));
}
