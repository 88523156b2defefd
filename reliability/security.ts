// Section 7 — client security (issue 11 §2): what a hostile server, a hostile checkout or a
// hostile neighbour on the machine can make the real CLI do. The server's ssh_command,
// a `.env` that only sets AUTODL_HOST, webhook sinks that redirect, links planted where the
// config and the skill are written, a PostgreSQL password on the command line.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lchownSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutodlClient } from '../src/api/index.js';
import { createClient } from '../src/credentials/factory.js';
import { AutodlError } from '../src/errors.js';
import { startSimulator } from '../src/sim/index.js';
import { hostileSshCommands, markersIn, recordingServer, writeFakeSsh } from '../test/cli/hostile.js';
import { jobBody } from './faults.js';
import { check, cleanEnv, newSection, runCli, type Section, type Suite } from './lib.js';

const NOBODY = 65534;

export async function security(suite: Suite): Promise<Section> {
  const sec = newSection(
    'security',
    '7. Client security',
    'The real CLI against a simulator whose container `ssh_command` is hostile (with a fake `ssh` on PATH that records its argv and, like OpenSSH, runs any ProxyCommand/LocalCommand it is given), against a recording loopback server named only by a `.env`, against webhook sinks that answer with redirects, with links planted where `login` and `skill install` write, and with a PostgreSQL password in `--db`.',
  );
  const token = `rel-sec-${randomBytes(12).toString('hex')}`;
  suite.secret(token);
  // what `login` saves: a config file holds it by design, so it is not in the secrets section's search set
  // (that section searches every file of the run); it is looked for at the foreign host instead
  const loginToken = `rel-sec-login-${randomBytes(12).toString('hex')}`;
  const sim = await startSimulator({ tokens: [token], clock: 'manual', backgroundLoad: false });
  const work = mkdtempSync(join(suite.work, 'security-'));
  const home = (name: string) => {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    return { dir, env: cleanEnv({ HOME: dir, XDG_CONFIG_HOME: join(dir, '.config'), XDG_DATA_HOME: join(dir, '.local', 'share') }) };
  };
  try {
    // ---- ssh_command from the server ----
    const api = new AutodlClient({ token, host: sim.url, retries: 0 });
    const dep = (await api.deployments.create({ ...jobBody('sec-ssh'), deployment_type: 'ReplicaSet' })).deployment_uuid;
    sim.world.advance(30_000);
    const tenant = sim.world.tenantFor(token)!;
    const c = sim.world.listContainers(tenant, dep, {})[0]!;
    const bin = join(work, 'bin');
    mkdirSync(bin);
    const fake = writeFakeSsh(bin);
    const variants = hostileSshCommands(c.info.proxy_host, join(bin, 'PLANTED'));
    const env = { ...cleanEnv({ AUTODL_TOKEN: token, AUTODL_HOST: sim.url, HOME: work }), PATH: `${bin}:/usr/bin:/bin` };
    let refused = 0;
    const notRefused: string[] = [];
    for (const v of variants) {
      tenant.containerByUuid.get(c.uuid)!.info.ssh_command = v.command;
      const r = await runCli(suite, ['ssh', c.uuid, '--exec', '--json'], { env });
      let type = '';
      try {
        type = (JSON.parse(r.stdout) as { error_type?: string; details?: { kind?: string } }).details?.kind === 'refused' ? 'refused' : '';
      } catch {
        /* counted below */
      }
      if (r.code === 3 && type === 'refused') refused++;
      else notRefused.push(v.name);
    }
    const cmdSsh = `${suite.rerun('security')} (autodl ssh <container> --exec with ${variants.length} hostile ssh_command values: ProxyCommand, -o, LocalCommand, -F, ; $() backticks && | newline ESC, remote command, leading - host, bad user/port …)`;
    check(sec, 'hostile ssh_command variants refused', `${refused}/${variants.length}`, refused === variants.length, cmdSsh, notRefused.join(', '));
    const executions = markersIn(bin, 'PLANTED');
    check(sec, 'planted commands: executions', executions, executions === 0, cmdSsh);
    check(sec, 'ssh started for a hostile command', fake.calls().length, fake.calls().length === 0, cmdSsh);
    tenant.containerByUuid.get(c.uuid)!.info.ssh_command = `ssh -p ${c.info.custom_port} root@${c.info.proxy_host}`;
    const ok = await runCli(suite, ['ssh', c.uuid, '--exec'], { env });
    const argv = JSON.stringify(fake.calls().at(-1) ?? []);
    const want = JSON.stringify(['-p', String(c.info.custom_port), '--', `root@${c.info.proxy_host}`]);
    check(sec, 'platform shape `ssh -p PORT root@host`: argv', argv === want ? 'exact, `--` before the destination' : argv, ok.code === 0 && argv === want, cmdSsh);

    // ---- .env host hijack ----
    const attacker = await recordingServer();
    try {
      const h = home('login-home');
      await runCli(suite, ['--host', sim.url, 'login', '--token-stdin', '--no-check', '--json'], { env: h.env, input: loginToken });
      const checkout = join(work, 'checkout');
      mkdirSync(checkout);
      writeFileSync(join(checkout, '.env'), `AUTODL_HOST=${attacker.url}\n`);
      const commands = [['deployments'], ['stock'], ['images'], ['containers', dep], ['events', dep], ['blacklist', 'ls'], ['describe', dep]];
      let clean = 0;
      for (const args of commands) {
        const r = await runCli(suite, [...args, '--json'], { env: h.env, cwd: checkout });
        if (r.code === 1 && r.stdout.includes('token_host_mismatch')) clean++;
      }
      // AUTODL_TOKEN in the environment, the host from the .env
      const envTok = await runCli(suite, ['deployments', '--json'], { env: { ...h.env, AUTODL_TOKEN: token }, cwd: checkout });
      if (envTok.code === 1) clean++;
      // the SDK with credentials from env/.env/config
      try {
        await createClient({ credentials: { env: h.env, cwd: checkout }, retries: 0 }).stock.get();
      } catch (e) {
        if (e instanceof AutodlError && e.details.reason === 'token_host_mismatch') clean++;
      }
      const sent = attacker.requests.filter((r) => r.headers.authorization === token || r.headers.authorization === loginToken).length;
      const cmdEnv = `${suite.rerun('security')} (autodl login --host <sim>; then ${commands.length} commands, one with AUTODL_TOKEN in the environment, and the SDK, in a checkout whose .env sets only AUTODL_HOST=<recording server>)`;
      check(sec, '.env host hijack: token sent to the foreign host', sent, sent === 0, cmdEnv);
      check(sec, '.env host hijack: refused with config_error before any request', `${clean}/${commands.length + 2}`, clean === commands.length + 2 && attacker.requests.length === 0, cmdEnv, `${attacker.requests.length} request(s) reached it`);
    } finally {
      await attacker.close();
    }

    // ---- webhook redirects ----
    const target = await recordingServer();
    const redirectors = await Promise.all(
      [301, 302, 303, 307, 308].map((status) =>
        recordingServer((_r, res) => {
          res.writeHead(status, { location: `${target.url}/collect` });
          res.end();
        }),
      ),
    );
    try {
      // the sinks' secret sits in their config file by design: searched for here, not by the secrets section
      const hookSecret = `rel-hook-${randomBytes(10).toString('hex')}`;
      const sinks = redirectors.flatMap((r) => [
        { type: 'webhook', url: `${r.url}/hook`, headers: { 'X-Auth': hookSecret } },
        { type: 'feishu', url: `${r.url}/open-apis/bot/v2/hook/0123456789abcdef`, secret: hookSecret },
      ]);
      const h = home('notify-home');
      mkdirSync(join(h.dir, '.config', 'autodl'), { recursive: true, mode: 0o700 });
      writeFileSync(join(h.dir, '.config', 'autodl', 'config.json'), JSON.stringify({ notify: sinks }), { mode: 0o600 });
      const r = await runCli(suite, ['notify-test', '--json'], { env: h.env });
      let failed = 0;
      try {
        failed = ((JSON.parse(r.stdout) as { details?: { results?: Array<{ ok: boolean; error?: string }> } }).details?.results ?? []).filter((x) => !x.ok && /redirect/.test(x.error ?? '')).length;
      } catch {
        /* counted as 0 */
      }
      const leaked = target.requests.filter((q) => q.headers['x-auth'] === hookSecret || JSON.stringify(q.headers).includes(hookSecret)).length;
      const cmdHook = `${suite.rerun('security')} (autodl notify-test with ${sinks.length} webhook/feishu sinks answering 301/302/303/307/308 to a recording target)`;
      check(sec, 'webhook redirect: secret headers to the redirect target', leaked, leaked === 0, cmdHook);
      check(sec, 'webhook redirect: requests to the redirect target', target.requests.length, target.requests.length === 0, cmdHook);
      check(sec, 'webhook redirect: reported as failed deliveries', `${failed}/${sinks.length}`, failed === sinks.length && r.code === 3, cmdHook);
      const printed = (r.stdout + r.stderr).split(hookSecret).length - 1;
      check(sec, 'webhook redirect: sink secret in the output', printed, printed === 0, cmdHook);
      const insecure = await runCli(suite, ['notify-test', '--url', 'http://hooks.example.com/x', '--json'], { env: h.env });
      check(sec, 'plain http:// sink to a non-loopback host', insecure.code === 1 && insecure.stdout.includes('allow_insecure_http') ? 'refused (config_error)' : `exit ${insecure.code}`, insecure.code === 1 && insecure.stdout.includes('allow_insecure_http'), `${suite.rerun('security')} (autodl notify-test --url http://hooks.example.com/x)`);
    } finally {
      await target.close();
      await Promise.all(redirectors.map((r) => r.close()));
    }

    // ---- links planted where login and skill install write ----
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    let writtenThrough = 0;
    let cases = 0;
    const victim = (name: string, text: string) => {
      const p = join(work, name);
      writeFileSync(p, text);
      return { p, text, touched: () => readFileSync(p, 'utf8') !== text };
    };
    {
      // config.json a link (ours) in a config directory of ours that others can write
      const h = home('link-1');
      const dir = join(h.dir, '.config', 'autodl');
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o777);
      const v = victim('victim-1.json', '{}\n');
      symlinkSync(v.p, join(dir, 'config.json'));
      await runCli(suite, ['--host', sim.url, 'login', '--token-stdin', '--no-check', '--json'], { env: h.env, input: loginToken });
      cases++;
      if (v.touched()) writtenThrough++;
    }
    {
      // SKILL.md a link
      const dir = join(work, 'skill-1');
      mkdirSync(dir);
      const v = victim('victim-2.txt', 'untouched');
      symlinkSync(v.p, join(dir, 'SKILL.md'));
      await runCli(suite, ['skill', 'install', '--dir', dir, '--json'], { env: home('skill-home').env });
      cases++;
      if (v.touched()) writtenThrough++;
    }
    if (root) {
      // another user's link at config.json; another user's link as the config directory; as the skill directory
      const h = home('link-2');
      const dir = join(h.dir, '.config', 'autodl');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const v = victim('victim-3.txt', 'untouched');
      symlinkSync(v.p, join(dir, 'config.json'));
      lchownSync(join(dir, 'config.json'), NOBODY, NOBODY);
      await runCli(suite, ['login', '--token-stdin', '--no-check', '--json'], { env: h.env, input: loginToken });
      cases++;
      if (v.touched()) writtenThrough++;
      const h2 = home('link-3');
      const elsewhere = join(work, 'elsewhere');
      mkdirSync(elsewhere);
      mkdirSync(join(h2.dir, '.config'), { recursive: true });
      symlinkSync(elsewhere, join(h2.dir, '.config', 'autodl'));
      lchownSync(join(h2.dir, '.config', 'autodl'), NOBODY, NOBODY);
      await runCli(suite, ['login', '--token-stdin', '--no-check', '--json'], { env: h2.env, input: loginToken });
      const h3 = home('link-4');
      mkdirSync(join(h3.dir, '.claude', 'skills'), { recursive: true });
      symlinkSync(elsewhere, join(h3.dir, '.claude', 'skills', 'autodl-elastic'));
      lchownSync(join(h3.dir, '.claude', 'skills', 'autodl-elastic'), NOBODY, NOBODY);
      await runCli(suite, ['skill', 'install', '--json'], { env: h3.env });
      cases += 2;
      writtenThrough += existsSync(join(elsewhere, 'config.json')) ? 1 : 0;
      writtenThrough += existsSync(join(elsewhere, 'SKILL.md')) ? 1 : 0;
    }
    check(
      sec,
      'links planted: files written through them',
      writtenThrough,
      writtenThrough === 0,
      `${suite.rerun('security')} (${cases} cases: config.json and SKILL.md as links${root ? ", another user's link at config.json, as the config directory and as the skill directory" : '; the cases with another user\'s files need root'})`,
    );

    // ---- PostgreSQL password on the command line ----
    const pw = `rel-pgpw-${randomBytes(8).toString('hex')}`;
    suite.secret(pw);
    const url = `postgres://autodl:${pw}@127.0.0.1:1/queue`;
    const argvRun = await runCli(suite, ['queue', 'ls', '--db', url, '--json'], { env: cleanEnv({ HOME: work }) });
    const envRun = await runCli(suite, ['queue', 'ls', '--json'], { env: cleanEnv({ HOME: work, AUTODL_QUEUE_DB: url }) });
    const shown = argvRun.stderr.includes('password_in_argv');
    const quiet = !envRun.stderr.includes('password_in_argv');
    check(sec, 'PG password in argv: warning shown', shown && quiet ? 'yes (--db); none for AUTODL_QUEUE_DB' : `--db ${shown ? 'warned' : 'silent'}, env ${quiet ? 'silent' : 'warned'}`, shown && quiet, `${suite.rerun('security')} (autodl queue ls --db postgres://autodl:<pw>@127.0.0.1:1/queue; then with AUTODL_QUEUE_DB)`);
  } finally {
    await sim.close();
  }
  return sec;
}
