// `autodl ssh <container> [--show-password] [--exec]`: the container's SSH command (from
// container.info.ssh_command); the root password only with --show-password; --exec runs ssh.
import { AutodlError } from '../../errors.js';
import type { Container } from '../../api/types.js';
import { t } from '../../i18n/index.js';
import { makeClient } from '../client.js';
import type { CliContext } from '../runtime.js';
import type { AutodlClient } from '../../api/client.js';

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

/** `ssh -p 12345 root@host` → argv for spawn (no shell). */
export function sshArgv(command: string): string[] {
  const parts = command.trim().split(/\s+/).filter((p) => p !== '');
  if (parts[0] === 'ssh') parts.shift();
  return parts;
}

export async function run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>): Promise<void> {
  const ref = String(args[0]);
  const showPassword = opts.showPassword === true;
  const client = await makeClient(ctx);
  const c = await findContainer(client, ref);
  const info = (c.info ?? {}) as Partial<Container['info']>;
  const cmd = typeof info.ssh_command === 'string' ? info.ssh_command.trim() : '';
  if (cmd === '') {
    throw new AutodlError('not_found', t('ssh.noCommand', { ref, status: String(c.status) }), { container: ref, status: c.status });
  }
  const password = typeof info.root_password === 'string' ? info.root_password : undefined;

  if (opts.exec === true) {
    if (!ctx.json && c.status !== 'running') ctx.warn(t('ssh.notRunning', { status: String(c.status) }));
    if (showPassword && password) ctx.io.stderr.write(`${t('ssh.password')}: ${password}\n`);
    const argv = sshArgv(cmd);
    const { spawn } = await import('node:child_process'); // only for --exec: it costs every other command a few ms
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('ssh', argv, { stdio: 'inherit' });
      child.once('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') reject(new AutodlError('api_error', t('ssh.missing'), { kind: 'runtime', program: 'ssh', command: cmd }, 3));
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
    ssh_command: cmd,
    ...(info.proxy_host ? { host: info.proxy_host } : {}),
    ...(typeof info.custom_port === 'number' ? { port: info.custom_port } : {}),
  };
  if (ctx.json) {
    // the password is printed only on request; printJson would drop root_password, so write it here
    const clean = ctx.sanitize(result);
    if (showPassword && password !== undefined) clean.root_password = password;
    ctx.io.stdout.write(`${ctx.io.stdout.isTTY ? JSON.stringify(clean, null, 2) : JSON.stringify(clean)}\n`);
    return;
  }
  ctx.print(cmd);
  if (showPassword && password !== undefined) ctx.print(`${t('ssh.password')}: ${password}`);
  else ctx.io.stderr.write(`${ctx.err.dim(t('ssh.passwordHint'))}\n`);
  if (c.status !== 'running') ctx.warn(t('ssh.notRunning', { status: String(c.status) }));
}
