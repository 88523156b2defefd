// `autodl submit <config>`: validate offline, check image and GPU types, wait until a
// requested GPU type has enough idle cards, then create. Ctrl-C while waiting → exit 130,
// nothing created. The entry is recorded in the user's queue store (--db / AUTODL_QUEUE_DB /
// the default queue file) before the create: a rerun after a crash or kill -9 takes it up and
// looks the earlier create up by its mark instead of creating a second deployment.
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { makeClient, printDryRun } from '../client.js';
import { ProgressRenderer, type ProgressEvent } from '../progress.js';
import { prepareConfig } from '../config-file.js';
import type { CliContext } from '../runtime.js';
import { currentAccount, openStore } from './queue-common.js';
import { action, dryRunOption, withExamples, type CliCommand } from '../command.js';
import { checkQueuedNames, markedPreview } from '../../ops/queue.js';
import { previewOf } from '../../ops/preview.js';
import { cliWords } from '../words.js';
import { intervalSeconds, timeoutSeconds } from '../args.js';

export interface SubmitOptions {
  interval: number;
  timeout: number;
  db?: string;
  settle?: number;
  dryRun?: boolean;
}

export async function run(ctx: CliContext, [path]: [string], opts: SubmitOptions): Promise<void> {
  const dry = opts.dryRun ?? false;
  const intervalS = opts.interval;
  const timeoutS = opts.timeout;
  const client = await makeClient(ctx, { requireToken: !dry });
  const { body, queue } = await prepareConfig(ctx, path, { dialect: client.dialect });
  // the name is sent marked (`<name>-q<tag>`): too long then is refused before anything is read or sent
  checkQueuedNames([body.name], cliWords);
  // --dry-run: offline only (no image / stock checks): the create it would send.
  // The name is sent marked with the entry's tag (unknown before the entry exists): the
  // preview carries the marked name with the tag as ######## (same length) and the rule.
  if (dry) {
    const mark = markedPreview(body.name);
    return printDryRun(ctx, { ...previewOf(client.prepare('createDeployment', { ...body, name: mark.name })), mark });
  }

  const { submitAndWait, closeSubmitIntent } = await import('../../queue/submit.js');
  // Durable (issue 11): the entry lives in the user's queue store, keyed by body + host +
  // account, so a rerun of an interrupted submit finds its earlier create instead of making
  // a second deployment. The store must persist (openStore refuses :memory: and the like).
  const account = await currentAccount(ctx, true);
  // the config's queue: block (issue 16): time limit, cost cap, retries — enforced by a worker of
  // the account once the deployment exists; a one-shot submit waits for stock, not for dependencies
  const { policyFrom, ownerFor, withConfig } = await import('./queue-policy.js');
  const { normalizePolicy } = await import('../../queue/policies.js');
  const declared = withConfig({}, queue);
  if (declared.after?.length) {
    ctx.warn(t('submit.afterIgnored'));
    delete declared.after;
    delete declared.afterAny;
  }
  const policy = normalizePolicy(policyFrom(declared, []));
  const owner = ownerFor(declared, ctx.env);
  const { store } = await openStore(ctx, opts, { durable: true });
  const settleS = opts.settle;
  const progress = new ProgressRenderer(ctx);
  const ac = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    progress.clear();
    if (!ctx.json) ctx.log(ctx.err.yellow(t('submit.interrupting')));
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const res = await submitAndWait({
      api: client,
      body,
      store,
      intent: { host: client.host, account: account! },
      policy,
      owner,
      intervalMs: Math.round(intervalS * 1000),
      timeoutSec: timeoutS,
      ...(settleS !== undefined ? { settleMs: Math.round(settleS * 1000) } : {}),
      signal: ac.signal,
      onProgress: (ev: ProgressEvent) => {
        progress.event(ev);
        if (ctx.json) return; // NDJSON: the event itself is the line
        // the resume story, one lasting line each (a terminal's status line is cleared first)
        if (ev.type === 'resumed') {
          progress.clear();
          ctx.log(ctx.err.yellow(t('submit.resumed', { id: String(ev.entry_id), state: String(ev.state), since: String(ev.started_at) })));
        } else if (ev.type === 'settling') {
          progress.clear();
          ctx.log(t('submit.settling', { id: String(ev.entry_id), seconds: String(ev.wait_s) }));
        } else if (ev.type === 'found_earlier_create') {
          progress.clear();
          ctx.log(ctx.err.yellow(t('submit.foundEarlier', { id: String(ev.entry_id), uuid: String(ev.deployment_uuid) })));
        }
      },
    });
    progress.clear();
    ctx.result(res, () =>
      [t('result.submitted', { uuid: res.deployment_uuid, seconds: res.waited_seconds }), ctx.out.dim(t('result.submittedAs', { name: res.deployment_name, id: res.entry_id, config: body.name }))].join('\n'),
    );
    // Reported: the same config submitted again from now on is a new deployment (a failure
    // here must not add a second document after the result: a rerun would then resume it).
    // Unless the result may not have reached anyone: a SIGINT/SIGTERM came while the create
    // was in flight (the caller gave up, e.g. a harness's timeout), or stdout failed (EPIPE).
    // Then the intent stays, and the same submit again reports this deployment.
    const delivered = await new Promise<boolean>((resolve) => {
      try {
        ctx.io.stdout.write('', (err?: Error | null) => resolve(!err));
      } catch {
        resolve(false);
      }
    });
    if (delivered && !ac.signal.aborted) {
      await closeSubmitIntent(store, res.entry_id, Date.now()).catch((e: unknown) => ctx.warn(e instanceof Error ? e.message : String(e)));
    }
  } catch (e) {
    progress.clear();
    if (ac.signal.aborted && !(e instanceof AutodlError && e.errorType === 'interrupted')) {
      throw new AutodlError('interrupted', t('error.interrupted'), { created: false });
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await store.close().catch(() => {});
  }
}

export const command: CliCommand = {
  names: ['submit', 'queue-submit'],
  examples: [
    ['autodl submit job.yaml', 'ex.submit'],
    ['autodl submit job.yaml --interval 10 --timeout 3600 --json', 'ex.submit.timeout'],
  ],
  declare(program) {
    withExamples(
      program
        .command('submit')
        .alias('queue-submit')
        .description(t('cmd.submit'))
        .argument('<config>', t('arg.config'))
        .option('--interval <seconds>', t('cmd.submit.interval'), intervalSeconds, 30)
        .option('--timeout <seconds>', t('cmd.submit.timeout'), timeoutSeconds, 0)
        .option('--db <path>', t('cmd.submit.db'))
        .option('--settle <seconds>', t('cmd.submit.settle'), timeoutSeconds)
        .addOption(dryRunOption()),
      command.examples,
    ).action(action(run));
  },
};
