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

  test('the fast path (plain JSON.stringify when no secret can be in it) changes nothing either: keys that lower-case to a secret key, secrets that need escaping, surrogates', () => {
    // 'K' (Kelvin sign) lower-cases to 'k'; the second secret holds a quote, a backslash and a control character; the third a lone surrogate
    const secrets = ['tok-SECRET-1234', 'q"uo\\te\u0001x', 'lo\ud800ne'];
    const tricky = fc.constantFrom('to\u212Aen', 'TO\u212AEN', 'Root_Password', 'authorizatioN', 'token ', 'x', 'q"uo', secrets[1]!, secrets[2]!, `a${secrets[1]}b`, `\ud83d${secrets[2]}`, encodeURIComponent(secrets[1]!), 'tok-SECRET-123');
    const leaf = fc.oneof(tricky, fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null));
    const v2 = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.oneof(tricky, fc.string({ maxLength: 4 })), tie('v'), { maxKeys: 4 })),
    })).v;
    let plain = 0;
    fc.assert(
      fc.property(v2, fc.constantFrom(undefined, 2), (v, indent) => {
        const expected = JSON.stringify(redactDeep(dropSecrets(v), secrets), null, indent);
        assert.equal(sanitizedJson(v, secrets, indent), expected);
        if (expected === JSON.stringify(v, null, indent)) plain++;
      }),
      { numRuns: 2000 },
    );
    assert.ok(plain > 0, 'some values had nothing to sanitize');
    // a key that lower-cases to "token" is masked, not passed through by the fast path
    assert.equal(sanitizedJson({ ['to\u212Aen']: 'abc' }, []), JSON.stringify({ ['to\u212Aen']: '***' }));
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
