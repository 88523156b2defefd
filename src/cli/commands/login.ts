import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import type { CliContext } from '../runtime.js';
import { DEFAULT_HOST, writeUserConfig, userConfigPath } from '../../credentials/credentials.js';
import { action, withExamples, type CliCommand } from '../command.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Prompt on the terminal without echo (raw mode; Backspace edits, Ctrl-C aborts). */
function promptHidden(ctx: CliContext, prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return Promise.reject(new AutodlError('config_error', t('error.noTty'), {}));
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: AutodlError) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      ctx.io.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new AutodlError('interrupted', t('error.interrupted'), {}));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    // echo off before the prompt shows: a token typed (or pasted) right after it is never echoed
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
    ctx.io.stderr.write(prompt);
  });
}

export interface LoginOptions {
  tokenStdin?: boolean;
  /** false with --no-check: save the token without asking the API */
  check?: boolean;
}

/**
 * Ask the API whether it takes `token` (one GPU stock read, nothing changes). Throws a
 * token_invalid error when the API refused it, an api_error when the host could not be asked.
 */
export async function checkToken(ctx: CliContext, token: string, host: string): Promise<void> {
  const { AutodlClient } = await import('../../api/client.js');
  const { ApiError } = await import('../../errors.js');
  const client = new AutodlClient({
    token,
    host,
    ...(ctx.global.dialect ? { dialect: ctx.global.dialect } : {}),
    timeoutMs: 15_000,
    ...(ctx.verbose ? { debug: (line: string) => ctx.debug(line) } : {}),
  });
  try {
    await client.stock.get();
  } catch (e) {
    if (e instanceof ApiError && (e.info.kind === 'http' || e.info.kind === 'envelope')) {
      const said = [e.info.msg, e.info.code !== undefined ? `(code ${e.info.code})` : '', e.info.httpStatus !== undefined && e.info.httpStatus !== 200 ? `HTTP ${e.info.httpStatus}` : '']
        .filter((x) => x !== undefined && x !== '')
        .join(' ');
      throw new AutodlError('token_invalid', t('login.rejected', { host: JSON.stringify(host), said }), {
        host,
        ...(e.info.httpStatus !== undefined ? { status: e.info.httpStatus } : {}),
        ...(e.info.code !== undefined ? { code: e.info.code } : {}),
        ...(e.info.msg !== undefined ? { msg: e.info.msg } : {}),
      });
    }
    const why = e instanceof Error ? e.message : String(e);
    throw new AutodlError('api_error', t('login.unreachable', { host: JSON.stringify(host), why }), { host, kind: e instanceof ApiError ? e.info.kind : 'unknown' });
  }
}

export async function run(ctx: CliContext, _args: [], opts: LoginOptions): Promise<void> {
  const raw = opts.tokenStdin ? await readAll(process.stdin) : await promptHidden(ctx, t('login.prompt'));
  const token = raw.trim();
  if (token === '') throw new AutodlError('config_error', t('error.tokenEmpty'), {});
  ctx.addSecret(token);
  // the token is saved with the host it is for (--host, else AUTODL_HOST, else the default host):
  // later runs send it nowhere else unless told so on the command line (see tokenHostProblem).
  // A .env in the working directory is not asked: it may belong to someone else.
  const host = ctx.global.host?.trim() || ctx.env.AUTODL_HOST?.trim() || DEFAULT_HOST;
  if (opts.check !== false) {
    if (!ctx.json) ctx.log(ctx.err.dim(t('login.checking', { host: JSON.stringify(host) })));
    await checkToken(ctx, token, host);
  }
  const patch: { token: string; host: string; dialect?: string } = { token, host };
  if (ctx.global.dialect) patch.dialect = ctx.global.dialect;
  writeUserConfig(patch, ctx.env);
  const path = userConfigPath(ctx.env);
  const stored = Object.keys(patch);
  const checked = opts.check !== false;
  ctx.result({ status: 'success', path, host, stored, checked }, () =>
    `${t('result.loggedIn', { path, host: JSON.stringify(host) })}${checked ? '' : ` ${t('login.unchecked')}`}`,
  );
}

export const command: CliCommand = {
  names: ['login'],
  examples: [
    ['autodl login', 'ex.login'],
    ['printenv AUTODL_TOKEN | autodl login --token-stdin', 'ex.login.stdin'],
  ],
  declare(program) {
    withExamples(
      program.command('login').description(t('cmd.login')).option('--token-stdin', t('cmd.login.tokenStdin')).option('--no-check', t('cmd.login.noCheck')),
      command.examples,
    ).action(action(run));
  },
};
