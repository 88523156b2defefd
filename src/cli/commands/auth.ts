// `autodl auth status`: which token is used (where it came from, masked), for which host and
// dialect, and whether the API takes it (`--no-check`: offline). `autodl logout`: the token
// saved by `autodl login` removed from the user config (a token of AUTODL_TOKEN or a .env file
// is not ours to remove: said so).
import { AutodlError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import type { CliContext } from '../runtime.js';
import { readUserConfig, resolveCredentials, userConfigPath, writeUserConfig } from '../../credentials/credentials.js';
import { tokenSourceText } from '../token-source.js';
import { action, groupHelp, withExamples, type CliCommand } from '../command.js';

/** A token as it may be shown: its length and last 4 characters (`****…abcd`, 32 chars). */
export function maskToken(token: string): string {
  const tail = token.length >= 12 ? token.slice(-4) : '';
  return `****${tail ? `…${tail}` : ''} (${token.length} chars)`;
}

export async function status(ctx: CliContext, _args: [], opts: { check?: boolean }): Promise<void> {
  const r = resolveCredentials({ env: ctx.env, cwd: ctx.io.cwd });
  const host = ctx.global.host ?? r.host;
  const token = r.token;
  if (token) ctx.addSecret(token);
  let valid: boolean | null = null;
  let problem: string | undefined;
  if (token && opts.check !== false) {
    const { checkToken } = await import('./login.js');
    try {
      await checkToken(ctx, token, host);
      valid = true;
    } catch (e) {
      if (!(e instanceof AutodlError)) throw e;
      valid = e.errorType === 'token_invalid' ? false : null;
      problem = e.message;
    }
  }
  const value = {
    status: 'success',
    logged_in: token !== undefined,
    token_source: r.tokenSource ?? null,
    token_source_text: tokenSourceText(r),
    token_masked: token ? maskToken(token) : null,
    host,
    host_source: ctx.global.host !== undefined ? 'option' : r.hostSource,
    dialect: ctx.global.dialect ?? r.dialect ?? null,
    checked: token !== undefined && opts.check !== false,
    valid,
    ...(problem ? { problem } : {}),
    searched: r.searched,
  };
  ctx.result(value, () => {
    const c = ctx.out;
    const lines = [
      `${c.bold(t('auth.token'))}: ${value.token_masked ?? c.yellow(t('auth.noToken'))}  ${c.dim(value.token_source_text)}`,
      `${c.bold(t('auth.host'))}: ${host}  ${c.dim(`(${value.host_source})`)}`,
    ];
    if (value.dialect) lines.push(`${c.bold(t('auth.dialect'))}: ${value.dialect}`);
    if (valid === true) lines.push(c.green(`✓ ${t('auth.valid')}`));
    else if (valid === false) lines.push(c.red(`✗ ${problem ?? ''}`), t('auth.runLogin'));
    else if (problem) lines.push(c.yellow(problem));
    else if (!token) lines.push(t('auth.runLogin'));
    return lines.join('\n');
  });
}

export async function logout(ctx: CliContext): Promise<void> {
  const path = userConfigPath(ctx.env);
  const had = readUserConfig(ctx.env).token !== undefined;
  if (had) writeUserConfig({ token: null }, ctx.env);
  const r = resolveCredentials({ env: ctx.env, cwd: ctx.io.cwd });
  // a token still found elsewhere (AUTODL_TOKEN, .env) is not this command's to remove
  const still = r.tokenSource !== undefined && r.tokenSource !== 'user_config' ? tokenSourceText(r) : undefined;
  if (still) ctx.warn(t('auth.stillFrom', { source: still }), { code: 'token_elsewhere', token_source: r.tokenSource });
  ctx.result({ status: 'success', removed: had, path, ...(still ? { token_still_from: r.tokenSource } : {}) }, () =>
    had ? t('auth.loggedOut', { path }) : t('auth.nothingSaved', { path }),
  );
}

export const command: CliCommand = {
  names: ['auth'],
  examples: [['autodl auth status', 'ex.auth.status']],
  declare(program) {
    const auth = withExamples(program.command('auth').description(t('cmd.auth')), command.examples);
    auth.allowExcessArguments(true).action(groupHelp);
    auth.command('status').description(t('cmd.auth.status')).option('--no-check', t('cmd.auth.noCheck')).action(action(status));
  },
};

export const logoutCommand: CliCommand = {
  names: ['logout'],
  examples: [['autodl logout', 'ex.logout']],
  declare(program) {
    withExamples(program.command('logout').description(t('cmd.logout')), logoutCommand.examples).action(action(logout));
  },
};
