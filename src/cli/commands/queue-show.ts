// `autodl queue show <id>`: one entry (with its stored body) and its history.
import { t } from '../../i18n/index.js';
import { dash, renderFields, renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { entryId, entryView, notFound, stateColor, withStore, type StoreOptions } from './queue-common.js';
import type { Command } from 'commander';
import { action } from '../command.js';

export async function run(ctx: CliContext, [ref]: [string], opts: StoreOptions): Promise<void> {
  const id = entryId(ref);
  await withStore(ctx, opts, async (store) => {
    const e = await store.get(id);
    if (!e) throw notFound(id);
    const history = (await store.history(id)).map((h) => ({ ...h, at: new Date(h.ts).toISOString() }));
    const view = { ...entryView(e), error_details: e.error_details, body: e.body };
    ctx.result({ entry: view, history }, () => {
      const c = ctx.out;
      const fields: Array<[string, string]> = [
        [t('field.id'), e.id],
        [t('field.name'), e.body.name],
        [t('field.deploymentName'), e.deployment_name],
        [t('field.state'), stateColor(e.state, c)],
        [t('field.priority'), String(e.priority)],
        [t('field.label'), dash(e.label)],
        [t('field.attempts'), String(e.attempts)],
        [t('field.deployment'), dash(e.deployment_uuid)],
        [t('field.account'), e.account ?? t('queue.noAccount')],
        [t('field.gpu'), `${e.body.container_template.gpu_num} × ${e.body.container_template.gpu_name_set.join(' | ')}`],
        [t('field.cmd'), dash(e.body.container_template.cmd)],
        [t('field.created'), new Date(e.created_at).toISOString()],
        [t('field.lastError'), dash(e.last_error)],
      ];
      if (e.lease_owner) fields.push([t('field.lease'), t('field.leaseUntil', { owner: e.lease_owner, until: new Date(e.lease_until ?? 0).toISOString() })]);
      const rows = history.map((h) => [h.at, dash(h.from_state), stateColor(h.to_state, c), dash(h.note)]);
      return `${renderFields(fields, c)}\n\n${c.bold(t('queue.history'))}\n${renderTable([t('qcol.time'), t('qcol.from'), t('qcol.to'), t('qcol.note')], rows, c)}`;
    });
  });
}

/** `queue show` (the group is ./queue.ts) */
export function declareShow(group: Command): void {
  group.command('show').description(t('queue.cmd.show')).argument('<id>', t('queue.arg.id')).action(action(run));
}
