// validate: every problem at once, each with a stable path (and a line when known).

import { editDistance } from '../util/near.js';
import { english, said } from '../i18n/index.js';
import type { z } from 'zod';
import type { Dialect, CreateDeploymentBody } from '../api/types.js';
import { crossField, pathSegments, validationError, type Collected } from './issues.js';
import type { NormalizeResult } from './normalize.js';
import { BodySchema } from './schema.js';
import { formatPath, isPlainObject, nearestLine, type FieldPath, type HostShape, type LineOf, type ValidationIssue } from './types.js';

export { pathSegments, validationError };

export interface ValidateOptions {
  lineOf?: LineOf;
  /** Source file, added to the error details. */
  file?: string;
}

const KNOWN_FIELDS: Record<string, readonly string[]> = {
  '': Object.keys(BodySchema.shape),
  container_template: [...Object.keys(BodySchema.shape.container_template.shape), 'cuda'],
};

function commonPrefix(a: string, b: string): number {
  let k = 0;
  while (k < a.length && k < b.length && a[k] === b[k]) k++;
  return k;
}

/** The known field a near-miss means, if any (for " (did you mean "x"?)"). */
function suggest(key: string, parent: string): string | undefined {
  const known = KNOWN_FIELDS[parent];
  if (!known) return undefined;
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 4))) return best;
  // "replicas" → "replica_num": a long shared prefix
  const byPrefix = known.filter((k) => commonPrefix(lower, k.toLowerCase()) >= Math.min(6, Math.max(4, lower.length - 1)));
  return byPrefix.length === 1 ? byPrefix[0] : undefined;
}

function getAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/**
 * Unknown fields that get a "did you mean" search (an edit distance to every known field):
 * a typo or two is what it is for; a hostile config with 30,000 junk keys would spend
 * seconds on it. The fields after these are still reported, without a suggestion.
 */
export const MAX_SUGGESTIONS = 50;

function fromZod(issues: readonly z.core.$ZodIssue[], root: unknown): Collected[] {
  const out: Collected[] = [];
  let suggestions = 0;
  for (const iss of issues) {
    const path = iss.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (iss.code === 'unrecognized_keys') {
      const parent = formatPath(path);
      for (const key of iss.keys) {
        const best = suggestions++ < MAX_SUGGESTIONS ? suggest(key, parent) : undefined;
        out.push({ path: [...path, key], message: english('spec.unknownField', { key, hint: best !== undefined ? said('spec.didYouMean', { name: best }) : '' }) });
      }
      continue;
    }
    if (iss.code === 'invalid_type' && getAt(root, iss.path) === undefined) {
      out.push({ path, message: english('spec.requiredMissing') });
      continue;
    }
    out.push({ path, message: iss.message });
  }
  return out;
}

function dedupe(list: Collected[]): Collected[] {
  const seen = new Set<string>();
  const out: Collected[] = [];
  for (const c of list) {
    const k = `${formatPath(c.path)}\u0000${c.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(c);
    }
  }
  return out;
}

/** All problems of a (normalized) body, without throwing. */
export function collectIssues(
  body: unknown,
  dialect: Dialect,
  lineOf?: LineOf,
  pre: ValidationIssue[] = [],
  options: { hostShapes?: readonly HostShape[] } = {},
): ValidationIssue[] {
  const collected: Collected[] = [];
  if (!isPlainObject(body)) collected.push({ path: [], message: english('spec.notObject') });
  else {
    const r = BodySchema.safeParse(body);
    if (!r.success) collected.push(...fromZod(r.error.issues, body));
    collected.push(...crossField(body, dialect, options.hostShapes));
  }
  const issues: ValidationIssue[] = [...pre];
  for (const c of dedupe(collected)) {
    const issue: ValidationIssue = { path: formatPath(c.path), message: c.message };
    const line = nearestLine(lineOf, c.path as FieldPath);
    if (line !== undefined) issue.line = line;
    issues.push(issue);
  }
  // Stable sort by line (problems without a line keep their order, after the others).
  return issues
    .map((issue, k) => ({ issue, k }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.k - b.k)
    .map((x) => x.issue);
}

/**
 * Validate a normalize() result: returns the API-ready body or throws
 * AutodlError('validation_error', …, { errors: [{ path, message, line? }, …] }) listing every problem.
 */
export function validate(normalized: NormalizeResult, options: ValidateOptions = {}): CreateDeploymentBody {
  const pre = normalized.issues.map((i) => {
    if (i.line !== undefined || !options.lineOf) return i;
    const segs = pathSegments(i.path);
    const line = nearestLine(options.lineOf, segs);
    return line === undefined ? i : { ...i, line };
  });
  const issues = collectIssues(normalized.body, normalized.dialect, options.lineOf, pre);
  if (issues.length > 0) throw validationError(issues, options.file);
  return normalized.body as unknown as CreateDeploymentBody;
}
