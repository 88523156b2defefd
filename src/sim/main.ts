// Standalone entry: node --import tsx src/sim/main.ts --port 0 --token T --dialect public --speed 10 --manual --seed N --no-background
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runSimCommand, type SimCommandArgs } from './index.js';

export class SimArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimArgsError';
  }
}

/** Parse `autodl sim` flags. Throws SimArgsError on a bad value. */
export function parseSimArgs(args: string[]): SimCommandArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string', default: '0' },
        token: { type: 'string', multiple: true },
        dialect: { type: 'string', default: 'private' },
        speed: { type: 'string' },
        manual: { type: 'boolean', default: false },
        seed: { type: 'string' },
        background: { type: 'boolean' },
        'no-background': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new SimArgsError(e instanceof Error ? e.message : String(e));
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SimArgsError(`--port must be 0..65535`);
  const dialect = values.dialect;
  if (dialect !== 'private' && dialect !== 'public') throw new SimArgsError('--dialect must be private or public');
  const out: SimCommandArgs = { port, tokens: values.token ?? [], dialect, manual: values.manual ?? false };
  if (values.speed !== undefined) {
    const s = Number(values.speed);
    if (!Number.isFinite(s) || s <= 0) throw new SimArgsError('--speed must be a number > 0');
    out.speed = s;
  }
  if (values.seed !== undefined) {
    const s = Number(values.seed);
    if (!Number.isInteger(s)) throw new SimArgsError('--seed must be an integer');
    out.seed = s;
  }
  out.backgroundLoad = values['no-background'] ? false : (values.background ?? true);
  return out;
}

function isMain(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  try {
    await runSimCommand(parseSimArgs(process.argv.slice(2)));
  } catch (e) {
    process.stderr.write(`autodl sim: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
