import type { PrivateImage, SystemImage } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient, toArray } from '../client.js';
import { dash, renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { action, withExamples, type CliCommand } from '../command.js';

export interface ImagesOptions {
  system?: boolean;
}

export async function run(ctx: CliContext, _args: [], opts: ImagesOptions): Promise<void> {
  const client = await makeClient(ctx);
  if (opts.system) {
    const list: SystemImage[] = await toArray(client.images.listAllSystem());
    ctx.result(list, () =>
      list.length === 0
        ? t('result.empty')
        : renderTable(
            [t('col.id'), t('col.uuid'), t('col.name'), t('col.cuda'), t('col.framework')],
            list.map((i) => [dash(i.id), i.image_uuid, dash(i.name), dash(i.cuda_version), dash(i.framework ?? i.chip_corp)]),
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
          list.map((i) => [dash(i.id), i.image_uuid, dash(i.name ?? i.image_name), dash(i.status)]),
          ctx.out,
        ),
  );
}

export const command: CliCommand = {
  names: ['images'],
  examples: [
    ['autodl images', 'ex.images'],
    ['autodl images --system --json', 'ex.images.system'],
  ],
  declare(program) {
    withExamples(program.command('images').description(t('cmd.images')).option('--system', t('cmd.images.system')), command.examples).action(action(run));
  },
};
