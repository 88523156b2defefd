// The config pipeline: a user's file → an API-ready create body. Pure: no network, no
// process.exit, no console.
export { loadConfigFile, loadConfigText, detectFormat, yamlTooComplex, MAX_CONFIG_BYTES, MAX_YAML_ALIASES, MAX_YAML_DEPTH, type LoadTextOptions } from './load.js';
export { MAX_CONFIG_VALUES, MAX_JSON_DEPTH } from './json-locate.js';
export { normalize, durationMs, type NormalizeOptions, type NormalizeResult } from './normalize.js';
export { validate, validationError, collectIssues, MAX_SUGGESTIONS, type ValidateOptions } from './validate.js';
export { lint, DEFAULT_HOST_SHAPES, MEMORY_GB_PLAUSIBLE_MAX, canonicalGpuName } from './lint.js';
export { prepareSpec, type PrepareOptions, type PreparedSpec } from './prepare.js';
export { expandSweep, sweepIssues, placeholdersIn, MAX_SWEEP_SIZE, type SweepItem } from './sweep.js';
export { deploymentJsonSchema, ConfigFileSchema, BodySchema, NAME_MAX_LENGTH, type ConfigFile } from './schema.js';
export { resolveCuda, isKnownCudaCode, cudaCodeToVersion, HIGHEST_CUDA_CODE, type CudaParse } from './cuda.js';
export { scanShell, mixesAndOr, endsInBackground, usesCondaActivate } from './shell.js';
export type {
  ConfigFormat,
  FieldPath,
  LineOf,
  LoadedConfig,
  ValidationIssue,
  SpecWarning,
  SweepParams,
  QueueDecl,
  RetryCause,
  HostShape,
  LintContext,
} from './types.js';
