// printJson writes sanitizedJson(): the same text as the two-copy sanitize() it replaces
// (issue 14, §5), for any JSON value with secret keys, secrets in values and in keys.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CliContext, dropSecrets, sanitizedJson } from '../../src/cli/runtime.js';
import { redactDeep } from '../../src/api/redact.js';
import { PassThrough } from 'node:stream';

const SECRETS = ['tok-SECRET-1234', 'p@ss/word é'];
const word = fc.constantFrom('token', 'root_password', 'Authorization', 'authorization', 'Token', 'ROOT_PASSWORD', 'name', 'a', '***', 'x-tok-SECRET-1234', encodeURIComponent(SECRETS[1]!), '');
const text = fc.oneof(word, fc.string({ maxLength: 8 }), fc.tuple(fc.string({ maxLength: 4 }), fc.constantFrom(...SECRETS), fc.string({ maxLength: 4 })).map((p) => p.join('')));
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.oneof(word, text), tie('v'), { maxKeys: 5 })),
})).v;

describe('sanitizedJson', () => {
  test('equals JSON.stringify(redactDeep(dropSecrets(v))) for any JSON value, compact and indented', () => {
    fc.assert(
      fc.property(value, fc.constantFrom(undefined, 2), (v, indent) => {
        assert.equal(sanitizedJson(v, SECRETS, indent), JSON.stringify(redactDeep(dropSecrets(v), SECRETS), null, indent));
      }),
      { numRuns: 2000 },
    );
  });

  test('printJson: root_password dropped, token masked, secrets in values and keys redacted', () => {
    const stdout = Object.assign(new PassThrough(), { isTTY: false });
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const ctx = new CliContext({ json: true }, { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: { AUTODL_TOKEN: SECRETS[0] }, cwd: '/' });
    ctx.printJson({ root_password: 'pw', token: 'abc', [`k-${SECRETS[0]}`]: { note: `see ${SECRETS[0]}`, list: [SECRETS[0]] } });
    assert.equal(out, `${JSON.stringify({ token: '***', 'k-***': { note: 'see ***', list: ['***'] } })}\n`);
  });
});
