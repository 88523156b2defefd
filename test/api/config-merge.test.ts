// writeUserConfig (used by `autodl login`) merges into the file: keys it does not type,
// such as the `notify` list, survive; the file stays mode 0600.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readUserConfig, userConfigPath, writeUserConfig } from '../../src/credentials/credentials.js';

test('login keeps the notify list and other untyped keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autodl-cfg-merge-'));
  try {
    const env = { XDG_CONFIG_HOME: dir, HOME: dir };
    const path = userConfigPath(env);
    mkdirSync(join(dir, 'autodl'), { recursive: true });
    const notify = [{ type: 'webhook', url: 'http://127.0.0.1:9/hook' }];
    writeFileSync(path, JSON.stringify({ host: 'https://private.autodl.com', notify }), { mode: 0o644 });
    writeUserConfig({ token: 'merge-test-token' }, env);
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(raw.notify, notify);
    assert.equal(raw.host, 'https://private.autodl.com');
    assert.equal(readUserConfig(env).token, 'merge-test-token');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    writeUserConfig({ token: null }, env);
    const after = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    assert.equal(after.token, undefined);
    assert.deepEqual(after.notify, notify);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
