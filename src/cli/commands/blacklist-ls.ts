import type { BlacklistEntry } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient } from '../client.js';
import { dash, renderTable } from '../output.js';
import type { Command } from 'commander';
import { action } from '../command.js';
import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext): Promise<void> {
  const client = await makeClient(ctx);
  const list: BlacklistEntry[] = await client.blacklist.list();
  ctx.result(list, () =>
    list.length === 0
      ? t('result.empty')
      : renderTable(
          [t('col.machine'), t('col.dc'), t('col.expires'), t('col.created'), t('col.msg')],
          list.map((b) => [b.machine_id, dash(b.data_center), dash(b.expired_time), dash(b.created_at), dash(b.msg)]),
          ctx.out,
        ),
  );
}

/** `blacklist ls` (the group is ./blacklist.ts) */
export function declareLs(group: Command): void {
  group.command('ls').alias('list').description(t('cmd.blacklist.ls')).action(action(run));
}
