// `autodl mcp`: the Model Context Protocol face of the package. The same library the CLI
// uses (SDK, config pipeline, one-shot queue submit) behind MCP tools, served over stdio
// with the official TypeScript SDK.
//
// Contract (as the CLI's --json output):
//   - a success is the same JSON object/array the CLI prints with --json;
//   - a failure is `{status:'error', error_type, message, details}` with isError: true;
//   - a changing tool called without `confirm: true` sends nothing and returns the exact
//     request it would send (`dry_run: true`, token shown as ***);
//   - the token never appears in a result (results are scrubbed of it and of
//     `root_password`).
// Credentials resolve exactly as in the CLI: AUTODL_TOKEN / AUTODL_HOST / AUTODL_DIALECT,
// then ./.env, then the user config written by `autodl login`.

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { AutodlClient, type PreparedRequest } from '../api/client.js';
import { dialectForHost } from '../api/dialect.js';
import { chronologicalEvents } from '../api/events.js';
import type { BlacklistBody, Deployment, Dialect, ListContainersBody, StopContainerBody, CreateDeploymentBody } from '../api/types.js';
import { requireToken, resolveCredentials, tokenHostProblem, type Env } from '../credentials/credentials.js';
import { AutodlError, type ErrorResult } from '../errors.js';
import { deploymentJsonSchema } from '../pipeline/schema.js';
import { applyDeploymentChange, previewDeploymentChange, type DeploymentChange } from '../ops/change.js';
import { readConfig, type ReadConfig } from '../ops/config.js';
import { ddpOverview } from '../ops/ddp.js';
import { previewOf } from '../ops/preview.js';
import { resolveDeployment, type Resolution, type ResolveOptions } from '../ops/resolve.js';
import { addToQueue, cancelEntries, checkQueuedNames, entryIdOf, listQueue, markedPreview, planNow, previewAdd, showEntry, type QueueItem } from '../ops/queue.js';
import { normalizeHost } from '../api/transport.js';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { sanitize } from '../ops/sanitize.js';
import { checkStockQuery, queryStock } from '../ops/stock.js';
import { waitCondition, waitError, waitForDeployment, waitSuccess } from '../ops/wait.js';
import { ENGLISH, type OpsWords } from '../ops/words.js';
import { closeSubmitIntent, submitAndWait, type SubmitProgress } from '../queue/submit.js';
import { accountFingerprint } from '../queue/account.js';
import type { QueueStore } from '../queue/store.js';
import { toArray } from '../util/async.js';
import { INTERVAL_MAX_S, INTERVAL_MIN_S, intervalProblem, TIMEOUT_MAX_S, timeoutProblem } from '../util/bounds.js';
import { describeDeployment, estimateCost } from '../watch/inspect.js';
import { parseSince } from '../watch/time.js';
import pkg from '../../package.json' with { type: 'json' };

/** A config_error (a clean error result) when an optional numeric input is out of its bounds. */
function checkBound(field: string, value: unknown, problem: (v: unknown) => string | undefined): void {
  if (value === undefined) return;
  const why = problem(value);
  if (why) throw new AutodlError('config_error', `${field} ${why}`, { field, value: typeof value === 'number' ? value : String(value) });
}

export interface AutodlMcpOptions {
  env?: Env;
  cwd?: string;
  /** Overrides of the resolved host / dialect (the CLI's global --host / --dialect). */
  host?: string;
  dialect?: Dialect;
}

/** A placeholder token for requests that are only prepared (shown as *** anyway). */
const PREVIEW_TOKEN = 'preview-placeholder';

/** The operations' words as MCP has always put them (src/ops/words.ts). */
const MCP_WORDS: OpsWords = {
  ...ENGLISH,
  ambiguousName: (ref) => `more than one deployment is named "${ref}": use its uuid`,
  sweepRefused: () => 'this config describes a sweep: add it with queue_add (one entry per combination), or run `autodl sweep <file>`',
};

// ---------- argument schemas (the config argument reuses src/spec's schema) ----------

/**
 * The JSON Schema advertised for a config: generated from ConfigFileSchema (src/spec), the
 * same definition `autodl validate` and docs/deployment.schema.json come from. Parsing is
 * left to prepareSpec (the CLI's pipeline), so a bad config gets the contract's
 * validation_error with every problem listed, not the SDK's generic "invalid arguments".
 */
function configJsonSchema(): Record<string, unknown> {
  const { $schema: _drop, title: _title, ...rest } = deploymentJsonSchema();
  return rest;
}

const configArg = () =>
  z
    .union([z.string().min(1), z.record(z.string(), z.unknown())])
    .meta({
      anyOf: [
        {
          type: 'string',
          description:
            'Path of a YAML or JSON config file (relative to the server working directory), or the config text itself (JSON or YAML).',
        },
        configJsonSchema(),
      ],
    })
    .describe(
      'The deployment config: an object (the create-deployment body; `cuda: "11.8"` accepted), a file path, or JSON/YAML text. Memory in GB, price in milli-yuan per hour, CUDA as a code (118 = CUDA 11.8) or `cuda`.',
    );

const confirmArg = () =>
  z
    .boolean()
    .optional()
    .describe('Must be true to actually send the request. Without it nothing is sent and the exact request is returned for review.');

const deploymentArg = () =>
  z
    .string()
    .min(1)
    .describe('The deployment: its uuid, its name (the name in the config: submit and the queue send it as <name>-q<tag>; either is taken when it names one deployment), a unique uuid prefix, or a queue entry id (q-…).');

const dialectArg = () => z.enum(['private', 'public']).optional().describe('API dialect to prepare for (default: from the configured host).');

// ---------- helpers ----------

interface Target {
  host: string;
  dialect: Dialect;
  token?: string;
}

class Tools {
  private readonly secrets: string[] = [];

  constructor(private readonly options: AutodlMcpOptions) {
    const t = this.env.AUTODL_TOKEN;
    if (t) this.secrets.push(t);
  }

  get env(): Env {
    return this.options.env ?? process.env;
  }

  get cwd(): string {
    return this.options.cwd ?? process.cwd();
  }

  target(needToken: boolean): Target {
    const r = resolveCredentials({ env: this.env, cwd: this.cwd });
    let token = needToken ? requireToken(r) : r.token;
    if (token && !this.secrets.includes(token)) this.secrets.push(token);
    // the token goes only to the host it belongs to (a .env's AUTODL_HOST cannot redirect it)
    const problem = tokenHostProblem(r, this.options.host);
    if (problem) {
      if (needToken) throw problem;
      token = undefined;
    }
    const host = this.options.host ?? r.host;
    const dialect = this.options.dialect ?? r.dialect ?? dialectForHost(host);
    return { host, dialect, ...(token ? { token } : {}) };
  }

  client(needToken = true): AutodlClient {
    const t = this.target(needToken);
    return new AutodlClient({ token: t.token ?? PREVIEW_TOKEN, host: t.host, dialect: t.dialect });
  }

  /**
   * The user's queue store for a durable submit (AUTODL_QUEUE_DB, else the default queue file,
   * as `autodl submit`; one that keeps nothing is refused) and the account fingerprint of the
   * token for `host` (never the token).
   */
  async submitStore(host: string): Promise<{ store: QueueStore; account: string }> {
    const token = this.target(true).token!;
    return { store: (await this.queueStore())!, account: accountFingerprint(host, token) };
  }

  /**
   * The user's queue (AUTODL_QUEUE_DB, else the default queue file: the store `autodl queue …`
   * uses). `create` false: a SQLite file that does not exist yet is not made (undefined).
   */
  async queueStore(create = true): Promise<(QueueStore & { path: string }) | undefined> {
    const { defaultQueuePath } = await import('../queue/sqlite-store.js');
    const { isPostgresUrl, postgresPassword, redactPostgresUrl } = await import('../queue/pg-store.js');
    const { openQueueStore } = await import('../queue/open.js');
    const path = defaultQueuePath(this.env as NodeJS.ProcessEnv);
    const password = postgresPassword(path);
    if (password && !this.secrets.includes(password)) this.secrets.push(password);
    if (!create && !isPostgresUrl(path) && !existsSync(path)) return undefined;
    try {
      return await openQueueStore(path, { durable: true });
    } catch (e) {
      if (e instanceof AutodlError) throw e;
      const shown = redactPostgresUrl(path);
      throw new AutodlError('config_error', `cannot open the queue database ${shown}: ${e instanceof Error ? e.message : String(e)}`, { path: shown });
    }
  }

  /** Run `fn` on the user's queue; always closes it. */
  async withQueue<T>(fn: (store: QueueStore & { path: string }) => Promise<T>): Promise<T> {
    const store = (await this.queueStore())!;
    try {
      return await fn(store);
    } finally {
      await store.close().catch(() => {});
    }
  }

  /** The account fingerprint of the token at hand (none: undefined), as the CLI's queue commands. */
  account(): string | undefined {
    const t = this.target(false);
    return t.token ? accountFingerprint(normalizeHost(t.host), t.token) : undefined;
  }

  /** How a deployment reference is resolved here: as the CLI (src/ops/resolve.ts), queue entry ids from the user's queue. */
  resolveOptions(onResolved?: (r: Resolution) => void): ResolveOptions {
    return {
      entry: async (id) => {
        const store = await this.queueStore(false);
        if (!store) return undefined;
        try {
          const e = await store.get(id);
          return e ? { id: e.id, state: e.state, deployment_uuid: e.deployment_uuid, deployment_name: e.deployment_name } : undefined;
        } finally {
          await store.close().catch(() => {});
        }
      },
      ...(onResolved ? { onResolved } : {}),
    };
  }

  sanitize<T>(value: T): T {
    return sanitize(value, this.secrets);
  }

  ok(value: unknown): CallToolResult {
    return { content: [{ type: 'text', text: JSON.stringify(this.sanitize(value), null, 2) }] };
  }

  fail(e: unknown): CallToolResult {
    let result: ErrorResult;
    if (e instanceof AutodlError) result = e.toResult();
    else {
      const err = e instanceof Error ? e : new Error(String(e));
      result = { status: 'error', error_type: 'api_error', message: `unexpected error: ${err.message}`, details: { kind: 'internal', name: err.name } };
    }
    return { content: [{ type: 'text', text: JSON.stringify(this.sanitize(result), null, 2) }], isError: true };
  }

  /** Run a handler; any throw becomes the contract's error object. */
  async run(fn: () => Promise<unknown>): Promise<CallToolResult> {
    try {
      return this.ok(await fn());
    } catch (e) {
      return this.fail(e);
    }
  }

  /** The request that would be sent, as `autodl … --dry-run --json` prints it, and what to do with it. */
  preview<T extends object>(req: PreparedRequest | T): Record<string, unknown> {
    const p = 'dry_run' in req ? req : previewOf(req as PreparedRequest);
    const { dry_run: _d, ...rest } = p as Record<string, unknown>;
    return {
      dry_run: true,
      sent: false,
      message: 'Nothing was sent. Show this request to the user; call the tool again with confirm: true to send it.',
      ...rest,
    };
  }

  /** Config (object, path or text) → API-ready body, through the CLI's pipeline (src/ops/config.ts). */
  prepare(config: unknown, dialect: Dialect, opts: { strict?: boolean; allowSweep?: boolean; ignoreQueue?: boolean } = {}): Promise<ReadConfig> {
    return readConfig((config ?? {}) as string | object, {
      dialect,
      ...(opts.strict ? { strict: true } : {}),
      ...(opts.allowSweep ? { allowSweep: true } : {}),
      ...(opts.ignoreQueue ? { ignoreQueue: true } : {}),
      strings: 'path-or-text',
      cwd: this.cwd,
      words: MCP_WORDS,
    });
  }

  resolveDeployment(client: AutodlClient, ref: string): Promise<Deployment> {
    return resolveDeployment(client, ref, MCP_WORDS, this.resolveOptions());
  }
}

// ---------- the server ----------

export const TOOL_NAMES = [
  'list_stock',
  'list_images',
  'list_deployments',
  'list_containers',
  'list_events',
  'describe_deployment',
  'deployment_cost',
  'ddp_overview',
  'wait_deployment',
  'list_blacklist',
  'validate_config',
  'submit_deployment',
  'create_deployment',
  'scale_deployment',
  'stop_deployment',
  'stop_container',
  'delete_deployment',
  'blacklist_container',
  'queue_add',
  'queue_ls',
  'queue_show',
  'queue_cancel',
  'queue_plan',
] as const;

export function createAutodlMcpServer(options: AutodlMcpOptions = {}): McpServer {
  const server = new McpServer(
    { name: 'autodl-elastic', version: pkg.version },
    {
      instructions:
        'AutoDL elastic deployment (弹性部署) tools. Read tools need a token (AUTODL_TOKEN or `autodl login`). ' +
        'Changing tools send nothing unless confirm: true; show the returned request to the user first. ' +
        'Prefer submit_deployment (waits for free GPUs) over create_deployment. On an error result, branch on error_type ' +
        'and ask the user; never retry blindly after submission_error.',
    },
  );
  const tools = new Tools(options);
  const readOnly = { readOnlyHint: true, openWorldHint: true } as const;

  // ---------- read ----------
  server.registerTool(
    'list_stock',
    {
      title: 'GPU stock',
      description: 'GPU stock per GPU type: idle and total cards (counted per single card). Same as `autodl stock --json`.',
      inputSchema: {
        gpu: z.array(z.string().min(1)).optional().describe('Only these GPU types (exact names).'),
        region: z.string().min(1).optional().describe('Public dialect only: region sign, e.g. westDC2.'),
        dc_list: z.array(z.string().min(1)).optional().describe('Public dialect only: data-centre ids.'),
      },
      annotations: readOnly,
    },
    async (args) =>
      tools.run(async () => {
        const query = { region: args.region, dcList: args.dc_list, gpus: args.gpu };
        checkStockQuery(query, MCP_WORDS);
        return queryStock(tools.client(), query, MCP_WORDS);
      }),
  );

  server.registerTool(
    'list_images',
    {
      title: 'Images',
      description: 'Your private images (image_uuid is what a config needs), or with system: true the base images. Same as `autodl images --json`.',
      inputSchema: { system: z.boolean().optional().describe('List the system base images instead.') },
      annotations: readOnly,
    },
    async (args) =>
      tools.run(async () => {
        const client = tools.client();
        return args.system ? toArray(client.images.listAllSystem()) : toArray(client.images.listAll());
      }),
  );

  server.registerTool(
    'list_deployments',
    {
      title: 'Deployments',
      description:
        'List deployments (all pages). A count (running_num, finished_num, …) or the template may be absent from an item: treat it as unknown, not 0. A finished Job can still say status running: read finished_num. Same as `autodl deployments --json`.',
      inputSchema: {
        name: z.string().min(1).optional().describe('Filter by name.'),
        status: z.string().min(1).optional().describe('Filter by status (running, stopped, …).'),
      },
      annotations: readOnly,
    },
    async (args) =>
      tools.run(async () => {
        const filter: { name?: string; status?: string } = {};
        if (args.name) filter.name = args.name;
        if (args.status) filter.status = args.status;
        return toArray(tools.client().deployments.listAll(filter));
      }),
  );

  server.registerTool(
    'list_containers',
    {
      title: 'Containers',
      description:
        "A deployment's containers. memory_size is in BYTES here (configs use GB); price is milli-yuan per hour. root_password is never returned. Same as `autodl containers <deployment> --json`.",
      inputSchema: {
        deployment: deploymentArg(),
        status: z.array(z.string().min(1)).optional().describe('Only these statuses (creating, running, shutdown, …).'),
        gpu: z.string().min(1).optional().describe('Only this GPU type.'),
        released: z.boolean().optional().describe('Only released (true) or unreleased (false) containers.'),
      },
      annotations: readOnly,
    },
    async (args) =>
      tools.run(async () => {
        const client = tools.client();
        const d = await tools.resolveDeployment(client, args.deployment);
        const f: Omit<ListContainersBody, 'page_index' | 'page_size' | 'offset'> = { deployment_uuid: d.uuid };
        if (args.status?.length) f.status = args.status;
        if (args.gpu) f.gpu_name = args.gpu;
        if (typeof args.released === 'boolean') f.released = args.released;
        return toArray(client.containers.listAll(f));
      }),
  );

  server.registerTool(
    'list_events',
    {
      title: 'Container events',
      description: "A deployment's container events (status changes), oldest first and each once whatever order the platform lists them in (it lists newest first); last: N = the N newest. Same as `autodl events <deployment> --json`.",
      inputSchema: {
        deployment: deploymentArg(),
        container: z.string().min(1).optional().describe('Only this container uuid.'),
        last: z.number().int().min(1).max(100_000).optional().describe('Only the latest N events.'),
      },
      annotations: readOnly,
    },
    async (args) =>
      tools.run(async () => {
        const client = tools.client();
        const d = await tools.resolveDeployment(client, args.deployment);
        // oldest first whatever the server's order (it lists newest first), each event once
        const list = chronologicalEvents(await toArray(client.events.listAll({ deployment_uuid: d.uuid, ...(args.container ? { deployment_container_uuid: args.container } : {}) })));
        return args.last ? list.slice(-args.last) : list;
      }),
  );

  server.registerTool(
    'describe_deployment',
    {
      title: 'Describe a deployment',
      description:
        'One deployment with all its containers and its latest events: the first thing to read when asked how a deployment is doing. resources = its template with explicit units (memory in GB; the platform reports template memory in bytes). Same as `autodl describe <deployment> --json`.',
      inputSchema: {
        deployment: deploymentArg(),
        events: z.number().int().min(0).max(1000).optional().describe('How many of the latest events to include (default 10; 0 for none).'),
      },
      annotations: readOnly,
    },
    async (args) =>
      tools.run(async () => {
        const client = tools.client();
        const d = await tools.resolveDeployment(client, args.deployment);
        return describeDeployment(client, d, args.events ?? 10);
      }),
  );

  server.registerTool(
    'deployment_cost',
    {
      title: 'Cost so far',
      description:
        'Spend so far (yuan) and the current burn rate (yuan/hour), estimated from container prices and running times at the server clock (there is no billing endpoint: an estimate). Without deployment: every deployment. Same as `autodl cost [deployment] --json`.',
      inputSchema: {
        deployment: deploymentArg().optional(),
        since: z.string().min(1).optional().describe('Count only time after this: an ISO time or a duration back from now, e.g. "2h", "30m".'),
      },
      annotations: readOnly,
    },
    async (args) =>
      tools.run(async () => {
        if (args.since !== undefined && parseSince(args.since, Date.now()) === undefined) {
          throw new AutodlError('config_error', `since: not an ISO time or a duration such as 2h: ${args.since}`, { field: 'since', value: args.since });
        }
        const client = tools.client();
        const deployments = args.deployment ? [await tools.resolveDeployment(client, args.deployment)] : await toArray(client.deployments.listAll());
        return estimateCost(client, deployments, args.since !== undefined ? { since: args.since } : {});
      }),
  );

  server.registerTool(
    'ddp_overview',
    {
      title: 'Duration packages',
      description:
        "A deployment's duration packages: per GPU type the package's total and balance in SECONDS and the data centres it covers (an empty list: none). Same as `autodl ddp <deployment> --json`.",
      inputSchema: { deployment: deploymentArg() },
      annotations: readOnly,
    },
    async (args) => tools.run(async () => ddpOverview(tools.client(), args.deployment, MCP_WORDS, tools.resolveOptions())),
  );

  server.registerTool(
    'wait_deployment',
    {
      title: 'Wait for a deployment',
      description:
        'Wait until a deployment is running, finished, has N running replicas (replicas=N) or is deleted, polling it. ' +
        'Errors: timeout (details.last_state: call again to keep waiting), unreachable (it can no longer happen: details.reason), interrupted. ' +
        'Same as `autodl wait <deployment> --for <condition> --json`.',
      inputSchema: {
        deployment: deploymentArg(),
        for: z.string().min(1).describe('running | finished | replicas=N | deleted'),
        timeout_seconds: z
          .number()
          .min(0)
          .max(TIMEOUT_MAX_S)
          .optional()
          .describe('Give up after this many seconds (0 = no limit). Default 50: MCP clients often time out a call after about 60 s.'),
        interval_seconds: z
          .number()
          .min(INTERVAL_MIN_S)
          .max(INTERVAL_MAX_S)
          .optional()
          .describe(`Seconds between checks (default 5; ${INTERVAL_MIN_S} … ${INTERVAL_MAX_S}).`),
      },
      annotations: readOnly,
    },
    async (args, extra) =>
      tools.run(async () => {
        const condition = waitCondition(args.for, 'for', MCP_WORDS);
        checkBound('interval_seconds', args.interval_seconds, intervalProblem);
        checkBound('timeout_seconds', args.timeout_seconds, timeoutProblem);
        const progressToken = extra._meta?.progressToken;
        let step = 0;
        const outcome = await waitForDeployment(tools.client(), args.deployment, {
          condition,
          intervalMs: Math.round((args.interval_seconds ?? 5) * 1000),
          timeoutMs: Math.round((args.timeout_seconds ?? 50) * 1000),
          signal: extra.signal,
          words: MCP_WORDS,
          resolve: tools.resolveOptions(),
          onProgress: (ev, seconds) => {
            if (progressToken === undefined) return;
            step++;
            void extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: step, message: `${ev.reason} (${seconds}s)` } }).catch(() => {});
          },
        });
        if (outcome.state === 'met') return waitSuccess(outcome);
        throw waitError(outcome, undefined, MCP_WORDS);
      }),
  );

  server.registerTool(
    'list_blacklist',
    {
      title: 'Host blacklist',
      description: 'The hosts (machines) your containers are kept off, with their expiry. Same as `autodl blacklist ls --json`.',
      inputSchema: {},
      annotations: readOnly,
    },
    async () => tools.run(async () => tools.client().blacklist.list()),
  );

  // ---------- offline ----------
  server.registerTool(
    'validate_config',
    {
      title: 'Validate a config',
      description:
        'Check a deployment config offline (no token, no request) and return the body it would send, with warnings (&&/|| trap, background-only cmd, conda activate, memory in bytes …). Same as `autodl validate <config> --json`.',
      inputSchema: {
        config: configArg(),
        dialect: dialectArg(),
        strict: z.boolean().optional().describe('Treat warnings as errors.'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      tools.run(async () => {
        const dialect = args.dialect ?? tools.target(false).dialect;
        const p = await tools.prepare(args.config, dialect, { strict: args.strict === true, allowSweep: true });
        // as `autodl validate`: every name must fit once marked (submit and the queue send <name>-q<tag>)
        const { expandSweep } = await import('../pipeline/index.js');
        checkQueuedNames(p.sweep ? expandSweep(p.body, p.sweep).map((i) => i.body.name) : [p.body.name], MCP_WORDS);
        return { status: 'ok', valid: true, dialect, warnings: p.warnings, body: p.body, ...(p.sweep ? { sweep: p.sweep } : {}), ...(p.queue ? { queue: p.queue } : {}) };
      }),
  );

  // ---------- change ----------
  server.registerTool(
    'submit_deployment',
    {
      title: 'Submit (wait for GPUs, then create)',
      description:
        'The recommended way to create: validates the config, checks the image and the GPU types, waits until a requested GPU type has enough idle cards, then creates (up to 3 attempts). ' +
        'Without confirm: true nothing is sent and the create request is returned. Errors: validation_error, image_not_found (details.available_images), gpu_type_not_found (details.available_gpus), ' +
        'submission_error (ask the user; do not retry blindly), timeout (details.last_stock). Same as `autodl submit <config> --json`.',
      inputSchema: {
        config: configArg(),
        timeout_seconds: z
          .number()
          .min(0)
          .max(TIMEOUT_MAX_S)
          .optional()
          .describe('Give up waiting for GPUs after this many seconds (0 = no limit). Default 50: MCP clients often time out a call after about 60 s.'),
        interval_seconds: z
          .number()
          .min(INTERVAL_MIN_S)
          .max(INTERVAL_MAX_S)
          .optional()
          .describe(`Seconds between stock checks (default 10; ${INTERVAL_MIN_S} … ${INTERVAL_MAX_S}).`),
        confirm: confirmArg(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, extra) =>
      tools.run(async () => {
        const client = tools.client(args.confirm === true);
        const { body, warnings } = await tools.prepare(args.config, client.dialect, { ignoreQueue: true });
        // the name is sent marked (`<name>-q<tag>`, src/ops/queue.ts): too long then is refused, and
        // the preview shows it as sent (the tag, unknown before the entry exists, as ########)
        checkQueuedNames([body.name], MCP_WORDS);
        if (args.confirm !== true) {
          const mark = markedPreview(body.name);
          return { ...tools.preview(client.prepare('createDeployment', { ...body, name: mark.name })), mark, warnings };
        }
        // the schema bounds them already; checked again for a client that skips the schema
        checkBound('interval_seconds', args.interval_seconds, intervalProblem);
        checkBound('timeout_seconds', args.timeout_seconds, timeoutProblem);
        const progressToken = extra._meta?.progressToken;
        let step = 0;
        const onProgress = (p: SubmitProgress) => {
          if (progressToken === undefined) return;
          step++;
          const message = p.type === 'waiting' ? `waiting for GPUs (${p.elapsed_s}s, idle ${JSON.stringify(p.idle)})` : p.type;
          void extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: step, message } }).catch(() => {});
        };
        // Durable like `autodl submit` (issue 11): the entry lives in the user's queue store under
        // an intent key, so the same call again — after the client gave up on a slow call, or
        // after the server was restarted — finds the earlier create instead of making a second.
        const { store, account } = await tools.submitStore(client.host);
        try {
          const res = await submitAndWait({
            api: client,
            body: body as CreateDeploymentBody,
            store,
            intent: { host: client.host, account },
            intervalMs: Math.round((args.interval_seconds ?? 10) * 1000),
            timeoutSec: args.timeout_seconds ?? 50,
            signal: extra.signal,
            onProgress,
          });
          // the result reaches the client only if it still waits for it: else the intent stays,
          // and the client's next identical call is answered with this deployment
          if (!extra.signal.aborted) await closeSubmitIntent(store, res.entry_id, Date.now()).catch(() => {});
          return res;
        } finally {
          await store.close().catch(() => {});
        }
      }),
  );

  server.registerTool(
    'create_deployment',
    {
      title: 'Create now (no waiting)',
      description:
        'Create a deployment at once, without checking stock (the platform does not queue: with no free GPU it fails or stays unscheduled). Prefer submit_deployment unless the user asks for a raw create. ' +
        'Without confirm: true nothing is sent and the request is returned. Same as `autodl create <config> --json`.',
      inputSchema: { config: configArg(), confirm: confirmArg() },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args) =>
      tools.run(async () => {
        const client = tools.client(args.confirm === true);
        const { body, warnings } = await tools.prepare(args.config, client.dialect, { ignoreQueue: true });
        if (args.confirm !== true) return { ...tools.preview(client.prepare('createDeployment', body)), warnings };
        const res = await client.deployments.create(body as CreateDeploymentBody);
        return { status: 'success', deployment_uuid: res.deployment_uuid };
      }),
  );

  /**
   * scale / stop / delete (src/ops/change.ts): the name resolved with reads whenever a token is
   * at hand, then previewed or sent; a preview without a token says the name was not resolved.
   */
  const change = (
    name: string,
    title: string,
    description: string,
    destructive: boolean,
    extraShape: Record<string, z.ZodType>,
    kind: (args: Record<string, unknown>) => DeploymentChange,
  ) =>
    server.registerTool(
      name,
      {
        title,
        description,
        inputSchema: { deployment: deploymentArg(), ...extraShape, confirm: confirmArg() },
        annotations: { readOnlyHint: false, destructiveHint: destructive, idempotentHint: true, openWorldHint: true },
      },
      async (args: Record<string, unknown>) =>
        tools.run(async () => {
          const ref = String(args.deployment);
          if (args.confirm !== true) {
            const tokenAtHand = tools.target(false).token !== undefined;
            return tools.preview(await previewDeploymentChange(tools.client(false), ref, kind(args), tokenAtHand, MCP_WORDS, tools.resolveOptions()));
          }
          return applyDeploymentChange(tools.client(), ref, kind(args), MCP_WORDS, tools.resolveOptions());
        }),
    );

  change(
    'scale_deployment',
    'Set replica count',
    "Set a ReplicaSet's replica_num. Without confirm: true nothing is sent and the request is returned. Same as `autodl scale <deployment> <n> --json`.",
    false,
    { replica_num: z.number().int().min(0).describe('New replica count.') },
    (a) => ({ kind: 'scale', replicaNum: Number(a.replica_num) }),
  );

  change(
    'stop_deployment',
    'Stop a deployment',
    'Stop a deployment and all its containers. Without confirm: true nothing is sent and the request is returned. Same as `autodl stop <deployment> --json`.',
    true,
    {},
    () => ({ kind: 'stop' }),
  );

  change(
    'delete_deployment',
    'Delete a deployment',
    'Delete a deployment (a running one is stopped first). Without confirm: true nothing is sent and the request is returned. Same as `autodl delete <deployment> --json`.',
    true,
    {},
    () => ({ kind: 'delete' }),
  );

  server.registerTool(
    'stop_container',
    {
      title: 'Stop one container',
      description: 'Stop one container. Without confirm: true nothing is sent and the request is returned. Same as `autodl stop-container <container> --json`.',
      inputSchema: {
        container: z.string().min(1).describe('Container uuid (deployment_container_uuid).'),
        decrease_replica: z.boolean().optional().describe('Also decrease the replica count by one (ReplicaSet).'),
        no_cache: z.boolean().optional().describe('Do not keep the stopped container for reuse.'),
        cmd_before_shutdown: z.string().min(1).optional().describe("Run this in the container before it shuts down (e.g. save a checkpoint); overrides the template's."),
        confirm: confirmArg(),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    async (args) =>
      tools.run(async () => {
        const body: StopContainerBody = { deployment_container_uuid: args.container };
        if (args.decrease_replica) body.decrease_one_replica_num = true;
        if (args.no_cache) body.no_cache = true;
        if (args.cmd_before_shutdown) body.cmd_before_shutdown = args.cmd_before_shutdown;
        const client = tools.client(args.confirm === true);
        if (args.confirm !== true) return tools.preview(client.prepare('stopContainer', body));
        await client.containers.stop(body);
        return { status: 'success', ...body };
      }),
  );

  server.registerTool(
    'blacklist_container',
    {
      title: 'Blacklist a container\'s host',
      description:
        "Keep new containers off the host a container runs on (e.g. a host with a broken GPU). Without confirm: true nothing is sent and the request is returned. Same as `autodl blacklist add <container> --json`.",
      inputSchema: {
        container: z.string().min(1).describe('Container uuid (deployment_container_uuid) whose host to blacklist.'),
        comment: z.string().min(1).optional().describe('Why (shown in the blacklist).'),
        expire_minutes: z.number().int().min(1).max(43200).optional().describe('Lift it after this many minutes (at most 30 days).'),
        confirm: confirmArg(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    async (args) =>
      tools.run(async () => {
        const body: BlacklistBody = { deployment_container_uuid: args.container };
        if (args.comment !== undefined) body.comment = args.comment;
        if (args.expire_minutes !== undefined) body.expire_in_minutes = args.expire_minutes;
        const client = tools.client(args.confirm === true);
        if (args.confirm !== true) return tools.preview(client.prepare('addBlacklist', body));
        await client.blacklist.add(body);
        return { status: 'success', ...body };
      }),
  );

  // ---------- the queue (issue 15 §5): the same operations as `autodl queue …` (src/ops/queue.ts) ----------
  const queueNote = 'The queue is the user\'s (AUTODL_QUEUE_DB or the default queue file, as `autodl queue`); a worker (`autodl queue run`) creates its entries. ';
  server.registerTool(
    'queue_add',
    {
      title: 'Add to the queue',
      description:
        queueNote +
        'Add one entry per config — a config with a `sweep:` block adds one per combination ({{param}} placeholders substituted). Each is created as <name>-q<tag> (the tag is the entry id after "q-"): a name over 54 characters is refused (config_error; the platform allows 64). ' +
        'Without confirm: true nothing is added and the bodies as they will be sent are returned. Same as `autodl queue add <config> --json`.',
      inputSchema: {
        config: configArg(),
        priority: z.number().int().min(-1_000_000).max(1_000_000).optional().describe('Higher first (default 0).'),
        label: z.string().min(1).max(200).optional().describe('A label for the entries (e.g. the sweep\'s name).'),
        confirm: z.boolean().optional().describe('Must be true to actually add the entries. Without it nothing is added and the bodies are returned for review.'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    async (args) =>
      tools.run(async () => {
        const dialect = tools.target(false).dialect;
        const p = await tools.prepare(args.config, dialect, { allowSweep: true });
        const { expandSweep } = await import('../pipeline/index.js');
        const items: QueueItem[] = expandSweep(p.body, p.sweep ?? {}).map((i) => ({ body: i.body, params: i.params, label: args.label ?? null }));
        const priority = args.priority ?? 0;
        if (args.confirm !== true) {
          return { dry_run: true, sent: false, message: 'Nothing was added. Show these to the user; call again with confirm: true to add them.', count: items.length, entries: previewAdd(items, priority, MCP_WORDS), warnings: p.warnings };
        }
        const envOwner = tools.env.AUTODL_OWNER;
        let owner: string | null = envOwner !== undefined && envOwner !== '' ? envOwner : null;
        if (owner === null) {
          try {
            owner = userInfo().username;
          } catch {
            owner = null;
          }
        }
        if (owner !== null && !/^[A-Za-z0-9._@-]{1,64}$/.test(owner)) owner = null;
        return tools.withQueue(async (store) => {
          const entries = await addToQueue(store, items, { priority, account: tools.account() ?? null, owner, words: MCP_WORDS });
          return { status: 'success', db: store.path, count: entries.length, entries, warnings: p.warnings };
        });
      }),
  );

  server.registerTool(
    'queue_ls',
    {
      title: 'Queue entries',
      description: queueNote + 'The entries with their state (pending, submitting, submitted, running, finished, failed, cancelled …), deployment uuid and marked name; by default those `autodl queue ls` shows. Same as `autodl queue ls --json`.',
      inputSchema: {
        states: z.array(z.string().min(1)).optional().describe('Only these states.'),
        all: z.boolean().optional().describe('Every state (finished and cancelled too).'),
        label: z.string().min(1).optional().describe('Only entries with this label.'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      tools.run(async () => {
        const store = await tools.queueStore(false);
        if (!store) return { count: 0, counts: {}, entries: [] };
        try {
          return { db: store.path, ...(await listQueue(store, { ...(args.states ? { states: args.states } : {}), all: args.all === true, ...(args.label ? { label: args.label } : {}) })) };
        } finally {
          await store.close().catch(() => {});
        }
      }),
  );

  server.registerTool(
    'queue_show',
    {
      title: 'One queue entry',
      description: queueNote + 'One entry with its stored body and its history (every state it went through, with notes). Errors: not_found. Same as `autodl queue show <id> --json`.',
      inputSchema: { id: z.string().min(1).describe('The entry id (q-…).') },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) =>
      tools.run(async () => {
        const store = await tools.queueStore(false);
        if (!store) throw new AutodlError('not_found', `no queue entry ${entryIdOf(args.id)}`, { id: entryIdOf(args.id) });
        try {
          const { entry, history } = await showEntry(store, args.id);
          return { entry, history };
        } finally {
          await store.close().catch(() => {});
        }
      }),
  );

  server.registerTool(
    'queue_cancel',
    {
      title: 'Cancel queue entries',
      description:
        queueNote +
        'Cancel pending entries (a worker will not create them). An entry past pending (being submitted, or with a deployment) is not cancelled: validation_error — stop or delete its deployment instead. Every id is checked first: an unknown one cancels nothing (not_found). ' +
        'Without confirm: true nothing is changed and the entries are returned. Same as `autodl queue cancel <id…> --json`.',
      inputSchema: {
        ids: z.array(z.string().min(1)).min(1).max(1000).describe('Entry ids (q-…).'),
        confirm: z.boolean().optional().describe('Must be true to actually cancel. Without it nothing changes and the entries are returned for review.'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (args) =>
      tools.run(async () =>
        tools.withQueue(async (store) => {
          if (args.confirm !== true) {
            const entries = [];
            for (const id of args.ids) entries.push((await showEntry(store, id)).raw);
            return {
              dry_run: true,
              sent: false,
              message: 'Nothing was cancelled. Show these to the user; call again with confirm: true to cancel them.',
              entries: entries.map((e) => ({ id: e.id, name: e.body.name, state: e.state, deployment_uuid: e.deployment_uuid })),
            };
          }
          const done = await cancelEntries(store, args.ids);
          return { status: 'success', entries: done.map((e) => ({ id: e.id, state: e.state })) };
        }),
      ),
  );

  server.registerTool(
    'queue_plan',
    {
      title: 'What the queue would do now',
      description:
        queueNote +
        'What a worker would create now and why each other pending entry waits (reason: no_stock, limit_gpus, reserved, after, budget …, with an explanation). One stock call; nothing is claimed, written or created. Same as `autodl queue run --dry-run --json`.',
      inputSchema: {
        max_running: z.number().int().min(0).optional().describe('As `queue run --max-running`.'),
        max_gpus: z.number().int().min(0).optional().describe('As `queue run --max-gpus`.'),
        max_price: z.number().min(0).optional().describe('As `queue run --max-price` (yuan per hour).'),
      },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    async (args) =>
      tools.run(async () => {
        const client = tools.client();
        const account = tools.account();
        return tools.withQueue(async (store) => ({
          ...(await planNow({
            store,
            api: client,
            limits: {
              ...(args.max_running !== undefined ? { maxRunning: args.max_running } : {}),
              ...(args.max_gpus !== undefined ? { maxGpus: args.max_gpus } : {}),
              ...(args.max_price !== undefined ? { maxPrice: args.max_price } : {}),
            },
            ...(account !== undefined ? { account } : {}),
          })),
          db: store.path,
        }));
      }),
  );

  return server;
}

/** Serve over stdin/stdout until stdin closes. Nothing else may write to stdout meanwhile. */
export async function serveStdio(options: AutodlMcpOptions = {}): Promise<void> {
  const server = createAutodlMcpServer(options);
  const transport = new StdioServerTransport();
  await server.connect(transport);
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.stdin.once('end', done);
    process.stdin.once('close', done);
    server.server.onclose = done;
  });
  await server.close().catch(() => {});
}
