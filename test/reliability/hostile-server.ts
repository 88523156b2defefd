// A hostile AutoDL look-alike on loopback, shared by the tests and `reliability/hostile.ts`:
// every string it can put in a reply (names, statuses, events, GPU names, messages, error
// code and msg) carries terminal control sequences, and it can also stream a reply that
// never ends. The checker below finds any raw control byte left in what the CLI printed
// for a person, once our own colour codes are taken out.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Strings a hostile server (or config) may carry, each aimed at a terminal. */
export const HOSTILE: Record<string, string> = {
  'OSC title': 'win\x1b]0;pwned-title\x07dow',
  'CSI clear screen': 'clr\x1b[2J\x1b[Hscr',
  'OSC 8 link': 'lnk\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\',
  'SGR forgery': 'sgr\x1b[5m\x1b[38;5;196mblink\x1b[31mred',
  'C1 CSI/OSC': 'c1\u009b2J\u009d0;t\u009cx\u0085y',
  bidi: 'bidi\u202eevil\u202c\u2066x\u2069\u200e\u200f\u061c\u202a\u202b\u202d\u2067\u2068',
  'C0 and DEL': 'c0\r\b\x07\x00\x0b\x0c\x7fz',
  'newline row forgery': 'nl\nFAKE-ROW  running\tx',
};

/** One string with all of them (for a single run that meets every kind). */
export const ALL_HOSTILE = Object.values(HOSTILE).join('|');

// SGR parameters our colours (picocolors) can emit; anything else is not ours
const OUR_SGR = /\x1b\[(?:0|1|2|3|4|7|8|9|22|23|24|27|28|29|3[0-7]|39|4[0-7]|49|9[0-7]|10[0-7])m/g;
// what a terminal mode of ours writes itself: the status line and the live frame
const OUR_TTY = /\r\x1b\[2K|\x1b\[\?25[lh]|\x1b\[\d+F\x1b\[J|\r(?=\n)/g;
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Raw control characters left once our own SGR colours (and, for a terminal, our line controls) are removed. */
export function rawControls(text: string, o: { tty?: boolean } = {}): string[] {
  let s = text.replace(OUR_SGR, '');
  if (o.tty) s = s.replace(OUR_TTY, '');
  return [...s.matchAll(RAW)].map((m) => {
    const at = m.index ?? 0;
    return `U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} near ${JSON.stringify(s.slice(Math.max(0, at - 20), at + 20))}`;
  });
}

const page = (list: unknown[]) => ({ list, page_index: 1, page_size: 100, offset: 0, max_page: 1, result_total: list.length });

/** The deployment / container uuids the hostile server answers for. */
export const H_DEP = 'dep-hostile-1';
export const H_CONTAINER = `${H_DEP}-m1-c1`;
export const H_IMAGE = 'image-hostile-1';

/** The reply data of each endpoint, with `h` in every string the server chooses. */
function dataFor(method: string, path: string, h: string): { ok: true; data: unknown } | { ok: false; code: string; msg: string } {
  const dep = {
    uuid: H_DEP,
    name: h,
    deployment_type: 'Job',
    status: h,
    replica_num: 1,
    parallelism_num: 1,
    starting_num: 0,
    running_num: 1,
    finished_num: 0,
    failed_num: 0,
    price_estimates: 1000,
    image_uuid: H_IMAGE,
    created_at: `2026-07-01 08:00:00${h}`,
    stopped_at: null,
    template: { gpu_name_set: [h], gpu_num: 1, cuda_v: 118, image_uuid: H_IMAGE, cmd: h },
  };
  const container = {
    uuid: H_CONTAINER,
    deployment_uuid: H_DEP,
    machine_id: `m1${h}`,
    data_center: h,
    status: h,
    gpu_name: h,
    gpu_num: 1,
    cpu_num: 16,
    memory_size: 96 * 1024 ** 3,
    image_uuid: H_IMAGE,
    price: 1000,
    info: { ssh_command: `ssh -p 12345 root@${h}.example`, root_password: `pw${h}`, proxy_host: h, custom_port: 12345, service_url: h },
    started_at: `2026-07-01 08:00:05${h}`,
    stopped_at: null,
  };
  const p = path.replace(/^\/+/, '/');
  if (p === '/api/v1/dev/deployment/list') return { ok: true, data: page([dep]) };
  if (p === '/api/v1/dev/deployment/container/list') return { ok: true, data: page([container]) };
  if (p === '/api/v1/dev/deployment/container/event/list')
    return { ok: true, data: page([{ deployment_container_uuid: `${H_CONTAINER}${h}`, status: h, created_at: `2026-07-01 08:00:01${h}` }]) };
  if (p === '/api/v1/dev/machine/gpu_stock') return { ok: true, data: { [h]: { idle_gpu_num: 1, total_gpu_num: 2 }, 'RTX 4090': { idle_gpu_num: 0, total_gpu_num: 8 } } };
  if (p === '/api/v1/dev/machine/region/gpu_stock') return { ok: true, data: { [h]: { idle_gpu_num: 1, total_gpu_num: 2 } } };
  if (p === '/api/v1/dev/image/private/list') return { ok: true, data: page([{ id: 1, image_uuid: `${H_IMAGE}${h}`, name: h, status: h }]) };
  if (p === '/api/v2/image/list') return { ok: true, data: page([{ id: 2, image_uuid: `base${h}`, name: h, cuda_version: h }]) };
  if (p === '/api/v1/dev/deployment/blacklist' && method === 'GET')
    return { ok: true, data: page([{ machine_id: h, data_center: h, expired_time: h, msg: h, created_at: h }]) };
  if (p === '/api/v1/dev/deployment/ddp/overview') return { ok: true, data: [{ gpu_type: h, total: 3600, balance: 1800, dc_list: [h] }] };
  // every write is refused with a hostile code and msg (the error printer's input)
  return { ok: false, code: `Bad${h}Code`, msg: `refused: ${h}` };
}

export interface HostileServer {
  /** Base URL; `urlFor(kind)` picks one HOSTILE string by a path prefix. */
  url: string;
  urlFor(kind: string): string;
  close(): Promise<void>;
}

/**
 * Answers the AutoDL endpoints; the first path segment `/h<n>` picks HOSTILE string n
 * (`/hall` or none: all of them joined).
 */
export async function startHostileServer(): Promise<HostileServer> {
  const kinds = Object.keys(HOSTILE);
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      let path = u.pathname;
      let h = ALL_HOSTILE;
      const m = /^\/h(\d+|all)(\/.*)$/.exec(path);
      if (m) {
        if (m[1] !== 'all') h = HOSTILE[kinds[Number(m[1])] ?? ''] ?? ALL_HOSTILE;
        path = m[2]!;
      }
      const r = dataFor(req.method ?? 'GET', path, h);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(r.ok ? { code: 'Success', msg: '', data: r.data } : { code: r.code, msg: r.msg, data: null }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    urlFor: (kind: string) => `${url}/h${kind === 'all' ? 'all' : kinds.indexOf(kind)}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export interface EndlessServer {
  url: string;
  /** Bytes written to each connection before it closed (in order of connection). */
  sent: number[];
  /** Connections the client closed before the server had sent `total` bytes. */
  cutShort(): number;
  close(): Promise<void>;
}

/**
 * A server whose every reply is a JSON envelope that goes on for `total` bytes (default
 * 600 MB): `mode` 'chunked' (no Content-Length) or 'length' (an honest one, which the
 * client may refuse before reading). It writes only as fast as the client reads (backpressure), so a
 * client that stops reading is seen as a connection closed early — proof it did not read all.
 */
export async function startEndlessServer(o: { total?: number; mode?: 'chunked' | 'length' } = {}): Promise<EndlessServer> {
  const total = o.total ?? 600 * 1024 * 1024;
  const mode = o.mode ?? 'chunked';
  const sent: number[] = [];
  let short = 0;
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const server = createServer((req, res) => {
    req.resume();
    const slot = sent.push(0) - 1;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (mode === 'length') headers['content-length'] = String(total);
    res.writeHead(200, headers);
    const head = Buffer.from('{"code":"Success","msg":"","data":{"list":[],"pad":"');
    let written = 0;
    let finished = false;
    const pump = () => {
      while (written < total) {
        const n = Math.min(chunk.length, total - written);
        const piece = written === 0 ? head : chunk.subarray(0, n);
        written += piece.length;
        sent[slot] = written;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      finished = true;
      res.end('"}}');
    };
    res.on('close', () => {
      if (!finished) short++;
    });
    req.on('end', pump);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    cutShort: () => short,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/**
 * Human-output command lines to run against the hostile server (each with --no-json and
 * colour forced): `cfg` is a deployment config file, `db` a queue database that holds an
 * entry named with hostile strings.
 */
export function humanCommands(o: { cfg: string; badCfg: string; db: string }): string[][] {
  return [
    ['deployments'],
    ['describe', H_DEP],
    ['containers', H_DEP],
    ['events', H_DEP],
    ['stock'],
    ['images'],
    ['images', '--system'],
    ['blacklist', 'ls'],
    ['cost', H_DEP],
    ['ssh', H_CONTAINER],
    ['ssh', H_CONTAINER, '--show-password'],
    ['watch', '--count', '1'],
    ['watch', H_DEP, '--count', '2', '--interval', '0.05'],
    ['wait', H_DEP, '--for', 'running', '--timeout', '0.2', '--interval', '0.05'],
    ['stop', H_DEP],
    ['delete', H_DEP],
    ['scale', H_DEP, '2'],
    ['stop-container', H_CONTAINER],
    ['blacklist', 'add', H_CONTAINER],
    ['create', o.cfg],
    ['submit', o.cfg, '--interval', '0.05', '--timeout', '0.2'],
    ['validate', o.badCfg],
    ['queue', 'ls', '--db', o.db],
    ['queue', 'ls', '--all', '--db', o.db],
    ['queue', 'show', '1', '--db', o.db],
    ['queue', 'run', '--once', '--db', o.db],
    // acting on many (issue 15 §3): names and refusals of the server in the per-target lines
    ['stop', '--all', '--yes'],
    ['delete', '--all', '--dry-run'],
    ['stop', H_DEP, 'no-such-deployment', '--yes'],
    ['queue', 'cancel', '--all', '--dry-run', '--db', o.db],
    ['queue', 'history', '--db', o.db],
    ['queue', 'prune', '--older-than', '0', '--dry-run', '--db', o.db],
  ];
}
