// Build step: run the bundled CLI once (`stock --help`: commander, the command tree, the
// help renderer) and write what V8 compiled to <cli>.cache, for ../src/cli/load.ts.
// Usage (from scripts/build.mjs, on a throw-away bundle of this file): node code-cache.mjs <cli.cjs> <cache>
import { writeFileSync } from 'node:fs';
import { loadWithCodeCache, type Loaded } from '../src/cli/load.js';

const [file, cacheFile] = process.argv.slice(2) as [string, string];
process.argv = [process.argv[0]!, file, 'stock', '--help'];
let loaded: Loaded | undefined;
process.on('exit', () => {
  if (loaded) writeFileSync(cacheFile, loaded.script.createCachedData());
});
loaded = loadWithCodeCache(file, `${cacheFile}.none`);
