// The quick path of prepareSpec (issue 14, §7): a config that is plainly valid — every field
// known, of its type and within its bounds, no cross-field or dialect problem — is prepared
// without zod, by a hand check that mirrors ./schema.ts. Anything else, however slight, is
// left to the full path (./prepare.ts), which decides and explains it: so every error, its
// message and its JSON, comes from one place, and the quick path can only ever say "valid"
// where zod would (test/pipeline/quick.test.ts checks it against zod on generated configs).
// Loads neither zod nor (for a JSON config) yaml: the CLI's config commands start sooner.

import { KNOWN_CUDA_CODES } from './cuda.js';
import { finishPrepared, type PrepareOptions, type PreparedSpec } from './finish.js';
import { crossField } from './issues.js';
import { normalizeWith, UNDECIDED, type SweepReader } from './normalize-core.js';
import { CUDA_ANY, NAME_FORBIDDEN, NAME_MAX_LENGTH } from './rules.js';
import { isPlainObject, type LineOf } from './types.js';

export { loadConfigFile, loadConfigText } from './load.js';

type Check = (v: unknown) => boolean;

const str: Check = (v) => typeof v === 'string';
const nonEmpty: Check = (v) => typeof v === 'string' && v.length >= 1;
const count: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
const floor: Check = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const CUDA = new Set<number>([CUDA_ANY, ...KNOWN_CUDA_CODES]);
const cudaCode: Check = (v) => typeof v === 'number' && CUDA.has(v);
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v);
const listOf =
  (item: Check, min: number): Check =>
  (v) => {
    if (!Array.isArray(v) || v.length < min) return false;
    for (let i = 0; i < v.length; i++) if (!item(v[i])) return false;
    return true;
  };
const protocol = oneOf('http', 'tcp');

/** ./schema.ts's TemplateFields (the body form: no `cuda`), each field's plain check; true = required. */
const TEMPLATE: Record<string, [Check, boolean]> = {
  gpu_name_set: [listOf(nonEmpty, 1), true],
  gpu_num: [count, true],
  cuda_v: [cudaCode, false],
  cuda_v_from: [cudaCode, false],
  cuda_v_to: [cudaCode, false],
  dc_list: [listOf(nonEmpty, 0), false],
  cpu_num_from: [floor, false],
  cpu_num_to: [floor, false],
  memory_size_from: [floor, false],
  memory_size_to: [floor, false],
  price_from: [floor, false],
  price_to: [floor, false],
  image_uuid: [(v) => typeof v === 'string' && /^\S+$/.test(v), true],
  cmd: [(v) => typeof v === 'string' && v.trim() !== '', true],
  cmd_before_shutdown: [str, false],
  service_6006_port_protocol: [protocol, false],
  service_6008_port_protocol: [protocol, false],
};

const template: Check = (v) => plainObjectOf(v, TEMPLATE);

/** ./schema.ts's BodySchema. */
const BODY: Record<string, [Check, boolean]> = {
  name: [(v) => typeof v === 'string' && v.trim() !== '' && v.length <= NAME_MAX_LENGTH && !NAME_FORBIDDEN.test(v), true],
  deployment_type: [oneOf('ReplicaSet', 'Job', 'Container'), true],
  replica_num: [count, false],
  parallelism_num: [count, false],
  reuse_container: [(v) => typeof v === 'boolean', false],
  reuse_container_scope: [oneOf('all', 'deployment'), false],
  container_template: [template, true],
};

/** A plain object holding every required field, no other, each passing its check (a field present as undefined is not plain). */
function plainObjectOf(v: unknown, fields: Record<string, [Check, boolean]>): boolean {
  if (!isPlainObject(v)) return false;
  let required = 0;
  for (const key of Object.keys(v)) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) return false;
    const [check, isRequired] = fields[key]!;
    if (!check(v[key])) return false;
    if (isRequired) required++;
  }
  let wanted = 0;
  for (const key in fields) if (fields[key]![1]) wanted++;
  return required === wanted;
}

/** True only when BodySchema would accept `body` (a stricter check is fine: it only sends more configs the full way). */
export function plainlyValidBody(body: unknown): boolean {
  return plainObjectOf(body, BODY);
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const sweepValue: Check = (v) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** ./schema.ts's SweepSchema, accepting only what it accepts; anything else is undecided. */
export const plainSweep: SweepReader = (s) => {
  if (!isPlainObject(s)) return undefined;
  const params: Record<string, ReadonlyArray<string | number | boolean>> = {};
  for (const key of Object.keys(s)) {
    // "__proto__" passes the identifier rule, but zod's copy of it is not a plain own key
    if (!IDENT.test(key) || key === '__proto__') return undefined;
    const values = s[key];
    if (!listOf(sweepValue, 1)(values)) return undefined;
    params[key] = values as Array<string | number | boolean>;
  }
  return { ok: true, params };
};

/**
 * prepareSpec for an already-loaded config, when it is plainly valid; undefined when the full
 * path has to decide (then call prepareSpec with the same raw object, lineOf and file).
 * Throws only what the full path throws for it (a bad sweep, lint warnings under strict).
 */
export function quickPrepare(raw: unknown, options: PrepareOptions, lineOf: LineOf | undefined, file: string | undefined): PreparedSpec | undefined {
  if (!isPlainObject(raw)) return undefined;
  const n = normalizeWith(raw, { dialect: options.dialect }, plainSweep);
  if (n === UNDECIDED || n.issues.length > 0) return undefined;
  if (!plainlyValidBody(n.body) || crossField(n.body, n.dialect).length > 0) return undefined;
  return finishPrepared(n, options, lineOf, file);
}
