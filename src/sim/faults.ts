// Fault injection: rules matched by method + path that wrap a route's reply.

import { createRng } from './util.js';

export type FaultKind = 'http_error' | 'http_429' | 'envelope_error' | 'slow' | 'reset' | 'non_json' | 'commit_then_reset';

export const FAULT_KINDS: readonly FaultKind[] = ['http_error', 'http_429', 'envelope_error', 'slow', 'reset', 'non_json', 'commit_then_reset'];

export interface FaultSpec {
  /** HTTP method, or '*' */
  method: string;
  /** request path without query (e.g. /api/v1/dev/deployment), or '*' */
  path: string;
  kind: FaultKind;
  /** fire for the next `count` matching requests (default 1 when no probability is given) */
  count?: number;
  /** fire with this probability (seeded), without limit unless count is also given */
  probability?: number;
  /** http_error: 500 | 502 | 503 (default 500); non_json: status of the HTML reply (default 200) */
  status?: number;
  /** http_429: Retry-After seconds (default 1) */
  retry_after?: number;
  /** slow: delay before replying normally (default 1000) */
  delay_ms?: number;
  /** envelope_error: code (default "Failed") and msg (default 暂无库存) */
  code?: string;
  msg?: string;
}

export interface ActiveFault extends FaultSpec {
  id: number;
  /** times it fired */
  fired: number;
}

export class Faults {
  private rules: ActiveFault[] = [];
  private nextId = 1;
  private rng: () => number;

  constructor(private readonly seed = 1) {
    this.rng = createRng(seed ^ 0xfa17);
  }

  /** Add a rule; throws a TypeError on an invalid spec. Returns its id. */
  add(spec: FaultSpec): number {
    validateFault(spec);
    const rule: ActiveFault = { ...spec, method: spec.method.toUpperCase(), id: this.nextId++, fired: 0 };
    if (rule.count === undefined && rule.probability === undefined) rule.count = 1;
    this.rules.push(rule);
    return rule.id;
  }

  clear(): void {
    this.rules = [];
    this.rng = createRng(this.seed ^ 0xfa17);
  }

  list(): ActiveFault[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** The fault to apply to this request, if any (consumes one count). */
  match(method: string, path: string): ActiveFault | undefined {
    for (const r of this.rules) {
      if (r.method !== '*' && r.method !== method) continue;
      if (r.path !== '*' && r.path !== path) continue;
      if (r.probability !== undefined && !(this.rng() < r.probability)) continue;
      r.fired++;
      if (r.count !== undefined) {
        r.count--;
        if (r.count <= 0) this.rules = this.rules.filter((x) => x !== r);
      }
      return { ...r };
    }
    return undefined;
  }
}

export function validateFault(spec: unknown): asserts spec is FaultSpec {
  if (spec === null || typeof spec !== 'object') throw new TypeError('fault must be an object');
  const s = spec as Record<string, unknown>;
  if (typeof s.method !== 'string' || s.method === '') throw new TypeError('fault.method must be a string');
  if (typeof s.path !== 'string' || s.path === '') throw new TypeError('fault.path must be a string');
  if (typeof s.kind !== 'string' || !FAULT_KINDS.includes(s.kind as FaultKind)) {
    throw new TypeError(`fault.kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  const posInt = (k: string) => {
    const v = s[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) throw new TypeError(`fault.${k} must be a non-negative integer`);
  };
  posInt('count');
  posInt('retry_after');
  posInt('delay_ms');
  posInt('status');
  if (s.probability !== undefined && (typeof s.probability !== 'number' || s.probability < 0 || s.probability > 1)) {
    throw new TypeError('fault.probability must be between 0 and 1');
  }
  if (s.kind === 'http_error' && s.status !== undefined && (s.status as number) < 400) throw new TypeError('fault.status must be an HTTP error status');
  for (const k of ['code', 'msg']) if (s[k] !== undefined && typeof s[k] !== 'string') throw new TypeError(`fault.${k} must be a string`);
}
