import type { CliContext } from '../runtime.js';

export async function run(ctx: CliContext, _args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const { runSimCommand } = await import('../../sim/index.js');
  const o: Parameters<typeof runSimCommand>[0] = {
    port: typeof opts.port === 'number' ? opts.port : 0,
    tokens: Array.isArray(opts.token) ? (opts.token as string[]) : [],
    dialect: ctx.global.dialect ?? 'private',
    backgroundLoad: opts.background !== false,
  };
  if (typeof opts.speed === 'number') o.speed = opts.speed;
  if (opts.manual === true) o.manual = true;
  if (typeof opts.seed === 'number') o.seed = opts.seed;
  await runSimCommand(o);
}
