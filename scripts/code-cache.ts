// Build step: run the bundled CLI once and write what V8 compiled to <cli>.cache, for
// ../src/cli/load.ts. The run is `autodl stock --json` against a one-route stub of the API
// on loopback, so the cache holds the common path: commander, the command tree, credentials,
// the SDK's transport and the JSON output. Output goes nowhere.
// Usage (from scripts/build.mjs, on a throw-away bundle of this file): node code-cache.mjs <cli.cjs> <cache>
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadWithCodeCache, type Loaded } from '../src/cli/load.js';

const [file, cacheFile] = process.argv.slice(2) as [string, string];
const server = createServer((_req, res) => {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ code: 'Success', msg: '', data: { 'RTX 4090': { idle_gpu_num: 1, total_gpu_num: 2 } } }));
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.env.AUTODL_HOST = `http://127.0.0.1:${port}`;
  process.env.AUTODL_TOKEN = 'code-cache-build';
  process.argv = [process.argv[0]!, file, 'stock', '--json'];
  let loaded: Loaded | undefined;
  process.on('exit', () => {
    if (loaded) writeFileSync(cacheFile, loaded.script.createCachedData());
  });
  loaded = loadWithCodeCache(file, `${cacheFile}.none`);
});
