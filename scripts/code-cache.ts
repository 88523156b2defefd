// Build step: run the bundled CLI on its common paths and write what V8 compiled to a
// <bundle>.<node version>-<arch>.cache beside each bundle it loaded (cli.cjs, vendor-zod.cjs,
// vendor-yaml.cjs), for ../src/cli/load.ts.
// The runs, in one process sharing the compiled scripts: `stock --json` against a one-route
// stub of the API on loopback (commander, the command tree, credentials, the SDK's
// transport, JSON output), then `validate` and `create --dry-run` of the bundled examples
// (the config pipeline: yaml, the quick check, the lints), and `validate` of a config with
// mistakes (zod, the schema, the error report). Output goes nowhere; the CLI's process.exit()
// is caught between runs.
// Usage (from scripts/build.mjs, on a throw-away bundle of this file):
//   node code-cache.mjs <cli.cjs> <example .yaml config> <example .json config>
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { besideCacheFile, compiledScripts, compileWithCodeCache, runCompiled } from '../src/cli/load.js';

const [file, example, exampleJson] = process.argv.slice(2) as [string, string, string];
const server = createServer((_req, res) => {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ code: 'Success', msg: '', data: { 'RTX 4090': { idle_gpu_num: 1, total_gpu_num: 2 } } }));
});
await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
process.env.AUTODL_HOST = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
process.env.AUTODL_TOKEN = 'code-cache-build';

// empty placeholders beside both bundles: the loader inside the CLI then takes (and V8
// refuses) those instead of writing a per-user cache of its own when this process exits
const vendors = ['vendor-zod.cjs', 'vendor-yaml.cjs'].map((v) => join(dirname(file), v));
for (const f of [file, ...vendors]) writeFileSync(besideCacheFile(f), '');
const scratch = mkdtempSync(join(tmpdir(), 'autodl-code-cache-'));
const wrong = join(scratch, 'wrong.yaml');
writeFileSync(wrong, 'name: x\ndeployment_type: Job\nreplica: 2\ncontainer_template:\n  gpu_num: 0\n  image_uuid: "a b"\n  cmd: ""\n');
const { script } = compileWithCodeCache(file, undefined);
const exit = process.exit;
const runs = [
  ['stock', '--json'],
  ['validate', example, '--json'],
  ['validate', exampleJson, '--json'],
  ['create', example, '--dry-run', '--json'],
  ['validate', wrong, '--json'],
];
for (const args of runs) {
  await new Promise<void>((done) => {
    process.exit = (() => done()) as typeof process.exit;
    process.argv = [process.argv[0]!, file, ...args];
    runCompiled(script, file);
  });
}
process.exit = exit;
process.exitCode = 0;
const scripts = compiledScripts();
rmSync(scratch, { recursive: true, force: true });
if (!scripts.has(file) || !vendors.every((v) => scripts.has(v))) throw new Error(`expected cli.cjs and both vendor bundles compiled, got ${[...scripts.keys()].join(', ')}`);
for (const [f, s] of scripts) writeFileSync(besideCacheFile(f), s.createCachedData());
server.close();
