// Sweeps: one body per combination of parameter values, with {{param}} placeholders
// replaced in `name` and `cmd` (and only there).

import { english, said } from '../i18n/index.js';
import { NAME_FORBIDDEN, NAME_MAX_LENGTH } from './rules.js';
import type { CreateDeploymentBody } from '../api/types.js';
import type { SweepParams, ValidationIssue } from './types.js';
import { validationError } from './issues.js';

/** Most bodies one sweep may expand to. */
export const MAX_SWEEP_SIZE = 1000;

export interface SweepItem {
  body: CreateDeploymentBody;
  /** The values substituted, one per parameter. */
  params: Record<string, string>;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Placeholder names used in a text (`{{ lr }}` → "lr"). */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

function substitute(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_all, name: string) => values[name] ?? '');
}

/** Problems of a sweep definition against a body (unknown placeholders, unused or empty params …). */
export function sweepIssues(body: CreateDeploymentBody, params: SweepParams): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const names = Object.keys(params);
  const fields = { name: body.name, 'container_template.cmd': body.container_template.cmd } as const;
  const used = new Set<string>();
  for (const [path, text] of Object.entries(fields)) {
    if (typeof text !== 'string') continue;
    for (const ph of placeholdersIn(text)) {
      used.add(ph);
      if (!Object.prototype.hasOwnProperty.call(params, ph)) {
        issues.push({
          path,
          message: english('spec.placeholderUnknown', { name: ph, hint: names.length ? said('spec.placeholderParams', { names: names.join(', ') }) : said('spec.placeholderNoParams') }),
        });
      }
    }
  }
  let size = 1;
  for (const name of names) {
    const values = params[name] ?? [];
    if (!IDENT.test(name)) issues.push({ path: `sweep.${name}`, message: english('spec.sweepIdent') });
    if (!Array.isArray(values) || values.length === 0) issues.push({ path: `sweep.${name}`, message: english('spec.sweepOneValue') });
    if (!used.has(name)) issues.push({ path: `sweep.${name}`, message: english('spec.sweepUnused', { name }) });
    size *= Array.isArray(values) ? Math.max(values.length, 1) : 1;
  }
  if (size > MAX_SWEEP_SIZE) issues.push({ path: 'sweep', message: english('spec.sweepTooLarge', { size, max: MAX_SWEEP_SIZE }) });
  return issues;
}

/**
 * Cartesian product of `params` (first parameter varies slowest), each combination
 * substituted into `name` and `cmd`. Throws validation_error for an unknown placeholder,
 * an unused or empty parameter, an oversized sweep, or a resulting name the platform
 * would reject. With no parameters, returns the body itself (placeholders must then be absent).
 */
export function expandSweep(body: CreateDeploymentBody, params: SweepParams): SweepItem[] {
  const issues = sweepIssues(body, params);
  if (issues.length > 0) throw validationError(issues);
  const names = Object.keys(params);
  let combos: Record<string, string>[] = [{}];
  for (const name of names) {
    const next: Record<string, string>[] = [];
    for (const c of combos) for (const v of params[name] ?? []) next.push({ ...c, [name]: String(v) });
    combos = next;
  }
  const out: SweepItem[] = [];
  const nameIssues: ValidationIssue[] = [];
  for (const values of combos) {
    const b = structuredClone(body);
    b.name = substitute(body.name, values);
    b.container_template.cmd = substitute(body.container_template.cmd, values);
    if (b.name.length > NAME_MAX_LENGTH || NAME_FORBIDDEN.test(b.name) || b.name.trim() === '') {
      nameIssues.push({
        path: 'name',
        message: english('spec.sweepName', { name: b.name.slice(0, 80), values: JSON.stringify(values), max: NAME_MAX_LENGTH }),
      });
    }
    out.push({ body: b, params: values });
  }
  if (nameIssues.length > 0) throw validationError(nameIssues);
  return out;
}
