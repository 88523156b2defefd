// The subset of fetch() the transport uses, over node:http / node:https.
// Why not the built-in fetch: on Node 20 the first fetch() loads undici, which costs about
// 100 ms of start-up — more than the rest of a one-shot command such as `autodl stock`.
// Tests of the transport alone can still inject any fetch (ClientOptions.fetch).
import type { IncomingMessage } from 'node:http';

export interface MiniResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** Raised when a reply goes past `maxBytes` (code ERR_REPLY_TOO_LARGE); the connection is dropped. */
export function tooLargeError(limit: number): Error {
  return Object.assign(new Error(`reply larger than ${limit} bytes`), { code: 'ERR_REPLY_TOO_LARGE', limit });
}

function abortError(): Error {
  const e = new Error('This operation was aborted');
  e.name = 'AbortError';
  (e as Error & { code?: string }).code = 'ABORT_ERR';
  return e;
}

/** `maxBytes`: the body is read up to this many bytes; past it the connection is dropped and text() rejects. */
export async function httpFetch(input: string | URL, init: RequestInit & { maxBytes?: number } = {}): Promise<MiniResponse> {
  const maxBytes = init.maxBytes ?? Infinity;
  const url = typeof input === 'string' ? new URL(input) : input;
  const mod = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const signal = init.signal ?? undefined;
  if (signal?.aborted) throw abortError();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[k] = v;
  const body = typeof init.body === 'string' ? init.body : undefined;
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));

  return new Promise<MiniResponse>((resolve, reject) => {
    const req = mod.request(url, { method: init.method ?? 'GET', headers });
    const onAbort = () => req.destroy(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => signal?.removeEventListener('abort', onAbort);
    req.on('error', (e) => {
      cleanup();
      reject(e);
    });
    req.on('response', (res: IncomingMessage) => {
      let chunks: Buffer[] = [];
      let size = 0;
      const done = new Promise<string>((ok, fail) => {
        const tooLarge = () => {
          chunks = [];
          cleanup();
          fail(tooLargeError(maxBytes));
          res.destroy();
          req.destroy();
        };
        // a declared length past the cap is refused before any of the body is read
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) return tooLarge();
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) return tooLarge();
          chunks.push(c);
        });
        res.on('end', () => {
          cleanup();
          ok(Buffer.concat(chunks).toString('utf8'));
        });
        res.on('error', (e) => {
          cleanup();
          fail(e);
        });
        res.on('aborted', () => {
          cleanup();
          fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' }));
        });
      });
      done.catch(() => {}); // surfaced through text()
      resolve({
        status: res.statusCode ?? 0,
        headers: {
          get(name: string) {
            const v = res.headers[name.toLowerCase()];
            return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
          },
        },
        text: () => done,
      });
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}
