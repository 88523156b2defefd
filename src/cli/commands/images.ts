import type { PrivateImage, SystemImage } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, toArray } from '../client.js';
import { dash, renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext, _args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const client = await makeClient(ctx);
  if (opts.system === true) {
    const list: SystemImage[] = await toArray(client.images.listAllSystem());
    ctx.result(list, () =>
      list.length === 0
        ? t('result.empty')
        : renderTable(
            [t('col.id'), t('col.uuid'), t('col.name'), t('col.cuda'), t('col.framework')],
            list.map((i) => [dash(i.id), i.image_uuid, i.name, dash(i.cuda_version), dash(i.framework)]), // system items carry no id (recorded)
            ctx.out,
          ),
    );
    return;
  }
  const list: PrivateImage[] = await toArray(client.images.listAll());
  ctx.result(list, () =>
    list.length === 0
      ? t('result.empty')
      : renderTable(
          [t('col.id'), t('col.uuid'), t('col.name'), t('col.status')],
          list.map((i) => [String(i.id), i.image_uuid, dash(i.name ?? (i as { image_name?: string }).image_name), dash(i.status)]),
          ctx.out,
        ),
  );
}
