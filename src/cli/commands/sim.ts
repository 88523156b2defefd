import { inLang, t } from '../../i18n/index.js';
import type { CliContext } from '../runtime.js';
import { action, withExamples, type CliCommand } from '../command.js';
import { collect, nonNegativeInt, port, speed } from '../args.js';

export interface SimOptions {
  port?: number;
  token?: string[];
  speed?: number;
  manual?: boolean;
  seed?: number;
  /** false with --no-background */
  background: boolean;
}

export async function run(ctx: CliContext, _args: [], opts: SimOptions): Promise<void> {
  const { runSimCommand } = await import('../../sim/index.js');
  const o: Parameters<typeof runSimCommand>[0] = {
    port: opts.port ?? 0,
    tokens: opts.token ?? [],
    dialect: ctx.global.dialect ?? 'private',
    backgroundLoad: opts.background,
  };
  if (opts.speed !== undefined) o.speed = opts.speed;
  if (opts.manual) o.manual = true;
  if (opts.seed !== undefined) o.seed = opts.seed;
  // the banner in the language of the run (the simulator words it in English; its indent kept)
  await runSimCommand(o, { stderr: (line) => process.stderr.write(`${line.replace(/^(\s*)(.*)$/s, (_m, indent: string, text: string) => indent + inLang(text))}\n`) });
}

export const command: CliCommand = {
  names: ['sim'],
  examples: [
    ['autodl sim --port 8765', 'ex.sim'],
    ['autodl sim --port 0 --manual --no-background --seed 7', 'ex.sim.manual'],
  ],
  declare(program) {
    withExamples(
      program
        .command('sim')
        .description(t('cmd.sim'))
        .option('--port <n>', t('cmd.sim.port'), port)
        .option('--token <token>', t('cmd.sim.token'), collect)
        .option('--speed <x>', t('cmd.sim.speed'), speed)
        .option('--manual', t('cmd.sim.manual'))
        .option('--seed <n>', t('cmd.sim.seed'), nonNegativeInt)
        .option('--no-background', t('cmd.sim.noBackground')),
      command.examples,
    ).action(action(run));
  },
};
