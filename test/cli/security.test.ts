// Client security end to end (issue 11 §2): the real CLI against the simulator and against
// hostile loopback servers and hostile files of this test's own.
// - `autodl ssh` takes only user, host and port from the server's ssh_command;
// - a token goes only to the host it belongs to (a .env's AUTODL_HOST cannot redirect it);
// - config and skill files are never written through planted links;
// - notifications follow no redirect and refuse plain http:// to non-loopback hosts;
// - a PostgreSQL password on the command line is warned about; PGPASSWORD / a passfile work.
import { after, before, describe, test } from 'node:test';
import type { CreateDeploymentBody } from '../../src/api/types.js';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lchownSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutodlClient } from '../../src/api/client.js';
import { createClient } from '../../src/credentials/factory.js';
import { AutodlError } from '../../src/errors.js';
import { notify, sinksFromConfig } from '../../src/notify/index.js';
import { passfileLookup } from '../../src/queue/pg-pass.js';
import { parseSshCommand } from '../../src/cli/commands/ssh.js';
import { deploymentConfig, emptyDir, json, runCli, tempHome, useSim, type Home, type SimHandle } from './helpers.js';
import { hostileSshCommands, markersIn, recordingServer, writeFakeSsh, type RecordingServer } from './hostile.js';
import { PG_SKIP } from '../queue/pg-helpers.js';

let sim: SimHandle;
useSim((s) => (sim = s));

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const NOBODY = 65534;

interface ErrorOut {
  status: string;
  error_type: string;
  message: string;
  details: Record<string, unknown>;
}

describe('ssh: only user, host and port of the server\'s command are used', () => {
  let containerUuid = '';
  let proxy = '';
  let port = 0;
  const setCommand = (cmd: string) => {
    const c = sim.world.tenantFor(sim.token)!.containerByUuid.get(containerUuid)!;
    c.info.ssh_command = cmd;
  };
  before(async () => {
    const api = new AutodlClient({ token: sim.token, host: sim.url });
    const { deployment_uuid } = await api.deployments.create(deploymentConfig('ssh-sec', { type: 'ReplicaSet' }) as unknown as CreateDeploymentBody);
    sim.world.advance(30_000);
    const c = sim.world.listContainers(sim.world.tenantFor(sim.token)!, deployment_uuid, {})[0]!;
    containerUuid = c.uuid;
    proxy = c.info.proxy_host;
    port = c.info.custom_port;
  });

  test('every hostile variant is refused (api_error, exit 3, the text escaped); the planted command runs 0 times', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'autodl-sec-ssh-'));
    const fake = writeFakeSsh(bin);
    const variants = hostileSshCommands(proxy, join(bin, 'PLANTED'));
    for (const v of variants) {
      setCommand(v.command);
      const r = await runCli(['ssh', containerUuid, '--exec', '--json'], { sim, env: { PATH: `${bin}:/usr/bin:/bin` } });
      assert.equal(r.code, 3, `${v.name}: ${r.stdout}${r.stderr}`);
      const e = json<ErrorOut>(r);
      assert.equal(e.error_type, 'api_error', v.name);
      assert.equal(e.details.kind, 'refused', v.name);
      assert.match(e.message, /refused the SSH command/, v.name);
      // eslint-disable-next-line no-control-regex
      assert.ok(!/[\u0000-\u0008\u000a-\u001f]/.test(e.message), `${v.name}: control characters escaped in the message`);
      // printing (no --exec) refuses too: nobody is handed a command to paste
      const shown = await runCli(['ssh', containerUuid, '--no-json'], { sim });
      assert.equal(shown.code, 3, v.name);
      assert.ok(!shown.stdout.includes(v.command), v.name);
    }
    assert.equal(fake.calls().length, 0, 'ssh never started');
    assert.equal(markersIn(bin, 'PLANTED'), 0, 'planted commands executed');
  });

  test('the platform\'s shapes work: argv built here, `--` before the destination, spawned without a shell', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'autodl-sec-ssh-ok-'));
    const fake = writeFakeSsh(bin);
    for (const [cmd, argv] of [
      [`ssh -p ${port} root@${proxy}`, ['-p', String(port), '--', `root@${proxy}`]],
      [`ssh root@${proxy} -p ${port}`, ['-p', String(port), '--', `root@${proxy}`]],
      [`  ssh\t-p${port}   root@10.0.0.7 `, ['-p', String(port), '--', 'root@10.0.0.7']],
      [`ssh root@${proxy}`, ['--', `root@${proxy}`]],
    ] as const) {
      setCommand(cmd);
      const r = await runCli(['ssh', containerUuid, '--exec'], { sim, env: { PATH: `${bin}:/usr/bin:/bin` } });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(fake.calls().at(-1), argv, cmd);
      const shown = json<{ ssh_command: string; user: string; host: string }>(await runCli(['ssh', containerUuid, '--json'], { sim }));
      assert.equal(shown.ssh_command, `ssh ${argv.length === 4 ? `-p ${argv[1]} ` : ''}${argv.at(-1)}`);
    }
    setCommand(`ssh -p ${port} root@${proxy}`);
  });
});

test('parseSshCommand: the accepted shapes and the edges', () => {
  assert.deepEqual(parseSshCommand('ssh -p 12345 root@region-1.autodl.com'), { user: 'root', host: 'region-1.autodl.com', port: 12345 });
  assert.deepEqual(parseSshCommand('ssh root@10.1.2.3'), { user: 'root', host: '10.1.2.3' });
  assert.deepEqual(parseSshCommand('ssh root@connect.westb.seetacloud.com -p 65535'), { user: 'root', host: 'connect.westb.seetacloud.com', port: 65535 });
  for (const bad of [
    'ssh -p 0 root@h.example',
    'ssh -p 012 root@h.example',
    'ssh -p 65536 root@h.example',
    'ssh -p 22 -p 23 root@h.example',
    'ssh -p 22 root@300.1.1.1',
    'ssh -p 22 root@h_x.example',
    'ssh -p 22 root@.example',
    'ssh -p 22 root@h..example',
    'ssh -p 22 -root@h.example',
    'ssh -p 22 @h.example',
    'ssh -p 22 root@',
    'ssh -p 22 a@b@h.example',
    'ssh -p 22 -- root@h.example',
    `ssh -p 22 ${'a'.repeat(40)}@h.example`,
    `ssh -p 22 root@${'a.'.repeat(200)}example`,
    'ssh -p 22 root@h.example\u2028x',
    'ssh',
    '',
  ]) {
    assert.ok('refused' in parseSshCommand(bad), bad);
  }
});

describe('the token goes only to the host it belongs to', () => {
  let attacker: RecordingServer;
  let home: Home;
  before(async () => {
    attacker = await recordingServer();
    home = tempHome();
    // login saves the token with the host named on the command line
    const r = await runCli(['--host', sim.url, 'login', '--token-stdin', '--json'], { home, input: sim.token, env: { AUTODL_TOKEN: undefined, AUTODL_HOST: undefined } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(json<{ host: string }>(r).host, sim.url);
    assert.equal((JSON.parse(readFileSync(join(home.env.XDG_CONFIG_HOME, 'autodl', 'config.json'), 'utf8')) as { host: string }).host, sim.url);
  });
  after(async () => {
    await attacker.close();
    home.cleanup();
  });
  const tokenRequests = () => attacker.requests.filter((r) => r.headers.authorization === sim.token).length;

  test('a checkout whose .env sets only AUTODL_HOST gets nothing: config_error, exit 1, before any request', async () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, '.env'), `AUTODL_HOST=${attacker.url}\n`);
    for (const args of [['deployments'], ['stock'], ['ssh', 'abc-def-0123']]) {
      const r = await runCli(args, { home, cwd, env: { AUTODL_TOKEN: undefined, AUTODL_HOST: undefined } });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const e = json<ErrorOut>(r);
      assert.equal(e.error_type, 'config_error');
      assert.equal(e.details.reason, 'token_host_mismatch');
      assert.match(e.message, /--host/);
      assert.ok(e.message.includes(attacker.url));
    }
    // AUTODL_TOKEN in the environment is not redirected by the .env either
    const envToken = await runCli(['deployments'], { home, cwd, env: { AUTODL_TOKEN: sim.token, AUTODL_HOST: undefined } });
    assert.equal(envToken.code, 1);
    // --dry-run needs no token: it runs, and shows none
    assert.equal(attacker.requests.length, 0, 'the foreign host received no request');
    assert.equal(tokenRequests(), 0);
  });

  test('the saved host, the same source, or --host: the token is sent', async () => {
    const n = sim.requests();
    // the saved host
    const saved = await runCli(['stock'], { home, env: { AUTODL_TOKEN: undefined, AUTODL_HOST: undefined } });
    assert.equal(saved.code, 0, saved.stderr);
    // AUTODL_HOST equal to the saved host
    assert.equal((await runCli(['stock'], { home, env: { AUTODL_TOKEN: undefined, AUTODL_HOST: `${sim.url}/` } })).code, 0);
    // token and host from the same .env
    const cwd = emptyDir();
    writeFileSync(join(cwd, '.env'), `AUTODL_HOST=${sim.url}\nAUTODL_TOKEN=${sim.token}\n`);
    assert.equal((await runCli(['stock'], { home: tempHome(), cwd, env: { AUTODL_TOKEN: undefined, AUTODL_HOST: undefined } })).code, 0);
    // both in the environment
    assert.equal((await runCli(['stock'], { sim, home: tempHome() })).code, 0);
    assert.ok(sim.requests() >= n + 4);
    // named on the command line, the .env's host is overridden anyway
    const hijack = emptyDir();
    writeFileSync(join(hijack, '.env'), `AUTODL_HOST=${attacker.url}\n`);
    assert.equal((await runCli(['--host', sim.url, 'stock'], { home, cwd: hijack, env: { AUTODL_TOKEN: undefined, AUTODL_HOST: undefined } })).code, 0);
    assert.equal(tokenRequests(), 0);
  });

  test('the SDK (credentials from env/.env/config) refuses the same way, at request time', async () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, '.env'), `AUTODL_HOST=${attacker.url}\n`);
    const client = createClient({ credentials: { env: { ...home.env }, cwd } });
    await assert.rejects(client.stock.get(), (e: unknown) => e instanceof AutodlError && e.errorType === 'config_error' && e.details.reason === 'token_host_mismatch');
    assert.equal(attacker.requests.length, 0);
  });
});

describe('config and skill files are never written through planted links', () => {
  test('login: a config dir of ours open to others is repaired; a link planted at config.json is replaced, not followed', async () => {
    const home = tempHome();
    try {
      const dir = join(home.env.XDG_CONFIG_HOME, 'autodl');
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o777);
      const victim = join(home.dir, 'victim.json');
      writeFileSync(victim, '{}\n');
      symlinkSync(victim, join(dir, 'config.json'));
      const r = await runCli(['--host', sim.url, 'login', '--no-check', '--token-stdin', '--json'], { home, input: 'tok-123' });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(readFileSync(victim, 'utf8'), '{}\n', 'nothing written through the link');
      assert.equal(statSync(dir).mode & 0o022, 0, 'group/other write removed');
      const st = statSync(join(dir, 'config.json'));
      assert.ok(st.isFile());
      assert.equal(st.mode & 0o777, 0o600);
    } finally {
      home.cleanup();
    }
  });

  test('login: another user\'s open config directory, or their symlink as the directory, is refused (config_error, exit 1)', { skip: !isRoot && 'needs root to make files owned by another user' }, async () => {
    const home = tempHome();
    try {
      const cfg = home.env.XDG_CONFIG_HOME;
      mkdirSync(cfg, { recursive: true });
      const dir = join(cfg, 'autodl');
      mkdirSync(dir);
      chmodSync(dir, 0o777);
      lchownSync(dir, NOBODY, NOBODY);
      const open = await runCli(['login', '--no-check', '--token-stdin', '--json'], { home, input: 'tok-123' });
      assert.equal(open.code, 1, open.stdout);
      const e = json<ErrorOut>(open);
      assert.equal(e.error_type, 'config_error');
      assert.equal(e.details.reason, 'open_to_others');
      assert.equal(existsSync(join(dir, 'config.json')), false);

      // a link another user planted at config.json (in a directory that was open): refused, its target untouched
      const home3 = tempHome();
      const dir3 = join(home3.env.XDG_CONFIG_HOME, 'autodl');
      mkdirSync(dir3, { recursive: true, mode: 0o700 });
      const victim = join(home3.dir, 'victim.txt');
      writeFileSync(victim, 'untouched');
      symlinkSync(victim, join(dir3, 'config.json'));
      lchownSync(join(dir3, 'config.json'), NOBODY, NOBODY);
      const planted = await runCli(['login', '--no-check', '--token-stdin', '--json'], { home: home3, input: 'tok-123' });
      assert.equal(planted.code, 1, planted.stdout);
      assert.equal(json<ErrorOut>(planted).details.reason, 'symlink_not_owned');
      assert.equal(readFileSync(victim, 'utf8'), 'untouched');
      home3.cleanup();

      const home2 = tempHome();
      const target = mkdtempSync(join(tmpdir(), 'autodl-sec-target-'));
      mkdirSync(home2.env.XDG_CONFIG_HOME, { recursive: true });
      symlinkSync(target, join(home2.env.XDG_CONFIG_HOME, 'autodl'));
      lchownSync(join(home2.env.XDG_CONFIG_HOME, 'autodl'), NOBODY, NOBODY);
      const link = await runCli(['login', '--no-check', '--token-stdin', '--json'], { home: home2, input: 'tok-123' });
      assert.equal(link.code, 1);
      assert.equal(json<ErrorOut>(link).details.reason, 'symlink_not_owned');
      assert.equal(existsSync(join(target, 'config.json')), false);
      home2.cleanup();
    } finally {
      home.cleanup();
    }
  });

  test('login into a directory it cannot write is a config_error (exit 1), not api_error', async () => {
    const home = tempHome();
    try {
      // a regular file where the config directory should be: mkdir fails for anyone, root included
      writeFileSync(home.env.XDG_CONFIG_HOME, 'not a directory');
      const r = await runCli(['login', '--no-check', '--token-stdin', '--json'], { home, input: 'tok-123' });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const e = json<ErrorOut>(r);
      assert.equal(e.error_type, 'config_error');
      assert.match(e.message, /cannot write the config file/);
    } finally {
      home.cleanup();
    }
  });

  test('skill install: a SKILL.md that is a link is refused, its target untouched', async () => {
    const home = tempHome();
    try {
      const dir = join(home.dir, 'skills');
      mkdirSync(dir, { recursive: true });
      const victim = join(home.dir, 'victim.txt');
      writeFileSync(victim, 'untouched');
      symlinkSync(victim, join(dir, 'SKILL.md'));
      const r = await runCli(['skill', 'install', '--dir', dir, '--json'], { home });
      assert.equal(r.code, 1, r.stdout);
      const e = json<ErrorOut>(r);
      assert.equal(e.error_type, 'config_error');
      assert.equal(e.details.reason, 'symlink');
      assert.equal(readFileSync(victim, 'utf8'), 'untouched');
    } finally {
      home.cleanup();
    }
  });

  test('skill install: a target directory that is another user\'s link is refused', { skip: !isRoot && 'needs root to make files owned by another user' }, async () => {
    const home = tempHome();
    try {
      const target = mkdtempSync(join(tmpdir(), 'autodl-sec-skill-'));
      const skills = join(home.dir, '.claude', 'skills');
      mkdirSync(skills, { recursive: true });
      symlinkSync(target, join(skills, 'autodl-elastic'));
      lchownSync(join(skills, 'autodl-elastic'), NOBODY, NOBODY);
      const r = await runCli(['skill', 'install', '--json'], { home });
      assert.equal(r.code, 1);
      assert.equal(json<ErrorOut>(r).details.reason, 'symlink_not_owned');
      assert.equal(existsSync(join(target, 'SKILL.md')), false);
    } finally {
      home.cleanup();
    }
  });
});

describe('notifications: no redirects, no plain http to other hosts', () => {
  let target: RecordingServer;
  let redirector: RecordingServer;
  const SECRET = `hook-secret-${process.pid}`;
  before(async () => {
    target = await recordingServer();
    redirector = await recordingServer((_r, res) => {
      res.writeHead(307, { location: `${target.url}/collect` });
      res.end();
    });
  });
  after(async () => {
    await target.close();
    await redirector.close();
  });

  test('a 3xx answer is a failed delivery with a clear message; the redirect target receives nothing', async () => {
    const home = tempHome();
    try {
      mkdirSync(join(home.env.XDG_CONFIG_HOME, 'autodl'), { recursive: true });
      writeFileSync(
        join(home.env.XDG_CONFIG_HOME, 'autodl', 'config.json'),
        JSON.stringify({ notify: [{ type: 'webhook', url: `${redirector.url}/hook`, headers: { 'X-Auth': SECRET } }, { type: 'feishu', url: `${redirector.url}/bot/v2/hook/abcdefabcdef`, secret: SECRET }] }),
      );
      const r = await runCli(['notify-test', '--json'], { home });
      assert.equal(r.code, 3, r.stdout + r.stderr);
      const e = json<ErrorOut>(r);
      assert.equal(e.error_type, 'api_error');
      const results = e.details.results as Array<{ ok: boolean; status: number; error: string; attempts: number }>;
      assert.equal(results.length, 2);
      for (const x of results) {
        assert.equal(x.ok, false);
        assert.equal(x.status, 307);
        assert.match(x.error, /redirect/);
        assert.equal(x.attempts, 1, 'a redirect is not retried');
      }
      assert.equal(redirector.requests.length, 2);
      assert.equal(redirector.requests[0]!.headers['x-auth'], SECRET, 'the configured sink got its header');
      assert.equal(target.requests.length, 0, 'the redirect target received no request');
      assert.ok(!(r.stdout + r.stderr).includes(SECRET));
    } finally {
      home.cleanup();
    }
  });

  test('plain http:// to a non-loopback host is refused unless "allow_insecure_http": true', async () => {
    const home = tempHome();
    try {
      mkdirSync(join(home.env.XDG_CONFIG_HOME, 'autodl'), { recursive: true });
      writeFileSync(join(home.env.XDG_CONFIG_HOME, 'autodl', 'config.json'), JSON.stringify({ notify: [{ type: 'webhook', url: 'http://hooks.example.com/x' }] }));
      const r = await runCli(['notify-test', '--json'], { home });
      assert.equal(r.code, 1);
      const e = json<ErrorOut>(r);
      assert.equal(e.error_type, 'config_error');
      assert.match(JSON.stringify(e.details), /allow_insecure_http/);
      const byUrl = await runCli(['notify-test', '--url', 'http://hooks.example.com/x', '--json'], { home });
      assert.equal(byUrl.code, 1);
    } finally {
      home.cleanup();
    }
    // the opt-in is accepted (a non-loopback sink cannot be sent to from a test: only the parse is checked)
    const sinks = sinksFromConfig([{ type: 'webhook', url: 'http://hooks.example.com/x', allow_insecure_http: true }]);
    assert.equal(sinks[0]!.allowInsecureHttp, true);
    assert.throws(() => sinksFromConfig([{ type: 'webhook', url: 'https://x.example', allow_insecure_http: 'yes' }]), /invalid notification sinks/);
    // and notify() itself refuses such a sink built by hand, without a request
    let calls = 0;
    const [res] = await notify({ kind: 'test', message: 'x' }, [{ type: 'webhook', url: 'http://hooks.example.com/x' }], {
      fetch: (async () => {
        calls++;
        return new Response('');
      }) as typeof fetch,
    });
    assert.equal(res!.ok, false);
    assert.match(res!.error!, /allow_insecure_http/);
    assert.equal(calls, 0);
  });
});

describe('the PostgreSQL password stays out of argv', () => {
  test('a password in --db is warned about on stderr; in AUTODL_QUEUE_DB it is not; never printed', async () => {
    const pw = `pgpw-${process.pid}-secret`;
    const url = `postgres://u:${pw}@127.0.0.1:1/db`; // nothing listens on port 1: the open fails fast
    const r = await runCli(['queue', 'ls', '--db', url, '--json'], {});
    assert.match(r.stderr, /"code":"password_in_argv"/);
    assert.match(r.stderr, /PGPASSWORD/);
    const env = await runCli(['queue', 'ls', '--json'], { env: { AUTODL_QUEUE_DB: url } });
    assert.doesNotMatch(env.stderr, /password_in_argv/);
    assert.ok(!(r.stdout + r.stderr + env.stdout + env.stderr).includes(pw));
    const human = await runCli(['queue', 'ls', '--db', url, '--no-json'], {});
    assert.match(human.stderr, /process list/);
  });

  test('passfile lines: wildcards, escapes, first match wins', () => {
    const text = ['# comment', 'db.example:5432:queue:alice:first', '*:*:*:bob:pa\\:ss\\\\word', '*:*:*:*:fallback', ''].join('\n');
    assert.equal(passfileLookup(text, { host: 'db.example', port: 5432, database: 'queue', user: 'alice' }), 'first');
    assert.equal(passfileLookup(text, { host: 'other', port: 6543, database: 'x', user: 'bob' }), 'pa:ss\\word');
    assert.equal(passfileLookup(text, { host: 'db.example', port: 5432, database: 'other', user: 'alice' }), 'fallback');
    assert.equal(passfileLookup('h:1:d:u', { host: 'h', port: 1, database: 'd', user: 'u' }), undefined);
  });

  test('PGPASSWORD and a passfile (PGPASSFILE, mode 0600) open the queue; no deprecation warning', { skip: PG_SKIP }, async () => {
    const { freshPgDatabase, dropPgDatabases } = await import('../queue/pg-helpers.js');
    try {
      const full = new URL(await freshPgDatabase());
      const password = decodeURIComponent(full.password);
      full.password = '';
      const bare = full.toString();
      const viaEnv = await runCli(['queue', 'ls', '--db', bare, '--json'], { env: { PGPASSWORD: password } });
      assert.equal(viaEnv.code, 0, viaEnv.stdout + viaEnv.stderr);
      assert.doesNotMatch(viaEnv.stderr, /password_in_argv/);
      const dir = mkdtempSync(join(tmpdir(), 'autodl-sec-pgpass-'));
      const file = join(dir, 'pgpass');
      writeFileSync(file, `# test\n${full.hostname}:${full.port || 5432}:*:${decodeURIComponent(full.username)}:${password.replace(/\\/g, '\\\\').replace(/:/g, '\\:')}\n`, { mode: 0o600 });
      const viaFile = await runCli(['queue', 'ls', '--db', bare, '--json'], { env: { PGPASSFILE: file, PGPASSWORD: undefined } });
      assert.equal(viaFile.code, 0, viaFile.stdout + viaFile.stderr);
      assert.doesNotMatch(viaFile.stderr, /Deprecation/);
      // a passfile others can read is ignored, as libpq does
      chmodSync(file, 0o644);
      const open = await runCli(['queue', 'ls', '--db', bare, '--json'], { env: { PGPASSFILE: file, PGPASSWORD: undefined } });
      assert.notEqual(open.code, 0);
      assert.ok(!(viaEnv.stdout + viaEnv.stderr + viaFile.stdout + viaFile.stderr + open.stdout + open.stderr).includes(password));
    } finally {
      await dropPgDatabases();
    }
  });

});
