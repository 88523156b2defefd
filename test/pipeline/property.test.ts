import assert from 'node:assert/strict';
import type { CreateDeploymentBody } from '../../src/api/types.js';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { AutodlError } from '../../src/errors.js';
import { expandSweep, lint, loadConfigText, normalize, prepareSpec, validate } from '../../src/pipeline/index.js';
import { mutatedBody } from './arbitraries.js';
import { SEED_BODY } from './helpers.js';

const ALLOWED = new Set(['validation_error', 'config_error']);

/** Runs fn; anything thrown must be an AutodlError of an allowed type. Returns what was thrown (or undefined). */
function onlyAutodlErrors(fn: () => unknown): AutodlError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof AutodlError, `threw a non-AutodlError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    assert.ok(ALLOWED.has(e.errorType), e.errorType);
    if (e.errorType === 'validation_error') {
      const errors = e.details.errors;
      assert.ok(Array.isArray(errors) && errors.length > 0, 'validation errors are listed');
      for (const x of errors as Array<{ path: unknown; message: unknown }>) {
        assert.equal(typeof x.path, 'string');
        assert.equal(typeof x.message, 'string');
      }
    }
    return e;
  }
}

describe('property: junk never throws anything but AutodlError (validation_error / config_error)', () => {
  it('random junk objects through prepareSpec (both dialects)', () => {
    fc.assert(
      fc.property(fc.anything(), fc.constantFrom('private' as const, 'public' as const), fc.boolean(), (raw, dialect, strict) => {
        onlyAutodlErrors(() => prepareSpec(raw as Record<string, unknown>, { dialect, strict }));
        onlyAutodlErrors(() => validate(normalize(raw, { dialect })));
      }),
      { numRuns: 400 },
    );
  });

  it('mutations of a valid body through prepareSpec; successes are API-ready and lintable', () => {
    fc.assert(
      fc.property(mutatedBody, fc.constantFrom('private' as const, 'public' as const), (raw, dialect) => {
        let out: ReturnType<typeof prepareSpec> | undefined;
        const e = onlyAutodlErrors(() => {
          out = prepareSpec(raw, { dialect, context: { pricesSeen: [1000], liveNames: ['x'] } });
        });
        if (e === undefined && out) {
          const t = out.body.container_template as unknown as Record<string, unknown>;
          if (dialect === 'private') assert.equal(typeof t.cuda_v, 'number');
          else assert.ok(Array.isArray(t.dc_list) && t.dc_list.length > 0);
          assert.ok(Array.isArray(lint(out.body)));
          if (out.sweep) onlyAutodlErrors(() => expandSweep(out?.body as CreateDeploymentBody, out?.sweep ?? {}));
        }
      }),
      { numRuns: 600 },
    );
  });

  it('mutated bodies serialized to JSON and YAML text load or fail cleanly', () => {
    fc.assert(
      fc.property(mutatedBody, fc.constantFrom('json' as const, 'yaml' as const), (raw, format) => {
        let text: string;
        try {
          text = format === 'json' ? JSON.stringify(raw) : stringify(raw);
        } catch {
          return; // not serializable (e.g. BigInt): nothing to test
        }
        if (text === undefined) return;
        onlyAutodlErrors(() => {
          const l = loadConfigText(text, { path: `x.${format}` });
          prepareSpec(l.raw as Record<string, unknown>, { dialect: 'private', lineOf: l.lineOf });
        });
      }),
      { numRuns: 300 },
    );
  });

  it('random junk text through loadConfigText', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json(), fc.uint8Array().map((a) => Buffer.from(a).toString('latin1'))),
        fc.constantFrom('json' as const, 'yaml' as const, undefined),
        (text, format) => {
          onlyAutodlErrors(() => {
            const l = loadConfigText(text, format ? { path: 'junk', format } : { path: 'junk' });
            prepareSpec(l.raw as Record<string, unknown>, { dialect: 'private', lineOf: l.lineOf });
          });
        },
      ),
      { numRuns: 600 },
    );
  });

  it('truncations of a valid JSON/YAML file fail with config_error or validation_error only', () => {
    const json = JSON.stringify(SEED_BODY, null, 2);
    const yaml = stringify(SEED_BODY);
    fc.assert(
      fc.property(fc.nat(), fc.boolean(), (cut, useJson) => {
        const full = useJson ? json : yaml;
        const text = full.slice(0, cut % full.length);
        onlyAutodlErrors(() => {
          const l = loadConfigText(text, { path: useJson ? 't.json' : 't.yaml' });
          prepareSpec(l.raw as Record<string, unknown>, { dialect: 'private', lineOf: l.lineOf });
        });
      }),
      { numRuns: 300 },
    );
  });
});
