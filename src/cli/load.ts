// Loading the CLI's bundles (dist/cli.cjs, dist/vendor-zod.cjs, dist/vendor-yaml.cjs) with V8's code cache. Node 20
// has no compile cache of its own (module.enableCompileCache() came in 22, and does not
// cover vm scripts), and compiling a few hundred kB on every start is a large part of what a
// one-shot command such as `autodl stock` costs.
//
// Where a cache comes from, first found wins:
//   1. beside the bundle, `<bundle>.<node version>-<arch>.cache`: made by the build, which
//      runs the CLI on its common paths (scripts/code-cache.ts);
//   2. per user, `$XDG_CACHE_HOME/autodl-elastic/…` (else ~/.cache): for a package built
//      with another node, the first run writes one there when it exits.
// V8 checks that a cache fits this source and this node and silently compiles afresh when
// it does not, so a stale or foreign cache costs time, never correctness.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { writeFileSafely } from '../util/safe-fs.js';

export interface Loaded {
  script: Script;
  /** false when there was no cache, or V8 rejected it */
  cacheUsed: boolean;
}

/**
 * Every script compiled here in this process, by file: the build's cache writer reads it
 * (through the global registry, as the loader it exercises is the copy inside dist/cli.cjs).
 */
export function compiledScripts(): Map<string, Script> {
  const g = globalThis as { [k: symbol]: Map<string, Script> | undefined };
  const key = Symbol.for('autodl-elastic.compiled-scripts');
  return (g[key] ??= new Map());
}

/** The cache the build puts beside a bundle, for the node that runs the build. */
export function besideCacheFile(bundle: string, version = process.version, arch = process.arch): string {
  return `${bundle}.${version}-${arch}.cache`;
}

/** The per-user cache of a bundle for this node; the bundle's size and time name its build. */
export function userCacheFile(bundle: string, env: Record<string, string | undefined> = process.env): string | undefined {
  try {
    const st = statSync(bundle);
    const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(env.HOME ?? homedir(), '.cache');
    return join(base, 'autodl-elastic', `${basename(bundle)}-${st.size}-${Math.round(st.mtimeMs)}.${process.version}-${process.arch}.cache`);
  } catch {
    return undefined;
  }
}

/** Compile a CommonJS file with `cacheFile` when it fits (V8 refuses one that does not). */
export function compileWithCodeCache(file: string, cacheFile: string | undefined): Loaded {
  const source = readFileSync(file, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    cachedData = cacheFile ? readFileSync(cacheFile) : undefined;
  } catch {
    cachedData = undefined; // no cache: compile as usual
  }
  // the same wrapper node puts around a CommonJS module (one line, so line numbers hold)
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
  const script = new Script(wrapped, cachedData ? { filename: file, cachedData } : { filename: file });
  compiledScripts().set(file, script);
  return { script, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

/** Run a compiled CommonJS file as a fresh module (each call: new module state, shared compiled code); its exports. */
export function runCompiled(script: Script, file: string): unknown {
  const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void;
  const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
  fn.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return module.exports;
}

/**
 * Write `script`'s code cache to `cacheFile` (private, atomically, through a random temporary
 * name created without following links: src/util/safe-fs.ts); a failure is ignored.
 */
export function writeCache(script: Script, cacheFile: string): void {
  try {
    mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o700 });
    writeFileSafely(cacheFile, script.createCachedData(), 0o600);
  } catch {
    /* a cache is an optimisation: a read-only or full disk only costs the next start time */
  }
}

/**
 * Run a CommonJS bundle as node's loader would, compiled from the first cache that exists
 * (beside it, else the user's); when neither fits, the user's is written as this process exits.
 * AUTODL_CODE_CACHE=0: no cache read or written.
 */
export function loadWithCodeCache(file: string, env: Record<string, string | undefined> = process.env): Loaded & { exports: unknown; cacheFile: string | undefined } {
  if (env.AUTODL_CODE_CACHE === '0') {
    const loaded = compileWithCodeCache(file, undefined);
    return { ...loaded, exports: runCompiled(loaded.script, file), cacheFile: undefined };
  }
  const beside = besideCacheFile(file);
  const user = existsSync(beside) ? undefined : userCacheFile(file, env);
  const cacheFile = user === undefined ? beside : user;
  const loaded = compileWithCodeCache(file, cacheFile);
  if (!loaded.cacheUsed && user !== undefined) process.once('exit', () => writeCache(loaded.script, user));
  return { ...loaded, exports: runCompiled(loaded.script, file), cacheFile };
}
