// normalize: a user's config → the body the target dialect wants, plus warnings (see
// ./normalize-core.ts); the `sweep:` block read by zod's SweepSchema.

import { normalizeWith, UNDECIDED, type NormalizeOptions, type NormalizeResult, type SweepReader } from './normalize-core.js';
import { SweepSchema } from './schema.js';

export type { NormalizeOptions, NormalizeResult };

export const zodSweep: SweepReader = (s) => {
  const parsed = SweepSchema.safeParse(s);
  if (parsed.success) return { ok: true, params: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((iss) => ({ path: iss.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: iss.message })) };
};

export function normalize(raw: unknown, options: NormalizeOptions): NormalizeResult {
  const n = normalizeWith(raw, options, zodSweep);
  if (n === UNDECIDED) throw new Error('unreachable: the zod sweep reader always decides');
  return n;
}
