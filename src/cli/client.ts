// Client construction for commands: credentials, host, dialect → AutodlClient.
import type { Deployment, Dialect } from '../api/types.js';
import { AutodlClient, type PreparedRequest } from '../api/client.js';
import { resolveCredentials, requireToken, tokenHostProblem } from '../credentials/credentials.js';
import { t } from '../i18n/index.js';
import { previewOf, type PreviewTarget, type RequestPreview } from '../ops/preview.js';
import { existsSync } from 'node:fs';
import { resolveDeployment as resolveOps, type ResolveOptions } from '../ops/resolve.js';
import type { MarkedName } from '../ops/queue.js';
import type { CliContext } from './runtime.js';
import { cliWords } from './words.js';

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

/** The client, and whether it holds a real token (without one — a dry run — nothing may be read). */
export async function makeClientWithToken(ctx: CliContext, options: MakeClientOptions = {}): Promise<{ client: AutodlClient; tokenAtHand: boolean }> {
  const target = await resolveTarget(ctx, options.requireToken !== false);
  const client = new AutodlClient({
    token: target.token ?? DRY_RUN_TOKEN,
    host: target.host,
    ...(target.dialect ? { dialect: target.dialect } : {}),
    ...(ctx.verbose ? { debug: (line: string) => ctx.debug(line) } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  return { client, tokenAtHand: target.token !== undefined };
}

export async function makeClient(ctx: CliContext, options: MakeClientOptions = {}): Promise<AutodlClient> {
  return (await makeClientWithToken(ctx, options)).client;
}

/**
 * What --dry-run prints: the request that would be sent (token redacted: src/ops/preview.ts),
 * and for a change to a named deployment, which deployment (or, without a token, that the
 * name was not resolved: a warning too).
 */
export function printDryRun(ctx: CliContext, req: PreparedRequest | (RequestPreview & { deployment?: PreviewTarget; mark?: MarkedName })): void {
  const value: RequestPreview & { deployment?: PreviewTarget; mark?: MarkedName } = 'dry_run' in req ? req : previewOf(req);
  const target = value.deployment;
  if (target !== undefined && 'resolved' in target) ctx.warn(target.reason, { code: 'not_resolved', deployment: target.ref });
  ctx.result(value, () => {
    const c = ctx.out;
    const lines = [`${c.bold(value.method)} ${value.url}`];
    for (const [k, v] of Object.entries(value.headers)) lines.push(c.dim(`${k}: ${v}`));
    if (value.body !== undefined) lines.push(JSON.stringify(ctx.sanitize(value.body), null, 2));
    if (target !== undefined && !('resolved' in target)) lines.push(c.dim(t('dryRun.target', target)));
    if (value.mark) lines.push(c.dim(t('dryRun.mark', { name: value.mark.name, length: value.mark.length, limit: value.mark.limit, rule: value.mark.rule })));
    lines.push(c.yellow(t('result.dryRun')));
    return lines.join('\n');
  });
}

/**
 * How the CLI resolves a deployment reference (src/ops/resolve.ts): queue entry ids are read
 * from the user's queue (`db`, else AUTODL_QUEUE_DB or the default file; a file that does not
 * exist holds no entry and is not created), and the deployment taken is said on stderr — a
 * line, or with --json an NDJSON `{"type":"resolved",…}` — unless the reference was its uuid.
 */
export function cliResolve(ctx: CliContext, db?: string): ResolveOptions {
  return {
    entry: async (id) => {
      const { queuePath, openStore } = await import('./commands/queue-common.js');
      const path = await queuePath(ctx, db !== undefined ? { db } : {});
      const { isPostgresUrl } = await import('../queue/pg-store.js');
      if (!isPostgresUrl(path) && !existsSync(path)) return undefined;
      const { store } = await openStore(ctx, db !== undefined ? { db } : {});
      try {
        const e = await store.get(id);
        return e ? { id: e.id, state: e.state, deployment_uuid: e.deployment_uuid, deployment_name: e.deployment_name } : undefined;
      } finally {
        await store.close().catch(() => {});
      }
    },
    onResolved: (r) => {
      if (r.by === 'uuid') return;
      if (ctx.json) ctx.io.stderr.write(`${ctx.jsonText({ type: 'resolved', ...r })}\n`);
      else ctx.log(ctx.err.dim(t('resolve.took', { ref: r.ref, uuid: r.uuid, name: r.name, by: t(`resolve.by.${r.by}`) })));
    },
  };
}

/** A deployment by what the user has at hand: uuid, queue entry id, name, the name before its mark, uuid prefix (src/ops/resolve.ts). */
export async function resolveDeployment(ctx: CliContext, client: AutodlClient, ref: string, db?: string): Promise<Deployment> {
  return resolveOps(client, ref, cliWords, cliResolve(ctx, db));
}

// the commands take it from here with the client helpers
export { toArray } from '../util/async.js';
