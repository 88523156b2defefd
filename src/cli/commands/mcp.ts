// `autodl mcp`: serve the Model Context Protocol on stdin/stdout until stdin closes.
// stdout belongs to the protocol: nothing else is printed there.
import type { CliContext } from '../runtime.js';
import { action, withExamples, type CliCommand } from '../command.js';
import { t } from '../../i18n/index.js';

export async function run(ctx: CliContext): Promise<void> {
  const { serveStdio } = await import('../../mcp/server.js');
  await serveStdio({
    env: ctx.env,
    cwd: ctx.io.cwd,
    ...(ctx.global.host ? { host: ctx.global.host } : {}),
    ...(ctx.global.dialect ? { dialect: ctx.global.dialect } : {}),
  });
}

export const command: CliCommand = {
  names: ['mcp'],
  examples: [['autodl mcp', 'ex.mcp']],
  declare(program) {
    withExamples(program.command('mcp').description(t('mcp.description')), command.examples).action(action(run));
  },
};
