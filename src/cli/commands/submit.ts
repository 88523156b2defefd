// `autodl submit <config>`: validate offline, check image and GPU types, wait until a
// requested GPU type has enough idle cards, then create. Ctrl-C while waiting → exit 130,
// nothing created.
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { makeClient, printDryRun } from '../client.js';
import { ProgressRenderer, type ProgressEvent } from '../progress.js';
import { prepareConfig } from '../spec.js';
import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const path = String(args[0]);
  const dry = opts.dryRun === true;
  const intervalS = typeof opts.interval === 'number' ? opts.interval : 30;
  const timeoutS = typeof opts.timeout === 'number' ? opts.timeout : 0;
  const client = await makeClient(ctx, { requireToken: !dry });
  const { body } = await prepareConfig(ctx, path, { dialect: client.dialect });
  // --dry-run: offline only (no image / stock checks): the create it would send.
  if (dry) return printDryRun(ctx, client.prepare('createDeployment', body));

  const { submitAndWait } = await import('../../queue/submit.js');
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
      intervalMs: Math.round(intervalS * 1000),
      timeoutSec: timeoutS,
      signal: ac.signal,
      onProgress: (ev: ProgressEvent) => progress.event(ev),
    });
    progress.clear();
    ctx.result(res, () => t('result.submitted', { uuid: res.deployment_uuid, seconds: res.waited_seconds }));
  } catch (e) {
    progress.clear();
    if (ac.signal.aborted && !(e instanceof AutodlError && e.errorType === 'interrupted')) {
      throw new AutodlError('interrupted', t('error.interrupted'), { created: false });
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
