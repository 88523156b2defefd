// A client from explicit options or from where the CLI looks for credentials: the token, host
// and dialect are resolved here (AUTODL_TOKEN / AUTODL_HOST / AUTODL_DIALECT, then .env, then
// the user config), the token is checked against the host it belongs to (tokenHostProblem),
// and AutodlClient is constructed with explicit values. src/api never imports this folder.

import { AutodlClient, type ClientOptions } from '../api/client.js';
import { resolveCredentials, tokenHostProblem, tokenMissingError, type ResolveOptions } from './credentials.js';

export interface CreateClientOptions extends Omit<ClientOptions, 'tokenSource' | 'missingToken'> {
  /** Where to look when `token` is omitted (default: process.env, process.cwd()). */
  credentials?: ResolveOptions | undefined;
}

/**
 * An AutodlClient. With `token`, exactly the options given. Without, the token, host and
 * dialect are resolved (explicit `host`/`dialect` win); a token found in the environment,
 * .env or user config goes only to the host it belongs to — otherwise it is withheld and
 * every request fails with that config_error (nothing sent). No token anywhere → every
 * request fails with token_missing listing where it looked (nothing sent).
 */
export function createClient(options: CreateClientOptions = {}): AutodlClient {
  const { credentials, ...rest } = options;
  if (rest.token !== undefined) return new AutodlClient(rest);
  const r = resolveCredentials(credentials);
  const refused = tokenHostProblem(r, rest.host);
  const out: ClientOptions = {
    ...rest,
    host: rest.host ?? r.host,
    dialect: rest.dialect ?? r.dialect,
    missingToken: () => refused ?? tokenMissingError(r.searched),
  };
  if (!refused && r.token !== undefined) {
    out.token = r.token;
    out.tokenSource = r.tokenSource;
  }
  return new AutodlClient(out);
}

/** createClient() with the credentials of this process's environment and working directory (or of `where`). */
export function clientFromEnvironment(where: ResolveOptions = {}, options: Omit<CreateClientOptions, 'credentials' | 'token'> = {}): AutodlClient {
  return createClient({ ...options, credentials: where });
}
