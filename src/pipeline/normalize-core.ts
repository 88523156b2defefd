// normalize: a user's config → the body the target dialect wants, plus warnings.
// Lenient by design: it converts only what is unambiguous and leaves everything else
// for validate() to report (it never throws). This is all of it but the reading of the
// `sweep:` block, which is handed in: zod's SweepSchema for normalize() (./normalize.ts), a
// plain check for the quick path (./quick.ts), so that this module loads no schema library.

import { english } from '../i18n/index.js';
import type { Dialect } from '../api/types.js';
import { HIGHEST_CUDA_CODE, resolveCuda } from './cuda.js';
import { formatPath, isPlainObject, type QueueDecl, type SpecWarning, type SweepParams, type ValidationIssue } from './types.js';

export interface NormalizeOptions {
  dialect: Dialect;
}

export interface NormalizeResult {
  /** The body with conveniences resolved; not yet validated. */
  body: Record<string, unknown>;
  warnings: SpecWarning[];
  /** The `sweep:` block, set aside (values as strings). */
  sweep?: SweepParams;
  /** The `queue:` block, set aside and checked (durations in ms); never part of the body. */
  queue?: QueueDecl;
  dialect: Dialect;
  /** Problems found while normalizing; validate() reports them with the rest. */
  issues: ValidationIssue[];
}

/**
 * Reads a `sweep:` block: its parameters (values as given), or the problems found in it
 * (paths inside the block), or undefined when it cannot say (the quick path then gives up).
 */
export type SweepReader = (
  sweep: unknown,
) => { ok: true; params: Record<string, ReadonlyArray<string | number | boolean>> } | { ok: false; issues: Array<{ path: Array<string | number>; message: string }> } | undefined;

/** Reads and checks a `queue:` block (problems pushed to `issues`); absent on the quick path, which then gives up. */
export type QueueReader = (queue: unknown, issues: ValidationIssue[]) => QueueDecl | undefined;

/** What normalizeWith returns when its sweep reader could not say (or a `queue:` block has no reader). */
export const UNDECIDED = Symbol('undecided');

const T = 'container_template';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function normalizeWith(raw: unknown, options: NormalizeOptions, readSweep: SweepReader, readQueue?: QueueReader): NormalizeResult | typeof UNDECIDED {
  const dialect = options.dialect;
  const warnings: SpecWarning[] = [];
  const issues: ValidationIssue[] = [];
  if (!isPlainObject(raw)) {
    issues.push({ path: '', message: english('spec.notObject') });
    return { body: {}, warnings, dialect, issues };
  }
  // Copy with spread (CreateDataProperty): a "__proto__" key stays an own key and is reported as unknown.
  const body: Record<string, unknown> = { ...raw };
  delete body.$schema;

  let sweep: SweepParams | undefined;
  if ('sweep' in body) {
    const s = body.sweep;
    delete body.sweep;
    const parsed = readSweep(s);
    if (parsed === undefined) return UNDECIDED;
    if (parsed.ok) {
      sweep = Object.fromEntries(Object.entries(parsed.params).map(([k, vs]) => [k, vs.map((v) => String(v))]));
    } else {
      for (const iss of parsed.issues) issues.push({ path: formatPath(['sweep', ...iss.path]), message: iss.message });
    }
  }

  let queue: QueueDecl | undefined;
  if ('queue' in body) {
    if (!readQueue) return UNDECIDED;
    const q = body.queue;
    delete body.queue;
    queue = readQueue(q, issues);
  }

  const tpl0 = body.container_template;
  if (isPlainObject(tpl0)) {
    const tpl: Record<string, unknown> = { ...tpl0 };
    body.container_template = tpl;
    normalizeCuda(tpl, dialect, warnings, issues);
    if (dialect === 'private' && 'dc_list' in tpl) {
      delete tpl.dc_list;
      warnings.push({
        code: 'dc_list_dropped',
        path: `${T}.dc_list`,
        message: english('spec.dcDropped'),
      });
    }
  }
  return { body, warnings, ...(sweep ? { sweep } : {}), ...(queue ? { queue } : {}), dialect, issues };
}

function normalizeCuda(tpl: Record<string, unknown>, dialect: Dialect, warnings: SpecWarning[], issues: ValidationIssue[]): void {
  const hasV = tpl.cuda_v !== undefined;
  const hasFrom = tpl.cuda_v_from !== undefined;
  const hasTo = tpl.cuda_v_to !== undefined;

  if ('cuda' in tpl) {
    const given = tpl.cuda;
    delete tpl.cuda;
    if (hasV || hasFrom || hasTo) {
      issues.push({
        path: `${T}.cuda`,
        message: english('spec.cudaTwice'),
      });
      return;
    }
    const r = resolveCuda(given);
    if (!r.ok) {
      issues.push({ path: `${T}.cuda`, message: r.message });
      return;
    }
    if (!r.exact) {
      warnings.push({
        code: 'cuda_rounded_up',
        path: `${T}.cuda`,
        message: english('spec.cudaRoundedUp', { version: r.version, code: r.code }),
      });
    }
    if (dialect === 'private') tpl.cuda_v = r.code;
    else {
      tpl.cuda_v_from = r.code;
      tpl.cuda_v_to = HIGHEST_CUDA_CODE;
    }
    return;
  }

  if (dialect === 'private') {
    if (hasV) {
      if (hasFrom || hasTo) {
        delete tpl.cuda_v_from;
        delete tpl.cuda_v_to;
        warnings.push({
          code: 'cuda_range_dropped',
          path: `${T}.cuda_v_from`,
          message: english('spec.privateRangeDropped'),
        });
      }
      return;
    }
    if (hasFrom && isNum(tpl.cuda_v_from)) {
      tpl.cuda_v = tpl.cuda_v_from;
      delete tpl.cuda_v_from;
      delete tpl.cuda_v_to;
      warnings.push({
        code: 'cuda_range_converted',
        path: `${T}.cuda_v_from`,
        message: english('spec.privateRangeCollapsed', { code: String(tpl.cuda_v) }),
      });
    }
    // cuda_v_to alone, or a non-number: left for validate() to report.
    return;
  }

  // public
  if (hasFrom || hasTo) {
    if (hasV) {
      delete tpl.cuda_v;
      warnings.push({
        code: 'cuda_v_dropped',
        path: `${T}.cuda_v`,
        message: english('spec.publicCudaVDropped'),
      });
    }
    if (hasFrom && !hasTo && isNum(tpl.cuda_v_from)) {
      tpl.cuda_v_to = Math.max(HIGHEST_CUDA_CODE, tpl.cuda_v_from);
      warnings.push({
        code: 'cuda_range_completed',
        path: `${T}.cuda_v_to`,
        message: english('spec.publicToCompleted', { code: String(tpl.cuda_v_to) }),
      });
    }
    return;
  }
  if (hasV && isNum(tpl.cuda_v)) {
    tpl.cuda_v_from = tpl.cuda_v;
    tpl.cuda_v_to = Math.max(HIGHEST_CUDA_CODE, tpl.cuda_v);
    delete tpl.cuda_v;
    warnings.push({
      code: 'cuda_v_converted',
      path: `${T}.cuda_v`,
      message: english('spec.publicRangeFromV', { from: String(tpl.cuda_v_from), to: String(tpl.cuda_v_to) }),
    });
  }
}
