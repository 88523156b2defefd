// The quick path (src/pipeline/quick.ts) prepares a plainly valid config without zod. It may
// only ever answer where the full path (prepareSpec, zod) succeeds, with the same result; it
// gives every other config to the full path, which explains it.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadConfigFile, loadConfigText, prepareSpec, type PreparedSpec } from '../../src/pipeline/index.js';
import { plainlyValidBody, plainSweep, quickPrepare } from '../../src/pipeline/quick.js';
import { junkValue, mutatedBody } from './arbitraries.js';
import { clone, SEED_BODY } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
type Dialect = 'private' | 'public';

function attempt<T>(fn: () => T): { value?: T; error?: unknown } {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

/** The quick path against the full one on the same raw config: undefined (undecided) or the same outcome. */
function compare(raw: unknown, dialect: Dialect, strict: boolean): 'decided' | 'undecided' {
  const opts = { dialect, ...(strict ? { strict: true } : {}), context: { pricesSeen: [1000], liveNames: ['x'] } };
  const quick = attempt(() => quickPrepare(raw, opts, undefined, 'f.json'));
  const full = attempt(() => prepareSpec(raw as object, { ...opts, file: 'f.json' }));
  if (quick.error === undefined && quick.value === undefined) return 'undecided';
  if (quick.error !== undefined) {
    // only a bad sweep or lints under --strict: the full path throws the very same error
    assert.ok(full.error !== undefined, `quick threw, full did not: ${String(quick.error)}`);
    const q = quick.error as { message: string; details?: unknown };
    const f = full.error as { message: string; details?: unknown };
    assert.equal(q.message, f.message);
    assert.deepEqual(q.details, f.details);
    return 'decided';
  }
  assert.equal(full.error, undefined, `quick said valid, zod did not: ${String((full.error as Error | undefined)?.message)}`);
  assert.deepEqual(quick.value, full.value);
  return 'decided';
}

describe('the quick path', () => {
  it('prepares every bundled example itself, exactly as the full path does (lines included)', () => {
    const dir = join(ROOT, 'examples');
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const loaded = loadConfigFile(path);
      const dialect: Dialect = name.startsWith('public') ? 'public' : 'private';
      const quick = quickPrepare(loaded.raw, { dialect }, loaded.lineOf, path);
      const full: PreparedSpec = prepareSpec(path, { dialect });
      delete full.source;
      if (full.queue) {
        // a config with a queue: block (the queue's policies) is read by zod's QueueBlockSchema only
        assert.equal(quick, undefined, `${name}: a queue: block is left to the full path`);
        continue;
      }
      assert.ok(quick, `${name}: decided by the quick path`);
      assert.deepEqual(quick, full, name);
    }
  });

  it('gives the full path anything a hair off the plain form', () => {
    const cases: Array<[string, (b: Record<string, unknown> & { container_template: Record<string, unknown> }) => void]> = [
      ['a count beyond a safe integer', (b) => (b.replica_num = 2 ** 53)],
      ['a fractional count', (b) => (b.replica_num = 1.5)],
      ['an unknown CUDA code', (b) => (b.container_template.cuda_v = 119)],
      ['an optional field present as undefined', (b) => (b.reuse_container = undefined)],
      ['an unknown field', (b) => (b.replicas = 2)],
      ['a name with a newline', (b) => (b.name = 'a\nb')],
      ['a blank name', (b) => (b.name = '  ')],
      ['an image uuid with a space', (b) => (b.container_template.image_uuid = 'image x')],
      ['an empty GPU list', (b) => (b.container_template.gpu_name_set = [])],
      ['an inverted range', (b) => (b.container_template.cpu_num_from = 200)],
      ['a __proto__ key', (b) => Object.defineProperty(b, '__proto__', { value: {}, enumerable: true })],
      ['a sweep with a non-finite value', (b) => (b.sweep = { lr: [Infinity] })],
      ['a sweep named __proto__', (b) => (b.sweep = JSON.parse('{"__proto__": ["1"]}') as unknown)],
      ['a sweep that is a list', (b) => (b.sweep = [1])],
    ];
    for (const [what, change] of cases) {
      const b = clone(SEED_BODY) as Record<string, unknown> & { container_template: Record<string, unknown> };
      change(b);
      assert.equal(quickPrepare(b, { dialect: 'private' }, undefined, undefined), undefined, what);
      compare(b, 'private', false);
    }
    // and the control: the seed body itself is decided
    assert.ok(quickPrepare(clone(SEED_BODY), { dialect: 'private' }, undefined, undefined));
  });

  it('plainlyValidBody and plainSweep never accept what zod refuses (generated bodies, both dialects, strict or not)', () => {
    const seen = { decided: 0, undecided: 0 };
    fc.assert(
      fc.property(mutatedBody, fc.constantFrom<Dialect>('private', 'public'), fc.boolean(), (raw, dialect, strict) => {
        seen[compare(raw, dialect, strict)]++;
      }),
      { numRuns: 1500 },
    );
    // both ways were taken, so the comparison above is not vacuous
    assert.ok(seen.decided > 0 && seen.undecided > 0, JSON.stringify(seen));
  });

  it('sweeps: the plain reader agrees with zod on generated sweep blocks', () => {
    const sweepBlock = fc.oneof(
      fc.dictionary(fc.oneof(fc.constantFrom('lr', 'seed', '_x', '1a', 'a-b', '__proto__'), fc.string({ maxLength: 4 })), fc.array(junkValue, { maxLength: 3 }), { maxKeys: 3 }),
      junkValue,
    );
    let decided = 0;
    fc.assert(
      fc.property(sweepBlock, fc.boolean(), (sweep, strict) => {
        const b = clone(SEED_BODY) as Record<string, unknown>;
        b.name = 'run-{{lr}}';
        b.sweep = sweep;
        if (compare(b, 'private', strict) === 'decided') decided++;
        assert.doesNotThrow(() => plainSweep(sweep));
      }),
      { numRuns: 800 },
    );
    assert.ok(decided > 0);
  });

  it('configs from text (JSON and YAML) agree with the full path, line numbers included', () => {
    fc.assert(
      fc.property(mutatedBody, fc.constantFrom('json' as const, 'yaml' as const), (raw, format) => {
        let text: string;
        try {
          text = format === 'json' ? JSON.stringify(raw, null, 2) : JSON.stringify(raw);
        } catch {
          return;
        }
        if (text === undefined) return;
        const loaded = attempt(() => loadConfigText(text, { path: `x.${format}` }));
        if (loaded.value === undefined) return;
        const { raw: r, lineOf } = loaded.value;
        const q = attempt(() => quickPrepare(r, { dialect: 'private' }, lineOf, 'x'));
        if (q.value === undefined) return;
        assert.deepEqual(q.value, prepareSpec(r as object, { dialect: 'private', lineOf, file: 'x' }));
      }),
      { numRuns: 300 },
    );
  });

  it('plainlyValidBody is a plain function of the body (it changes nothing)', () => {
    const b = clone(SEED_BODY);
    const before = JSON.stringify(b);
    assert.equal(plainlyValidBody(b), true);
    assert.equal(JSON.stringify(b), before);
  });
});
