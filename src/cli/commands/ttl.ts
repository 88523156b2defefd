// `autodl ttl <deployment> <duration|off> [--grace <duration>]` (issue 16): put a deployment
// made outside the queue (a debug ReplicaSet or Container) under a time limit — or change or
// lift the limit of a queued one. The deployment is taken into the queue as `submitted`
// (store.adopt), so any running `autodl queue run` of this account follows it and stops it when
// it has run that long (counted from its creation); nothing is created.
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import type { CreateDeploymentBody } from '../../api/types.js';
import { resolveDeployment } from '../../ops/resolve.js';
import { parseApiTime } from '../../watch/time.js';
import { cliResolve, makeClient } from '../client.js';
import { cliWords } from '../words.js';
import type { CliContext } from '../runtime.js';
import { action, withExamples, type CliCommand } from '../command.js';
import { currentAccount, entryView, withStore, type StoreOptions } from './queue-common.js';
import { durationArg, ownerFor } from './queue-policy.js';

export interface TtlOptions extends StoreOptions {
  grace?: number;
  dryRun?: boolean;
}

/** `off` lifts the limit; else a duration. */
function limitArg(value: string): number | 'off' {
  return value === 'off' ? 'off' : durationArg(value);
}

export async function run(ctx: CliContext, [ref, limit]: [string, number | 'off'], opts: TtlOptions): Promise<void> {
  if (limit === 'off' && opts.grace !== undefined) throw new AutodlError('config_error', t('policy.graceNeedsLimit'), { option: '--grace' });
  const client = await makeClient(ctx);
  const d = await resolveDeployment(client, ref, cliWords, cliResolve(ctx, opts.db));
  const created = parseApiTime(d.created_at) ?? Date.now();
  const policy = limit === 'off' ? { maxRuntimeMs: undefined, graceMs: undefined } : { maxRuntimeMs: limit, ...(opts.grace !== undefined ? { graceMs: opts.grace } : {}) };
  if (limit !== 'off') {
    const { normalizePolicy } = await import('../../queue/policies.js');
    normalizePolicy(policy);
  }
  const stopsAt = limit === 'off' ? null : new Date(created + limit + (opts.grace ?? 0)).toISOString();
  if (opts.dryRun) {
    ctx.result({ status: 'success', dry_run: true, deployment_uuid: d.uuid, name: d.name, created_at: d.created_at, stops_at: stopsAt }, () =>
      t('ttl.dry', { name: d.name, uuid: d.uuid, at: stopsAt ?? 'never' }),
    );
    return;
  }
  // what the queue needs to follow it and count it against the limits (the list's own facts)
  const tpl = (d.template ?? {}) as Record<string, unknown>;
  const body: CreateDeploymentBody = {
    name: d.name || d.uuid,
    deployment_type: d.deployment_type,
    replica_num: typeof d.replica_num === 'number' ? d.replica_num : 1,
    container_template: {
      gpu_name_set: Array.isArray(d.gpu_name_set) && d.gpu_name_set.length ? d.gpu_name_set : Array.isArray(tpl.gpu_name_set) && tpl.gpu_name_set.length ? (tpl.gpu_name_set as string[]) : ['unknown'],
      gpu_num: typeof tpl.gpu_num === 'number' && tpl.gpu_num >= 1 ? tpl.gpu_num : 1,
      image_uuid: typeof d.image_uuid === 'string' ? d.image_uuid : '',
      cmd: '',
    },
  };
  const account = await currentAccount(ctx);
  await withStore(
    ctx,
    opts,
    async (store, path) => {
      if (limit === 'off') {
        const { OPEN_STATES } = await import('../../queue/states.js');
        const open = (await store.list({ states: OPEN_STATES })).find((e) => e.deployment_uuid === d.uuid);
        if (!open) {
          ctx.result({ status: 'success', db: path, adopted: false, deployment_uuid: d.uuid, stops_at: null, entry: null }, () => t('ttl.none', { name: d.name }));
          return;
        }
      }
      const { entry, adopted } = await store.adopt(
        { body, deployment_uuid: d.uuid, deployment_name: d.name, submitted_at: created, policy, account: account ?? null, owner: ownerFor({}, ctx.env) },
        Date.now(),
      );
      ctx.result({ status: 'success', db: path, adopted, deployment_uuid: d.uuid, stops_at: stopsAt, entry: entryView(entry) }, () =>
        stopsAt === null ? t('ttl.off', { name: d.name, id: entry.id }) : t('ttl.set', { name: d.name, id: entry.id, at: stopsAt }),
      );
    },
    { durable: true },
  );
}

export const command: CliCommand = {
  names: ['ttl'],
  examples: [
    ['autodl ttl my-debug 4h', 'ex.ttl'],
    ['autodl ttl my-debug 8h --grace 10m', 'ex.ttl.grace'],
    ['autodl ttl my-debug off', 'ex.ttl.off'],
  ],
  declare(program) {
    withExamples(
      program
        .command('ttl')
        .description(t('ttl.cmd'))
        .argument('<deployment>', t('arg.deployment'))
        .argument('<duration>', t('ttl.arg.duration'), limitArg)
        .option('--grace <duration>', t('policy.opt.grace'), durationArg)
        .option('--db <path>', t('queue.opt.db'))
        .option('--dry-run', t('ttl.opt.dryRun')),
      command.examples,
    ).action(action(run));
  },
};
