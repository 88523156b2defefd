// `autodl notify-test [--url <url>] [--type <sink type>] [--secret <s>]`: send a test event to
// every sink in the user config's `notify` list (or to the one given by --url). Exit 0 when
// every sink accepted it, 3 (api_error) when any failed; results per sink on stdout.
import { AutodlError } from '../../errors.js';
import { english, t } from '../../i18n/index.js';
import type { CliContext } from '../runtime.js';
import { action, withExamples, type CliCommand } from '../command.js';

export interface NotifyTestOptions {
  url?: string;
  type?: string;
  secret?: string;
}

export async function run(ctx: CliContext, _args: [], opts: NotifyTestOptions): Promise<void> {
  const { loadNotifySinks, notify, sinksFromConfig, SINK_TYPES } = await import('../../notify/index.js');
  let sinks;
  if (opts.url !== undefined) {
    const type = opts.type ?? 'webhook';
    if (!(SINK_TYPES as readonly string[]).includes(type)) {
      throw new AutodlError('config_error', t('notify.badType', { type, types: SINK_TYPES.join(', ') }), { field: '--type', value: type });
    }
    sinks = sinksFromConfig([{ type, url: opts.url, ...(opts.secret !== undefined ? { secret: opts.secret } : {}) }], '--url');
  } else {
    sinks = loadNotifySinks(ctx.env);
  }
  for (const s of sinks) {
    ctx.addSecret(s.secret);
  }
  if (sinks.length === 0) {
    throw new AutodlError('config_error', t('notify.none'), { hint: english('notify.hint') });
  }
  const results = await notify({ kind: 'test', message: t('notify.testMessage') }, sinks);
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    throw new AutodlError('api_error', t('notify.failed', { n: failed.length, total: results.length }), { kind: 'notify', results });
  }
  ctx.result({ status: 'success', results }, () => results.map((r) => `${ctx.out.green('✓')} ${r.type}  ${r.target}  (${t('notify.attempts', { n: r.attempts })})`).join('\n'));
}

export const command: CliCommand = {
  names: ['notify-test'],
  examples: [
    ['autodl notify-test', 'ex.notify'],
    ['autodl notify-test --url https://example.com/hook --type webhook', 'ex.notify.url'],
  ],
  declare(program) {
    withExamples(
      program
        .command('notify-test')
        .description(t('notify.cmd'))
        .option('--url <url>', t('notify.opt.url'))
        .option('--type <type>', t('notify.opt.type'))
        .option('--secret <secret>', t('notify.opt.secret')),
      command.examples,
    ).action(action(run));
  },
};
