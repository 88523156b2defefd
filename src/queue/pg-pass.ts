// The PostgreSQL password without putting it on the command line: PGPASSWORD (node-postgres
// reads it itself) or a passfile — PGPASSFILE, else ~/.pgpass — in libpq's format,
// `hostname:port:database:username:password` per line, `*` matching anything, `\:` and `\\`
// escaped, `#` comments; a file that group or others can read is ignored, as libpq does.
// Read here rather than by node-postgres' own passfile support, which prints a deprecation
// warning and is to be removed in pg 9.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface PassfileKey {
  host?: string;
  port?: number | string;
  database?: string;
  user?: string;
}

/** One line split on unescaped ':' with `\:` / `\\` unescaped; undefined unless it has 5 fields. */
function fields(line: string): string[] | undefined {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
    } else if (c === ':' && out.length < 4) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.length === 5 ? out : undefined;
}

/** The password of the first matching line of a passfile's text, or undefined. */
export function passfileLookup(text: string, key: PassfileKey): string | undefined {
  const want = [key.host ?? 'localhost', String(key.port ?? 5432), key.database ?? '', key.user ?? ''];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const f = fields(raw);
    if (!f) continue;
    if (f.slice(0, 4).every((v, i) => v === '*' || v === want[i])) return f[4];
  }
  return undefined;
}

/** Where the passfile is: PGPASSFILE, else ~/.pgpass. */
export function passfilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PGPASSFILE && env.PGPASSFILE !== '') return env.PGPASSFILE;
  return join(env.HOME && env.HOME !== '' ? env.HOME : homedir(), '.pgpass');
}

/** The password for a connection from the passfile, or undefined (no file, open to others, no match). */
export function passwordFromPassfile(key: PassfileKey, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = passfilePath(env);
  try {
    const st = statSync(path);
    if (!st.isFile()) return undefined;
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) return undefined; // libpq ignores it too
    return passfileLookup(readFileSync(path, 'utf8'), key);
  } catch {
    return undefined;
  }
}
