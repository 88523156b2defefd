// Client construction for commands: credentials, host, dialect → AutodlClient.
import { AutodlError } from '../errors.js';
import type { Deployment, Dialect } from '../api/types.js';
import { AutodlClient, type PreparedRequest } from '../api/client.js';
import { resolveCredentials, requireToken, tokenHostProblem } from '../credentials/credentials.js';
import { t } from '../i18n/index.js';
import type { CliContext } from './runtime.js';

export interface MakeClientOptions {
  /** false for --dry-run: no token needed (it is shown as *** anyway). */
  requireToken?: boolean;
  /** Per-request timeout (default the SDK's 30 s). */
  timeoutMs?: number;
}

export interface Target {
  host: string;
  dialect?: Dialect;
  token?: string;
}

/**
 * Host: --host > AUTODL_HOST > .env > user config > default. Dialect: --dialect > env/.env/config > from the host.
 * The token goes only to the host it belongs to (tokenHostProblem): otherwise a config_error
 * before any request — or, when no token is needed (--dry-run), no token at all.
 */
export async function resolveTarget(ctx: CliContext, needToken: boolean): Promise<Target> {
  const resolved = resolveCredentials({ env: ctx.env, cwd: ctx.io.cwd });
  let token = needToken ? requireToken(resolved) : resolved.token;
  ctx.addSecret(token);
  const problem = tokenHostProblem(resolved, ctx.global.host);
  if (problem) {
    if (needToken) throw problem;
    token = undefined;
  }
  const host = ctx.global.host ?? resolved.host;
  const dialect = ctx.global.dialect ?? resolved.dialect;
  const out: Target = { host };
  if (dialect) out.dialect = dialect;
  if (token) out.token = token;
  return out;
}

/** A placeholder token for --dry-run without credentials: prepare() shows it as *** anyway. */
const DRY_RUN_TOKEN = 'dry-run-placeholder';

export async function makeClient(ctx: CliContext, options: MakeClientOptions = {}): Promise<AutodlClient> {
  const target = await resolveTarget(ctx, options.requireToken !== false);
  return new AutodlClient({
    token: target.token ?? DRY_RUN_TOKEN,
    host: target.host,
    ...(target.dialect ? { dialect: target.dialect } : {}),
    ...(ctx.verbose ? { debug: (line: string) => ctx.debug(line) } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/** What --dry-run prints: the request that would be sent (token redacted). */
export function printDryRun(ctx: CliContext, req: PreparedRequest): void {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = k.toLowerCase() === 'authorization' ? '***' : v;
  const value = { dry_run: true, method: req.method, url: req.url, headers, ...(req.body !== undefined ? { body: req.body } : {}) };
  ctx.result(value, () => {
    const c = ctx.out;
    const lines = [`${c.bold(req.method)} ${req.url}`];
    for (const [k, v] of Object.entries(headers)) lines.push(c.dim(`${k}: ${v}`));
    if (req.body !== undefined) lines.push(JSON.stringify(ctx.sanitize(req.body), null, 2));
    lines.push(c.yellow(t('result.dryRun')));
    return lines.join('\n');
  });
}

/** A deployment by uuid, else by exact name (one match); not_found otherwise. */
export async function resolveDeployment(ctx: CliContext, client: AutodlClient, ref: string): Promise<Deployment> {
  const byUuid = await client.deployments.get(ref);
  if (byUuid) return byUuid;
  const matches: Deployment[] = [];
  for await (const d of client.deployments.listAll({ name: ref })) {
    if (d.name === ref) matches.push(d);
  }
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new AutodlError('not_found', t('error.ambiguousName', { ref }), {
      deployment: ref,
      candidates: matches.map((d) => d.uuid),
    });
  }
  throw new AutodlError('not_found', t('error.deploymentNotFound', { ref }), { deployment: ref });
}

// the commands take it from here with the client helpers
export { toArray } from '../util/async.js';
