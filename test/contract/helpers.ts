// The corpus of recorded platform answers (test/fixtures/recorded/) and a loopback server that
// answers them: shared by the contract tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dialect } from '../../src/api/types.js';

export const CORPUS = join('test', 'fixtures', 'recorded');

export interface ManifestEntry {
  file: string;
  dialect: Dialect;
  method: string;
  path: string;
  request: { body?: Record<string, unknown>; query?: Record<string, string> };
  source: { name: string; repo: string; path: string };
  kind: 'recorded' | 'rebuilt' | 'doc-sample';
  note: string;
  substitute?: string[];
  expect?: 'error';
}

export const manifest = JSON.parse(readFileSync(join(CORPUS, 'index.json'), 'utf8')) as ManifestEntry[];
export const reply = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(CORPUS, file), 'utf8')) as Record<string, unknown>;

export interface Seen {
  method: string;
  path: string;
  body: unknown;
  query: URLSearchParams;
}

/**
 * A loopback server answering corpus files: `routes` maps "METHOD /path" (or "/path" for any
 * method) to a corpus file, or to `{ json }`: a reply of the test's own (a hostile one).
 */
export async function corpusServer(routes: Record<string, string | ((req: Seen) => string) | { json: unknown }>) {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      const rec: Seen = { method: req.method ?? '', path: u.pathname, body, query: u.searchParams };
      seen.push(rec);
      const r = routes[`${req.method} ${u.pathname}`] ?? routes[u.pathname];
      if (r !== undefined && typeof r === 'object') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(r.json));
        return;
      }
      const file = typeof r === 'function' ? r(rec) : r;
      if (file === undefined) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ code: 'NotFound', msg: 'no corpus file for this route', data: null }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(readFileSync(join(CORPUS, file)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

