// Loading the full CLI (dist/cli.cjs) with V8's code cache. Node 20 has no compile cache of
// its own (module.enableCompileCache() came in 22), and compiling the CLI's few hundred kB
// on every start is a large part of what a one-shot command such as `autodl stock` costs.
// The build runs the CLI once and stores what V8 compiled (dist/cli.cjs.cache); V8 checks
// that the cache fits this source and this node, and silently compiles afresh when it does
// not, so a stale or foreign cache costs time, never correctness.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

export interface Loaded {
  script: Script;
  /** false when there was no cache, or V8 rejected it */
  cacheUsed: boolean;
}

/** Run a CommonJS file as node's loader would, but compiled with `cacheFile` when it fits. */
export function loadWithCodeCache(file: string, cacheFile: string): Loaded {
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
  const fn = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void;
  const module = { exports: {}, filename: file, id: file, loaded: false };
  fn.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  return { script, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}
