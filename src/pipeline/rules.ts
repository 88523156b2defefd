// The config rules that need no schema library: the deployment name rule and the "no CUDA
// constraint" code. ./schema.ts (zod) builds on them; ./quick.ts and ./sweep.ts use them
// without loading zod.

/**
 * Deployment name rule (our choice; the platform's own limit is not documented):
 * not blank, at most 64 characters, no control characters (newline, tab, NUL …).
 */
export const NAME_MAX_LENGTH = 64;
// eslint-disable-next-line no-control-regex
export const NAME_FORBIDDEN = /[\u0000-\u001f\u007f]/;

/** 0 = "no CUDA constraint": what the console sends with a system image (recorded); accepted in both dialects. */
export const CUDA_ANY = 0;
