// THE schema of a deployment config file. Validation and the JSON Schema for editors are
// both generated from these definitions; nothing here is written twice.
//
// The file schema is the create body of AutoDL's API plus three conveniences:
//   `$schema` (stripped), `container_template.cuda` (a CUDA version, converted to the
//   dialect's code form) and `sweep` (parameters for `{{name}}` placeholders).
// The body schema is the same definitions without the conveniences. Dialect rules
// (cuda_v vs cuda_v_from/cuda_v_to + dc_list) and cross-field rules (ranges, Job counts)
// are checked in issues.ts, because they depend on the target dialect. A config that is plainly
// valid is recognised without zod (quick.ts, which mirrors these definitions and is tested
// against them); zod decides and explains everything else.

import { z } from 'zod';
import { english, said, type Said } from '../i18n/index.js';
import { KNOWN_CUDA_CODES } from './cuda.js';
import { CUDA_ANY, NAME_FORBIDDEN, NAME_MAX_LENGTH } from './rules.js';

export { CUDA_ANY, NAME_FORBIDDEN, NAME_MAX_LENGTH };

const cudaCodeList = KNOWN_CUDA_CODES.join(', ');

const count = () =>
  z
    .number({ error: english('spec.mustBeNumber') })
    .int({ error: english('spec.mustBeInteger') })
    .min(1, { error: english('spec.atLeastOne') });

const floor = (what: string, unit: Said) =>
  z
    .number({ error: english('spec.mustBeNumber') })
    .int({ error: english('spec.mustBeIntegerUnit', { unit }) })
    .min(0, { error: english('spec.notNegative') })
    .describe(what);

const cudaCode = (what: string) =>
  z
    .literal([CUDA_ANY, ...KNOWN_CUDA_CODES] as [number, ...number[]], {
      error: (iss) =>
        typeof iss.input === 'number'
          ? english('spec.cudaUnknownCode', { code: String(iss.input), codes: cudaCodeList })
          : english('spec.cudaNotCode', { codes: cudaCodeList }),
    })
    .describe(what)
    .meta({ examples: [118, 0] });

const nonEmptyString = (what: string) => z.string({ error: english('spec.mustBeString') }).min(1, { error: english('spec.notEmpty') }).describe(what);

const portProtocol = (port: number) =>
  z
    .enum(['http', 'tcp'], { error: english('spec.httpOrTcp') })
    .describe(`Protocol of the service on port ${port}: "http" or "tcp".`);

export const TemplateFields = {
  gpu_name_set: z
    .array(nonEmptyString('A GPU model name, exactly as the cloud spells it (e.g. "RTX 4090").'), { error: english('spec.gpuList') })
    .min(1, { error: english('spec.gpuListEmpty') })
    .describe('GPU models the container may run on (any one of them), e.g. ["RTX 4090", "RTX 3090"]. Names are exact strings of the target cloud.')
    .meta({ examples: [['RTX 4090']] }),
  gpu_num: count().describe('GPUs per container (whole scheduling units, ≥ 1).').meta({ examples: [1] }),
  cuda_v: cudaCode(
    `Private dialect: the minimum driver CUDA the container needs, as a code (118 = CUDA 11.8), or 0 for no CUDA constraint (any host; what the console sends with a system image). Known codes: ${cudaCodeList}.`,
  ).optional(),
  cuda_v_from: cudaCode(`Public dialect: lowest acceptable CUDA code (118 = CUDA 11.8); 0 = no lower bound. Known codes: ${cudaCodeList}.`).optional(),
  cuda_v_to: cudaCode(`Public dialect: highest acceptable CUDA code. Known codes: ${cudaCodeList}; 0 (with cuda_v_from 0) passes the platform's \"no filter\" 0 through.`).optional(),
  dc_list: z
    .array(nonEmptyString('A data-centre id, e.g. "westDC2".'), { error: english('spec.dcListType') })
    .describe('Public dialect (required there): data-centre ids to run in, e.g. ["westDC2", "beijingDC1"]. Dropped for the private dialect.')
    .optional(),
  cpu_num_from: floor('Minimum CPU cores per container (a scheduling floor, not a request).', said('spec.unit.cores')).optional(),
  cpu_num_to: floor('Maximum CPU cores per container.', said('spec.unit.cores')).optional(),
  memory_size_from: floor('Minimum memory per container, in GB (not bytes). A scheduling floor: too high makes the deployment unschedulable.', said('spec.unit.gb')).optional(),
  memory_size_to: floor('Maximum memory per container, in GB (not bytes).', said('spec.unit.gb')).optional(),
  price_from: floor('Minimum price, integer milli-yuan per hour (100 = 0.1 yuan/h).', said('spec.unit.milliYuan100')).optional(),
  price_to: floor('Maximum price, integer milli-yuan per hour (1000 = 1 yuan/h).', said('spec.unit.milliYuan1000')).optional(),
  image_uuid: z
    .string({ error: english('spec.mustBeString') })
    .min(1, { error: english('spec.notEmpty') })
    .regex(/^\S+$/, { error: english('spec.imageSpaces') })
    .describe('UUID of one of your private images ("image-xxxxxxxxxx") or of a system image ("base-image-xxxxxxxxxx", see `autodl images --system`); a UUID, not an image name.'),
  cmd: z
    .string({ error: english('spec.mustBeString') })
    .refine((s) => s.trim() !== '', { error: english('spec.cmdEmpty') })
    .describe('Shell command the container runs; the container lives exactly as long as this command. Keep background services alive with "… & sleep infinity"; do not mix && with ||; no "conda activate".'),
  cmd_before_shutdown: z.string({ error: english('spec.mustBeString') }).describe('Command run before the container is shut down.').optional(),
  service_6006_port_protocol: portProtocol(6006).optional(),
  service_6008_port_protocol: portProtocol(6008).optional(),
};

export const TemplateBodySchema = z.strictObject(TemplateFields).describe('What each container looks like and where it may be scheduled.');

export const TemplateFileSchema = z
  .strictObject({
    ...TemplateFields,
    cuda: z
      .union([z.string(), z.number()], { error: english('spec.cudaVersion') })
      .describe(
        'Convenience: the CUDA version the image needs, e.g. "11.8" or "12.1". Converted to the smallest known code not below it (cuda_v, or cuda_v_from/cuda_v_to for the public dialect). "any" (or 0) = no CUDA constraint: cuda_v 0 (private), cuda_v_from 0 with cuda_v_to the highest known code (public). Give either this or cuda_v/cuda_v_from, not both.',
      )
      .meta({ examples: ['11.8'] })
      .optional(),
  })
  .describe('What each container looks like and where it may be scheduled.');

export const BodyFields = {
  name: z
    .string({ error: english('spec.mustBeString') })
    .refine((s) => s.trim() !== '', { error: english('spec.notBlank') })
    .refine((s) => s.length <= NAME_MAX_LENGTH, { error: english('spec.nameTooLong', { max: NAME_MAX_LENGTH }) })
    .refine((s) => !NAME_FORBIDDEN.test(s), { error: english('spec.nameControl') })
    .describe(`Deployment name: not blank, at most ${NAME_MAX_LENGTH} characters, no control characters. Sweeps may use {{param}} placeholders.`),
  deployment_type: z
    .enum(['ReplicaSet', 'Job', 'Container'], { error: english('spec.deploymentType') })
    .describe('ReplicaSet keeps replica_num containers running; Job runs containers until replica_num have finished (parallelism_num at a time); Container runs one container until it ends.'),
  replica_num: count().describe('ReplicaSet: containers to keep running. Job: containers that must finish. Required for both.').optional(),
  parallelism_num: count().describe('Job only (required there): containers running at the same time, at most replica_num.').optional(),
  reuse_container: z
    .boolean({ error: english('spec.bool') })
    .describe('Reuse a stopped container (kept up to 7 days): skips the image pull; the old container data is not wiped.')
    .optional(),
  reuse_container_scope: z
    .enum(['all', 'deployment'], { error: english('spec.reuseScope') })
    .describe('Which stopped containers may be reused: "all" or only this "deployment".')
    .optional(),
};

export const BodySchema = z.strictObject({ ...BodyFields, container_template: TemplateBodySchema });

export const SweepSchema = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: english('spec.sweepIdent') }),
    z
      .array(z.union([z.string(), z.number(), z.boolean()]), { error: english('spec.sweepValues') })
      .min(1, { error: english('spec.sweepOneValue') }),
    { error: english('spec.sweepMapping') },
  )
  .describe('Sweep parameters: each name maps to a list of values; every combination becomes one deployment, with {{name}} replaced in `name` and `cmd`.')
  .meta({ examples: [{ lr: ['0.1', '0.01'], seed: [1, 2] }] });

/** A duration as people write it: "90s", "10m", "4h", "1h30m", "2d" (a bare number is seconds). */
export const DURATION_TEXT = /^\s*(?:\d+(?:\.\d+)?|(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+)\s*$/i;

const duration = (what: string) =>
  z
    .union([z.string(), z.number()], { error: english('spec.q.duration') })
    .describe(what)
    .meta({ examples: ['4h'] });

const yuan = (what: string) => z.number({ error: english('spec.q.yuan') }).min(0, { error: english('spec.notNegative') }).describe(what);

/** What the retry may answer to: containers failed, a deployment left unscheduled, containers failing on one host. */
export const RETRY_CAUSES = ['failed', 'unscheduled', 'host_error'] as const;

export const RetrySchema = z
  .strictObject({
    max: z
      .number({ error: english('spec.mustBeNumber') })
      .int({ error: english('spec.mustBeInteger') })
      .min(0, { error: english('spec.notNegative') })
      .max(20, { error: english('spec.q.atMost', { max: 20 }) })
      .describe('Most resubmissions of this entry (0 = none). Each one is a new deployment under a fresh name mark.'),
    on: z
      .array(z.enum(RETRY_CAUSES, { error: english('spec.q.cause') }), { error: english('spec.q.list') })
      .min(1, { error: english('spec.q.oneCause') })
      .describe('What is retried: "failed" (a Job\'s containers failed), "unscheduled" (the deployment stayed unscheduled for unscheduled_after while the stock showed its cards: stopped and requeued), "host_error" (containers failed repeatedly on one host). Default ["failed"].')
      .optional(),
    unscheduled_after: duration('With on: unscheduled: how long a deployment may stay without a container while the stock shows its cards (default "10m").').optional(),
    blacklist_hosts: z
      .boolean({ error: english('spec.bool') })
      .describe('Blacklist a host on which this entry\'s containers failed twice or more (the platform\'s blacklist, 24 h expiry) before the retry.')
      .optional(),
  })
  .describe('Retries that know why (the queue only).');

export const QueueBlockSchema = z
  .strictObject({
    max_runtime: duration('Stop the deployment once it has run this long, e.g. "4h".').optional(),
    grace: duration('With max_runtime: warn at the limit and stop this much later (time for cmd_before_shutdown or a checkpoint).').optional(),
    max_cost: yuan('Most yuan this entry may cost (the estimate `autodl cost` shows); then it is stopped (or, with on_cap: warn, only notified).').optional(),
    on_cap: z.enum(['stop', 'warn'], { error: english('spec.q.onCap') }).describe('At a cost cap or budget: "stop" (default) or only "warn".').optional(),
    label_budget: yuan("Yuan for all the entries of this entry's label together (a sweep's budget).").optional(),
    after: z
      .array(nonEmptyString('An entry id (q-…), a config name already in the queue, or label:<label>.'), { error: english('spec.q.afterList') })
      .max(1000, { error: english('spec.q.afterMax', { max: 1000 }) })
      .describe('Entries that must have finished before this one is created (ids, names, or label:<label> for a whole sweep).')
      .optional(),
    after_any: z.boolean({ error: english('spec.bool') }).describe('With after: ended (finished, failed or cancelled) is enough.').optional(),
    owner: z
      .string({ error: english('spec.mustBeString') })
      .regex(/^[A-Za-z0-9._@-]{1,64}$/, { error: english('spec.q.owner') })
      .describe('Whose entry this is in a shared queue (fair shares); default AUTODL_OWNER or the OS user.')
      .optional(),
    retry: RetrySchema.optional(),
  })
  .describe('Queue policies (autodl queue add / sweep / submit): time limit, cost cap, budget, dependencies, owner, retries. Never sent to the API; `autodl create` ignores it. Command-line flags override it.');

export const ConfigFileSchema = z
  .strictObject({
    $schema: z.string().describe('Path or URL of this JSON Schema (for editors); ignored.').optional(),
    ...BodyFields,
    container_template: TemplateFileSchema,
    sweep: SweepSchema.optional(),
    queue: QueueBlockSchema.optional(),
  })
  .describe('An AutoDL elastic deployment: the create-deployment request body, plus conveniences (cuda, sweep, $schema) and the queue\'s policies (queue).');

export type ConfigFile = z.input<typeof ConfigFileSchema>;

/** JSON Schema (draft-07, widest editor support) of a config file, generated from ConfigFileSchema. */
export function deploymentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigFileSchema, { target: 'draft-07', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    title: 'AutoDL elastic deployment config',
  };
}
