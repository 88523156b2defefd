// `autodl ssh <container> [--show-password] [--exec]`: the container's SSH command (from
// container.info.ssh_command); the root password only with --show-password; --exec runs ssh.
// The server's command is never run as given: only user, host and port are read from it
// (parseSshCommand) and the argv is built here, with `--` before the destination.
import { AutodlError } from '../../errors.js';
import type { Container } from '../../api/types.js';
import { english, inLang, t } from '../../i18n/index.js';
import { makeClient, resolveDeployment, toArray } from '../client.js';
import { terminalText } from '../output.js';
import type { CliContext } from '../runtime.js';
import type { AutodlClient } from '../../api/client.js';
import { action, withExamples, type CliCommand } from '../command.js';

/**
 * A container by its uuid. The uuid is never parsed to find its deployment: the public host's
 * container uuids have four parts whose first is not the deployment's uuid, and uuid lengths
 * differ between hosts (recorded). So each deployment (newest first, as listed) is asked for
 * that container (container_uuid filter, checked exactly; a server that ignores the filter is
 * scanned) until one has it.
 */
export async function findContainer(client: AutodlClient, ref: string): Promise<Container> {
  const wanted = ref.trim();
  if (wanted === '') throw new AutodlError('not_found', t('ssh.notFound', { ref }), { container: ref });
  for await (const d of client.deployments.listAll()) {
    const dep = d.uuid;
    if (typeof dep !== 'string' || dep === '') continue;
    const page = await client.containers.list({ deployment_uuid: dep, container_uuid: wanted }, { page_index: 1, page_size: 10 });
    let hit = page.list.find((c) => c.uuid === wanted);
    if (!hit && page.list.length > 0 && page.list.some((c) => c.uuid !== wanted)) {
      // the server ignored the filter: scan this deployment's containers
      for await (const c of client.containers.listAll({ deployment_uuid: dep })) {
        if (c.uuid === wanted) {
          hit = c;
          break;
        }
      }
    }
    if (hit) return hit;
  }
  throw new AutodlError('not_found', t('ssh.notFound', { ref }), { container: ref });
}

/**
 * A container by its uuid; else (issue 15) a deployment by anything `describe` takes (uuid, name,
 * the name before its queue mark, uuid prefix, queue entry id) when it has one container — or
 * one running container among several; several are an error listing them.
 */
async function containerFor(ctx: CliContext, client: AutodlClient, ref: string): Promise<Container> {
  try {
    return await findContainer(client, ref);
  } catch (e) {
    if (!(e instanceof AutodlError) || e.errorType !== 'not_found') throw e;
    let d;
    try {
      d = await resolveDeployment(ctx, client, ref);
    } catch (e2) {
      // several deployments answer to it: that is the more useful error; else the container one
      if (e2 instanceof AutodlError && e2.errorType === 'not_found' && 'candidates' in e2.details) throw e2;
      throw e;
    }
    const all = await toArray(client.containers.listAll({ deployment_uuid: d.uuid }));
    const running = all.filter((c) => c.status === 'running');
    const pick = all.length === 1 ? all : running.length === 1 ? running : [];
    if (pick.length === 1) return pick[0]!;
    const list = all.slice(0, 20).map((c) => `${c.uuid} (${c.status})`).join(', ');
    throw new AutodlError('not_found', all.length === 0 ? t('ssh.noContainers', { uuid: d.uuid, name: d.name }) : t('ssh.severalContainers', { uuid: d.uuid, name: d.name, count: all.length, list }), {
      container: ref,
      deployment_uuid: d.uuid,
      candidates: all.slice(0, 20).map((c) => c.uuid),
    });
  }
}

/** Where the server's SSH command points: the only parts of it that are ever used. */
export interface SshTarget {
  user: string;
  host: string;
  port?: number;
}

/** A host name (letters, digits, '-', '.'; no leading '-' or '.') or an IPv4 address; at most 253 characters. */
const HOST_RE = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
/** A plain user name (POSIX portable: letters, digits, '.', '_', '-'; not starting with '-'). */
const USER_RE = /^[A-Za-z_][A-Za-z0-9._-]{0,31}$/;
const PORT_RE = /^[1-9][0-9]{0,4}$/;

/**
 * The server's `info.ssh_command` read strictly: `ssh [-p PORT] user@host [-p PORT]` (the
 * shapes the platform prints, e.g. `ssh -p 12345 root@region-1.autodl.com`), words
 * separated by spaces or tabs. Anything else — other options (-o ProxyCommand=…,
 * LocalCommand, -F …), a remote command, shell syntax, control characters, a host that
 * starts with '-' — is refused: the reason is returned instead of a target.
 */
export function parseSshCommand(command: string): SshTarget | { refused: string } {
  if (command.length > 1000) return { refused: english('ssh.why.tooLong', { max: 1000 }) };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/.test(command)) return { refused: english('ssh.why.control') };
  const words = command.trim().split(/[ \t]+/).filter((w) => w !== '');
  if (words[0] !== 'ssh') return { refused: english('ssh.why.notSsh') };
  let port: number | undefined;
  let dest: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    let p: string | undefined;
    if (w === '-p') {
      p = words[++i];
      if (p === undefined) return { refused: english('ssh.why.pWithoutPort') };
    } else if (/^-p[0-9]+$/.test(w)) {
      p = w.slice(2);
    } else if (w.startsWith('-')) {
      return { refused: english('ssh.why.option', { option: JSON.stringify(w.slice(0, 40)) }) };
    } else if (dest === undefined) {
      dest = w;
      continue;
    } else {
      return { refused: english('ssh.why.extra') };
    }
    if (port !== undefined) return { refused: english('ssh.why.twoPorts') };
    if (!PORT_RE.test(p) || Number(p) > 65535) return { refused: english('ssh.why.port', { port: JSON.stringify(p.slice(0, 20)) }) };
    port = Number(p);
  }
  if (dest === undefined) return { refused: english('ssh.why.noDest') };
  const at = dest.lastIndexOf('@');
  if (at <= 0) return { refused: english('ssh.why.notUserHost') };
  const user = dest.slice(0, at);
  const host = dest.slice(at + 1);
  if (!USER_RE.test(user)) return { refused: english('ssh.why.user', { user: JSON.stringify(user.slice(0, 40)) }) };
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (ipv4 ? ipv4.slice(1).some((o) => Number(o) > 255) : !HOST_RE.test(host)) {
    return { refused: english('ssh.why.host', { host: JSON.stringify(host.slice(0, 80)) }) };
  }
  return { user, host, ...(port !== undefined ? { port } : {}) };
}

/** The argv (after the program name) for spawn: options first, `--`, then the destination — never a shell. */
export function sshArgv(target: SshTarget): string[] {
  return [...(target.port !== undefined ? ['-p', String(target.port)] : []), '--', `${target.user}@${target.host}`];
}

/** The command a user may copy: rebuilt from the parsed parts, not the server's text. */
export function sshCommandLine(target: SshTarget): string {
  return `ssh ${target.port !== undefined ? `-p ${target.port} ` : ''}${target.user}@${target.host}`;
}

/** The server's text as it may appear in a message: JSON-quoted (control characters escaped), at most 300 characters. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}

export interface SshOptions {
  showPassword?: boolean;
  exec?: boolean;
}

export async function run(ctx: CliContext, [ref]: [string], opts: SshOptions): Promise<void> {
  const showPassword = opts.showPassword ?? false;
  const client = await makeClient(ctx);
  const c = await containerFor(ctx, client, ref);
  const info = (c.info ?? {}) as Partial<Container['info']>;
  const cmd = typeof info.ssh_command === 'string' ? info.ssh_command.trim() : '';
  if (cmd === '') {
    throw new AutodlError('not_found', t('ssh.noCommand', { ref, status: String(c.status) }), { container: ref, status: c.status });
  }
  const password = typeof info.root_password === 'string' ? info.root_password : undefined;
  // only user, host and port are taken from the server's command; anything else is refused
  const parsed = parseSshCommand(cmd);
  if ('refused' in parsed) {
    throw new AutodlError(
      'api_error',
      t('ssh.refused', { command: quoted(cmd), reason: inLang(parsed.refused) }),
      { kind: 'refused', reason: parsed.refused, container: ref }, // the server's text only quoted, in the message
      3,
    );
  }
  const safe = sshCommandLine(parsed);

  if (opts.exec) {
    if (!ctx.json && c.status !== 'running') ctx.warn(t('ssh.notRunning', { status: String(c.status) }));
    if (showPassword && password) ctx.io.stderr.write(`${t('ssh.password')}: ${terminalText(password)}\n`);
    const argv = sshArgv(parsed);
    const { spawn } = await import('node:child_process'); // only for --exec: it costs every other command a few ms
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('ssh', argv, { stdio: 'inherit', shell: false });
      child.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') reject(new AutodlError('api_error', t('ssh.missing'), { kind: 'runtime', program: 'ssh', command: safe }, 3));
        else reject(new AutodlError('api_error', t('ssh.failed', { message: e.message }), { kind: 'runtime', program: 'ssh' }, 3));
      });
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + 2 : 1)));
    });
    // the ssh session's exit code is ours (255 = ssh could not connect)
    if (code !== 0) process.stdout.write('', () => process.exit(code));
    return;
  }

  const result: Record<string, unknown> = {
    container_uuid: c.uuid,
    deployment_uuid: c.deployment_uuid,
    status: c.status,
    ssh_command: safe,
    user: parsed.user,
    host: parsed.host,
    ...(parsed.port !== undefined ? { port: parsed.port } : {}),
  };
  if (ctx.json) {
    // the password is printed only on request; printJson would drop root_password, so write it here
    const clean = ctx.sanitize(result);
    if (showPassword && password !== undefined) clean.root_password = password;
    ctx.io.stdout.write(`${ctx.io.stdout.isTTY ? JSON.stringify(clean, null, 2) : JSON.stringify(clean)}\n`);
    return;
  }
  ctx.print(safe);
  if (showPassword && password !== undefined) ctx.print(`${t('ssh.password')}: ${password}`);
  else ctx.io.stderr.write(`${ctx.humanText(ctx.err.dim(t('ssh.passwordHint')))}\n`);
  if (c.status !== 'running') ctx.warn(t('ssh.notRunning', { status: String(c.status) }));
}

export const command: CliCommand = {
  names: ['ssh'],
  examples: [
    ['autodl ssh <container>', 'ex.ssh'],
    ['autodl ssh <container> --exec', 'ex.ssh.exec'],
  ],
  declare(program) {
    withExamples(
      program
        .command('ssh')
        .description(t('ssh.cmd'))
        .argument('<container>', t('arg.containerOrDeployment'))
        .option('--show-password', t('ssh.opt.showPassword'))
        .option('--exec', t('ssh.opt.exec')),
      command.examples,
    ).action(action(run));
  },
};
