// Writing files where someone else may have planted a link: a fresh temporary file created
// exclusively and without following links, then renamed into place; directories checked for
// owners and modes first. Used for the user config (the token), the installed SKILL.md and the
// per-user code cache (src/cli/load.ts).
import { chmodSync, closeSync, constants as fsc, fsyncSync, lstatSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* gone */
  }
}

/**
 * Write `text` to `path` atomically without following a link planted at the temporary name:
 * a random temporary name created exclusively (O_CREAT|O_EXCL|O_NOFOLLOW) with `mode`, synced,
 * then renamed over `path` (rename replaces a link at `path`; it never writes through it).
 */
export function writeFileSafely(path: string, text: string | Uint8Array, mode = 0o600): void {
  // Web Crypto's global (node >= 20), not node:crypto: the executable imports this file (the
  // code cache write, src/cli/load.ts) and must load only what it needs at start
  const tmp = `${path}.${Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(8))).toString('hex')}.tmp`;
  const fd = openSync(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | (fsc.O_NOFOLLOW ?? 0), mode);
  try {
    if (typeof text === 'string') writeSync(fd, text);
    else for (let done = 0; done < text.length; ) done += writeSync(fd, text, done);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    removeQuietly(tmp);
    throw e;
  }
  closeSync(fd);
  try {
    chmodSync(tmp, mode); // the umask may have taken bits away: make the mode exact
    renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
}

export type DirProblem =
  | { reason: 'symlink_not_owned'; ownerUid: number }
  | { reason: 'not_a_directory' }
  | { reason: 'open_to_others'; mode: string; ownerUid: number };

/**
 * Whether files may be written into `dir` (which exists) without others swapping them:
 * a link must be ours (or root's); the directory must not be writable by group/others unless
 * it is sticky and ours or root's (like /tmp), or it is ours and `repair` removes those bits. Undefined = fine (or repaired).
 * Without user ids (Windows) nothing is checked.
 */
export function dirProblem(dir: string, repair: boolean): DirProblem | undefined {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid === undefined) return undefined;
  const l = lstatSync(dir);
  if (l.isSymbolicLink() && l.uid !== uid && l.uid !== 0) return { reason: 'symlink_not_owned', ownerUid: l.uid };
  const st = l.isSymbolicLink() ? statSync(dir) : l;
  if (!st.isDirectory()) return { reason: 'not_a_directory' };
  if ((st.mode & 0o022) === 0) return undefined;
  // sticky and owned by us or root (like /tmp): others can add names but not replace ours
  if ((st.mode & 0o1000) !== 0 && (st.uid === uid || st.uid === 0)) return undefined;
  const mode = (st.mode & 0o777).toString(8);
  if (st.uid === uid && repair) {
    try {
      chmodSync(dir, st.mode & 0o755 & ~0o022);
      return undefined;
    } catch {
      return { reason: 'open_to_others', mode, ownerUid: st.uid };
    }
  }
  return { reason: 'open_to_others', mode, ownerUid: st.uid };
}

/**
 * What is wrong with the existing entry at `path` for a file we are about to replace:
 * 'symlink_not_owned' (a link another user planted), 'not_a_file' (a directory, a FIFO …);
 * undefined when it is a regular file, a link of ours or root's, or nothing at all.
 */
export function linkProblem(path: string): 'symlink_not_owned' | 'not_a_file' | undefined {
  let l;
  try {
    l = lstatSync(path);
  } catch {
    return undefined;
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (l.isSymbolicLink()) return uid !== undefined && l.uid !== uid && l.uid !== 0 ? 'symlink_not_owned' : undefined;
  return l.isFile() ? undefined : 'not_a_file';
}
