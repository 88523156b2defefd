import type { ContainerEvent } from '../../api/types.js';
import { chronologicalEvents } from '../../api/events.js';
import { t } from '../../i18n/index.js';
import { makeClient, resolveDeployment, toArray } from '../client.js';
import { renderTable } from '../output.js';
import { eventHeaders, eventRow } from '../render.js';
import type { CliContext } from '../runtime.js';
import { action, withExamples, type CliCommand } from '../command.js';
import { intervalSeconds } from '../args.js';

export interface EventsOptions {
  follow?: boolean;
  container?: string;
  interval: number;
}

export async function run(ctx: CliContext, [ref]: [string], opts: EventsOptions): Promise<void> {
  const client = await makeClient(ctx);
  const deployment = await resolveDeployment(ctx, client, ref);
  const container = opts.container;
  if (!opts.follow) {
    // oldest first whatever the server's order (the platform lists newest first), each event once
    const list: ContainerEvent[] = chronologicalEvents(
      await toArray(client.events.listAll({ deployment_uuid: deployment.uuid, ...(container ? { deployment_container_uuid: container } : {}) })),
    );
    ctx.result(list, () =>
      list.length === 0 ? t('result.empty') : renderTable(eventHeaders(), list.map((e) => eventRow(e, ctx.out)), ctx.out),
    );
    return;
  }

  // --follow: one event per line as it arrives (NDJSON in machine mode) until Ctrl-C.
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  if (!ctx.json) ctx.log(ctx.err.dim(t('events.following', { uuid: deployment.uuid })));
  const intervalMs = Math.round(opts.interval * 1000);
  try {
    for await (const e of client.events.follow(deployment.uuid, {
      intervalMs,
      signal: ac.signal,
      ...(container ? { deployment_container_uuid: container } : {}),
    })) {
      if (ctx.json) ctx.io.stdout.write(`${JSON.stringify(ctx.sanitize(e))}\n`); // NDJSON, even on a terminal
      else ctx.print(eventRow(e, ctx.out).join('  '));
    }
  } catch (e) {
    if (!ac.signal.aborted) throw e;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

export const command: CliCommand = {
  names: ['events'],
  examples: [
    ['autodl events my-job', 'ex.events'],
    ['autodl events my-job --follow --interval 5', 'ex.events.follow'],
  ],
  declare(program) {
    withExamples(
      program
        .command('events')
        .description(t('cmd.events'))
        .argument('<deployment>', t('arg.deployment'))
        .option('-f, --follow', t('cmd.events.follow'))
        .option('--container <uuid>', t('cmd.events.container'))
        .option('--interval <duration>', t('cmd.events.interval'), intervalSeconds, 2),
      command.examples,
    ).action(action(run));
  },
};
