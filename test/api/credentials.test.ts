import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseDotenv,
  readUserConfig,
  requireToken,
  resolveCredentials,
  tokenHostProblem,
  userConfigPath,
  writeUserConfig,
} from '../../src/credentials/credentials.js';
import { createClient } from '../../src/credentials/factory.js';
import { AutodlError } from '../../src/errors.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'autodl-cred-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function fresh() {
  const dir = join(root, `case${n++}`);
  const cwd = join(dir, 'cwd');
  const xdg = join(dir, 'xdg');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(xdg, { recursive: true });
  const env: Record<string, string | undefined> = { XDG_CONFIG_HOME: xdg, HOME: join(dir, 'home') };
  return { cwd, xdg, env, cfg: join(xdg, 'autodl', 'config.json') };
}

function writeCfg(path: string, obj: unknown) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof obj === 'string' ? obj : JSON.stringify(obj));
}

describe('resolveCredentials', () => {
  test('order: env, then .env, then user config; host and dialect likewise', () => {
    const c = fresh();
    writeCfg(c.cfg, { token: 'cfg-token', host: 'https://cfg.example', dialect: 'public' });
    let r = resolveCredentials({ env: c.env, cwd: c.cwd });
    assert.equal(r.token, 'cfg-token');
    assert.equal(r.tokenSource, 'user_config');
    assert.equal(r.host, 'https://cfg.example');
    assert.equal(r.dialect, 'public');

    writeFileSync(join(c.cwd, '.env'), '# comment\nAUTODL_TOKEN="dot-token" # trailing\nAUTODL_HOST=https://dot.example\nAUTODL_DIALECT=private\n');
    r = resolveCredentials({ env: c.env, cwd: c.cwd });
    assert.equal(r.token, 'dot-token');
    assert.equal(r.tokenSource, 'dotenv');
    assert.equal(r.host, 'https://dot.example');
    assert.equal(r.dialect, 'private');

    r = resolveCredentials({ env: { ...c.env, AUTODL_TOKEN: 'env-token', AUTODL_HOST: 'https://api.autodl.com', AUTODL_DIALECT: 'public' }, cwd: c.cwd });
    assert.equal(r.token, 'env-token');
    assert.equal(r.tokenSource, 'env');
    assert.equal(r.host, 'https://api.autodl.com');
    assert.equal(r.dialect, 'public');
    assert.deepEqual(r.searched, ['env:AUTODL_TOKEN', join(c.cwd, '.env'), c.cfg]);
  });

  test('defaults: no token, private host, no dialect; requireToken → token_missing listing where it looked', () => {
    const c = fresh();
    const r = resolveCredentials({ env: c.env, cwd: c.cwd });
    assert.equal(r.token, undefined);
    assert.equal(r.host, 'https://private.autodl.com');
    assert.equal(r.dialect, undefined);
    assert.throws(
      () => requireToken(r),
      (e: unknown) => e instanceof AutodlError && e.errorType === 'token_missing' && JSON.stringify(e.details.searched) === JSON.stringify(r.searched),
    );
    assert.equal(requireToken({ token: 'x', searched: [] }), 'x');
  });

  test('empty AUTODL_TOKEN falls through; bad dialect and broken config → config_error without the token', () => {
    const c = fresh();
    writeCfg(c.cfg, { token: 'cfg-token' });
    assert.equal(resolveCredentials({ env: { ...c.env, AUTODL_TOKEN: '' }, cwd: c.cwd }).token, 'cfg-token');
    assert.throws(() => resolveCredentials({ env: { ...c.env, AUTODL_DIALECT: 'martian' }, cwd: c.cwd }), (e: unknown) => e instanceof AutodlError && e.errorType === 'config_error');
    writeCfg(c.cfg, '{"token": "leaky-secret-token", oops}');
    assert.throws(
      () => resolveCredentials({ env: c.env, cwd: c.cwd }),
      (e: unknown) =>
        e instanceof AutodlError &&
        e.errorType === 'config_error' &&
        e.details.path === c.cfg &&
        !JSON.stringify([e.message, e.details]).includes('leaky-secret-token'),
    );
  });

  test('user config path: XDG_CONFIG_HOME, else ~/.config', () => {
    assert.equal(userConfigPath({ XDG_CONFIG_HOME: '/x' }), join('/x', 'autodl', 'config.json'));
    assert.equal(userConfigPath({ HOME: '/h' }), join('/h', '.config', 'autodl', 'config.json'));
  });

  test('client without token resolves credentials from the injected env', () => {
    const c = fresh();
    writeFileSync(join(c.cwd, '.env'), 'AUTODL_TOKEN=from-dotenv\nAUTODL_HOST=https://api.autodl.com\n');
    const client = createClient({ credentials: { env: c.env, cwd: c.cwd } });
    assert.equal(client.tokenSource, 'dotenv');
    assert.equal(client.host, 'https://api.autodl.com');
    assert.equal(client.dialect, 'public');
  });
});

describe('writeUserConfig', () => {
  test('creates the directory, merges, removes null keys, mode 0600', () => {
    const c = fresh();
    writeUserConfig({ token: 'tok-1', lang: 'zh' }, c.env);
    writeUserConfig({ host: 'https://h.example', lang: null }, c.env);
    assert.deepEqual(readUserConfig(c.env), { token: 'tok-1', host: 'https://h.example' });
    assert.deepEqual(JSON.parse(readFileSync(c.cfg, 'utf8')), { token: 'tok-1', host: 'https://h.example' });
    if (process.platform !== 'win32') assert.equal(statSync(c.cfg).mode & 0o777, 0o600);
    assert.throws(() => writeUserConfig({ dialect: 'nope' }, c.env), AutodlError);
  });
});

describe('parseDotenv', () => {
  test('quotes, comments, export, escapes', () => {
    const env = parseDotenv(
      [
        '# c',
        'A=1',
        'export B = two words # comment',
        "C='single # not comment'",
        'D="dq \\"x\\" \\n y" # c',
        'E=',
        'not a line',
        'F=a#b',
        '',
      ].join('\r\n'),
    );
    assert.deepEqual(env, { A: '1', B: 'two words', C: 'single # not comment', D: 'dq "x" \n y', E: '', F: 'a#b' });
  });
});

describe('tokenHostProblem: a token goes only to the host it belongs to', () => {
  const refused = (c: ReturnType<typeof fresh>, env: Record<string, string | undefined> = {}, flag?: string) =>
    tokenHostProblem(resolveCredentials({ env: { ...c.env, ...env }, cwd: c.cwd }), flag);

  test('user config token: its saved host (default when none); a .env or AUTODL_HOST elsewhere is refused; --host wins', () => {
    const c = fresh();
    writeCfg(c.cfg, { token: 'cfg-token', host: 'http://127.0.0.1:9000' });
    assert.equal(refused(c), undefined);
    assert.equal(refused(c, { AUTODL_HOST: 'http://127.0.0.1:9000/' }), undefined, 'same origin, trailing slash');
    const e = refused(c, { AUTODL_HOST: 'http://127.0.0.1:9001' });
    assert.ok(e instanceof AutodlError && e.errorType === 'config_error' && e.exitCode === 1);
    assert.equal(e.details.reason, 'token_host_mismatch');
    assert.equal(e.details.token_host, 'http://127.0.0.1:9000');
    writeFileSync(join(c.cwd, '.env'), 'AUTODL_HOST=https://evil.example\n');
    assert.equal(refused(c)?.details.host_source, join(c.cwd, '.env'));
    assert.equal(refused(c, {}, 'https://evil.example'), undefined, '--host names it');

    const d = fresh();
    writeCfg(d.cfg, { token: 'old-token' }); // saved before hosts were recorded: the default host
    assert.equal(refused(d), undefined);
    assert.ok(refused(d, { AUTODL_HOST: 'https://other.example' }));
    assert.equal(refused(d, { AUTODL_HOST: 'https://api.autodl.com' }), undefined, "AutoDL's own hosts are always fine");
  });

  test('AUTODL_TOKEN: AUTODL_HOST, else the config host or the default; a .env host alone is refused', () => {
    const c = fresh();
    writeFileSync(join(c.cwd, '.env'), 'AUTODL_HOST=https://evil.example\n');
    assert.ok(refused(c, { AUTODL_TOKEN: 'env-token' }));
    assert.equal(refused(c, { AUTODL_TOKEN: 'env-token', AUTODL_HOST: 'https://mine.example' }), undefined, 'both from the environment');
  });

  test('a .env token may go to any host; no token, no problem; the message escapes control characters', () => {
    const c = fresh();
    writeFileSync(join(c.cwd, '.env'), 'AUTODL_TOKEN=dot-token\n');
    assert.equal(refused(c, { AUTODL_HOST: 'https://elsewhere.example' }), undefined);
    const d = fresh();
    assert.equal(refused(d, { AUTODL_HOST: 'https://elsewhere.example' }), undefined);
    const e = fresh();
    writeCfg(e.cfg, { token: 'cfg-token' });
    writeFileSync(join(e.cwd, '.env'), 'AUTODL_HOST=https://x.example\u001b[2J\n');
    const err = refused(e);
    assert.ok(err);
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u001f]/.test(err.message));
  });
});
