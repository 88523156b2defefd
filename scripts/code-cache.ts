// Build step: run the bundled CLI on its common paths and write what V8 compiled to a
// <bundle>.<node version>-<arch>.cache beside each bundle it loaded (cli.cjs, vendor.cjs), for
// ../src/cli/load.ts.
// The runs, in one process sharing the compiled scripts: `stock --json` against a one-route
// stub of the API on loopback (commander, the command tree, credentials, the SDK's
// transport, JSON output), then `validate` and `create --dry-run` of a bundled example (the
// config pipeline: yaml, zod, the schema, the lints). Output goes nowhere; the CLI's
// process.exit() is caught between runs.
// Usage (from scripts/build.mjs, on a throw-away bundle of this file):
//   node code-cache.mjs <cli.cjs> <example config>
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { besideCacheFile, compiledScripts, compileWithCodeCache, runCompiled } from '../src/cli/load.js';

const [file, example] = process.argv.slice(2) as [string, string];
const server = createServer((_req, res) => {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ code: 'Success', msg: '', data: { 'RTX 4090': { idle_gpu_num: 1, total_gpu_num: 2 } } }));
});
await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
process.env.AUTODL_HOST = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
process.env.AUTODL_TOKEN = 'code-cache-build';

// empty placeholders beside both bundles: the loader inside the CLI then takes (and V8
// refuses) those instead of writing a per-user cache of its own when this process exits
for (const f of [file, join(dirname(file), 'vendor.cjs')]) writeFileSync(besideCacheFile(f), '');
const { script } = compileWithCodeCache(file, undefined);
const exit = process.exit;
for (const args of [['stock', '--json'], ['validate', example, '--json'], ['create', example, '--dry-run', '--json']]) {
  await new Promise<void>((done) => {
    process.exit = (() => done()) as typeof process.exit;
    process.argv = [process.argv[0]!, file, ...args];
    runCompiled(script, file);
  });
}
process.exit = exit;
process.exitCode = 0;
const scripts = compiledScripts();
if (!scripts.has(file) || scripts.size < 2) throw new Error(`expected cli.cjs and vendor.cjs compiled, got ${[...scripts.keys()].join(', ')}`);
for (const [f, s] of scripts) writeFileSync(besideCacheFile(f), s.createCachedData());
server.close();
