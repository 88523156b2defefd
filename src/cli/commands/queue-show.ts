// `autodl queue show <id>`: one entry (with its stored body) and its history.
import { t } from '../../i18n/index.js';
import { formatDateTime, outputZone } from '../../util/time.js';
import { dash, renderFields, renderTable } from '../output.js';
import type { CliContext } from '../runtime.js';
import { notFound, stateColor, withStore, type StoreOptions } from './queue-common.js';
import { showEntry } from '../../ops/queue.js';
import type { Command } from 'commander';
import { action } from '../command.js';

export async function run(ctx: CliContext, [ref]: [string], opts: StoreOptions): Promise<void> {
  await withStore(ctx, opts, async (store) => {
    // the same view as MCP's queue_show (src/ops/queue.ts)
    const { entry: view, history, raw: e } = await showEntry(store, ref, notFound);
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
        [t('field.created'), `${formatDateTime(e.created_at)} ${outputZone()}`],
        [t('field.lastError'), dash(e.last_error)],
      ];
      if (e.policy?.retry || e.retries > 0) {
        const log = (e.retry_log ?? []).map((r) => `#${r.n} ${r.cause}: ${r.detail}${r.blacklisted?.length ? ` [blacklisted ${r.blacklisted.join(', ')}]` : ''}`);
        fields.push([t('field.retries'), [t('field.retriesOf', { n: e.retries, max: e.policy?.retry?.max ?? e.retries }), ...log].join('\n')]);
      }
      if (e.lease_owner) fields.push([t('field.lease'), t('field.leaseUntil', { owner: e.lease_owner, until: `${formatDateTime(e.lease_until ?? 0)} ${outputZone()}` })]);
      const rows = history.map((h) => [formatDateTime(h.ts), dash(h.from_state), stateColor(h.to_state, c), dash(h.note)]);
      return `${renderFields(fields, c)}\n\n${c.bold(t('queue.history'))}\n${renderTable([t('qcol.time'), t('qcol.from'), t('qcol.to'), t('qcol.note')], rows, c)}`;
    });
  });
}

/** `queue show` (the group is ./queue.ts) */
export function declareShow(group: Command): void {
  group.command('show').description(t('queue.cmd.show')).argument('<id>', t('queue.arg.id')).action(action(run));
}
