// Loading the CLI's bundles (dist/cli.cjs, dist/vendor.cjs) with V8's code cache. Node 20
// has no compile cache of its own (module.enableCompileCache() came in 22), and compiling a
// few hundred kB on every start is a large part of what a one-shot command such as `autodl
// stock` costs. The build runs the CLI on its common paths and stores what V8 compiled
// (<bundle>.cache); V8 checks that a cache fits this source and this node, and silently
// compiles afresh when it does not, so a stale or foreign cache costs time, never correctness.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

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

/** Compile a CommonJS file with `cacheFile` when it fits (V8 refuses one that does not). */
export function compileWithCodeCache(file: string, cacheFile: string): Loaded {
  const source = readFileSync(file, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
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

/** Run a CommonJS file as node's loader would, but compiled with `cacheFile` when it fits. */
export function loadWithCodeCache(file: string, cacheFile: string): Loaded & { exports: unknown } {
  const loaded = compileWithCodeCache(file, cacheFile);
  return { ...loaded, exports: runCompiled(loaded.script, file) };
}
