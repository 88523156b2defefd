// The secret variants are built once per list, not once per string (issue 14, §5): counted
// through the one global every variant build calls (encodeURIComponent), never timed.
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { redact, redactDeep, redactor } from '../../src/api/redact.js';

const real = globalThis.encodeURIComponent;
let builds = 0;
function counting(): void {
  builds = 0;
  globalThis.encodeURIComponent = (s: string | number | boolean) => {
    builds++;
    return real(s);
  };
}
afterEach(() => {
  globalThis.encodeURIComponent = real;
});

describe('redaction at scale', () => {
  test('redactDeep over 5000 strings builds each secret\'s variants once', () => {
    const secrets = ['tok-0123456789abcdef', 'pw with space/é'];
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: `q-${i}`, note: i % 100 === 0 ? `see tok-0123456789abcdef and ${real(secrets[1]!)}` : `row ${i}` }));
    counting();
    const out = redactDeep(rows, secrets);
    assert.equal(builds, secrets.length);
    assert.equal(out[0]!.note, 'see *** and ***');
    assert.equal(out[1]!.note, 'row 1');
    assert.ok(!JSON.stringify(out).includes('tok-0123456789abcdef'));
  });

  test('redact() with the same list again reuses the variants; a changed list (even the same array) is rebuilt', () => {
    const secrets = ['first-secret-1234'];
    redact('warm', secrets);
    counting();
    for (let i = 0; i < 1000; i++) assert.equal(redact(`a first-secret-1234 ${i}`, secrets), `a *** ${i}`);
    assert.equal(builds, 0);
    secrets.push('second-secret-5678'); // what CliContext.addSecret does
    assert.equal(redact('first-secret-1234 second-secret-5678', secrets), '*** ***');
    assert.equal(builds, 2);
  });

  test('redactor(): bound to a copy of the list; no secrets, text unchanged', () => {
    const secrets = ['bound-secret-0000'];
    const r = redactor(secrets);
    secrets.push('later-secret-1111');
    assert.equal(r('bound-secret-0000 later-secret-1111'), '*** later-secret-1111');
    assert.equal(redactor([undefined, null, 'abc'])('abc x'), 'abc x');
  });
});
