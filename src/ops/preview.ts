// Previews: the exact request a changing operation would send (the SDK's prepare), the token
// shown as ***. The CLI prints it for --dry-run, MCP returns it for a call without confirm.
import type { PreparedRequest } from '../api/client.js';

export interface RequestPreview {
  dry_run: true;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

/** A deployment a change was previewed for: resolved (uuid, name, status), or not (no token to look it up). */
export type PreviewTarget = { uuid: string; name: string; status: string } | { ref: string; resolved: false; reason: string };

export function previewOf(req: PreparedRequest): RequestPreview {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = k.toLowerCase() === 'authorization' ? '***' : v;
  return { dry_run: true, method: req.method, url: req.url, headers, ...(req.body !== undefined ? { body: req.body } : {}) };
}
