// Hostile inputs shared by the security tests (test/cli/security.test.ts) and the reliability
// section `security`: SSH commands a server could send, a fake `ssh` that records its argv
// and — like the real one — runs a ProxyCommand/LocalCommand it is given, and a loopback
// server that records every request it receives.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

/**
 * SSH commands a hostile server could put in `info.ssh_command`; `marker` is a file the planted
 * command would create (its existence = one execution). `host` is the real host.
 */
export function hostileSshCommands(host: string, marker: string): Array<{ name: string; command: string }> {
  const run = `touch\${IFS}${marker}`; // no spaces: survives a whitespace split into one word
  return [
    { name: '-oProxyCommand=', command: `ssh -oProxyCommand=${run} -p 22 root@${host}` },
    { name: '-o ProxyCommand', command: `ssh -o ProxyCommand=${run} -p 22 root@${host}` },
    { name: 'ProxyCommand after -p', command: `ssh -p 22 -oProxyCommand=${run} root@${host}` },
    { name: 'LocalCommand', command: `ssh -o PermitLocalCommand=yes -o LocalCommand=${run} -p 22 root@${host}` },
    { name: '-F config file', command: `ssh -F /tmp/evil-ssh-config -p 22 root@${host}` },
    { name: '; second command', command: `ssh -p 22 root@${host}; ${run}` },
    { name: '$() substitution', command: `ssh -p 22 root@${host} $(${run})` },
    { name: 'backticks', command: `ssh -p 22 root@${host} \`${run}\`` },
    { name: '&& chain', command: `ssh -p 22 root@${host} && ${run}` },
    { name: '| pipe', command: `ssh -p 22 root@${host}|${run}` },
    { name: 'newline', command: `ssh -p 22 root@${host}\n${run}` },
    { name: 'terminal escape', command: `ssh -p 22 root@${host}\u001b]0;owned\u0007` },
    { name: 'remote command', command: `ssh -p 22 root@${host} ${run}` },
    { name: 'leading - host', command: `ssh -p 22 root@-oProxyCommand=${run}` },
    { name: 'leading - destination', command: `ssh -p 22 -oProxyCommand=${run}` },
    { name: 'user with $()', command: `ssh -p 22 r$(${run})t@${host}` },
    { name: 'port out of range', command: `ssh -p 99999 root@${host}` },
    { name: 'port not a number', command: `ssh -p 22;${run} root@${host}` },
    { name: 'not ssh', command: run },
    { name: 'two destinations', command: `ssh -p 22 root@${host} root@${host}` },
  ];
}

/**
 * A fake `ssh` in `dir`: appends its argv (one per line, then `---`) to `dir/argv.log` and, as
 * OpenSSH would, runs the value of any ProxyCommand=/LocalCommand= argument with sh.
 */
export function writeFakeSsh(dir: string): { log: string; calls(): string[][] } {
  const log = join(dir, 'argv.log');
  writeFileSync(
    join(dir, 'ssh'),
    [
      '#!/bin/sh',
      `for a in "$@"; do printf '%s\\n' "$a" >> '${log}'; done`,
      `echo --- >> '${log}'`,
      'for a in "$@"; do case "$a" in *ProxyCommand=*|*LocalCommand=*) sh -c "${a#*=}" ;; esac; done',
      'exit 0',
      '',
    ].join('\n'),
  );
  chmodSync(join(dir, 'ssh'), 0o755);
  return {
    log,
    calls: () => {
      if (!existsSync(log)) return [];
      const out: string[][] = [];
      let cur: string[] = [];
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        if (line === '---') {
          out.push(cur);
          cur = [];
        } else if (line !== '') cur.push(line);
      }
      return out;
    },
  };
}

/** Files in `dir` whose name starts with `prefix` (the markers that planted commands created). */
export function markersIn(dir: string, prefix: string): number {
  return readdirSync(dir).filter((n) => n.startsWith(prefix)).length;
}

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The request body as received (utf8). */
  body: string;
}

export interface RecordingServer {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/** A loopback HTTP server that records every request; `answer` decides the reply (default: a Success envelope). */
export async function recordingServer(
  answer: (req: Recorded, res: import('node:http').ServerResponse) => void = (_r, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 'Success', msg: '', data: { list: [], page_index: 1, page_size: 10, offset: 0, max_page: 1, result_total: 0 } }));
  },
): Promise<RecordingServer> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '' };
    requests.push(r);
    req.setEncoding('utf8');
    req.on('data', (d: string) => (r.body += d));
    req.on('end', () => answer(r, res));
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((res) => server.close(() => res())),
  };
}
