// Bundles with esbuild into dist/:
//   autodl.cjs      the executable: a few kB; answers --help/--version from text rendered
//                   here at build time (src/cli/fast.ts), else runs cli.cjs
//   cli.cjs         the full CLI, one CommonJS bundle; zod, yaml, better-sqlite3 and the MCP
//                   SDK stay in node_modules and are required only by the commands that use them
//   cli.cjs.cache   V8's code cache for cli.cjs, made by running it once (src/cli/load.ts)
//   index.js        the library (ES module)
// Every file is written to a temporary directory first and then renamed into place, so a
// CLI that is starting while someone rebuilds never reads half a file.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

// commander requires node:child_process at load time but uses it only for executable
// subcommands (which autodl has none of): hand it a proxy that loads the module on first
// use, so `autodl --help` does not compile child_process, net and dgram.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-child-process' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents:
        "let real; const load = () => (real ??= require('node:' + 'child_process'));\n" +
        'module.exports = new Proxy({}, { get: (_, k) => load()[k], has: (_, k) => k in load() });\n',
      loader: 'js',
    }));
  },
};

const NODE_BANNER_ESM = "import { createRequire as __autodlCreateRequire } from 'node:module'; const require = __autodlCreateRequire(import.meta.url);";
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', sourcemap: false };

/** Bundle a build-time helper script, run it with node, return its stdout, delete it. */
async function runHelper(dir, entry, args = []) {
  const out = join(dir, 'helper.tmp.mjs');
  await build({ ...common, entryPoints: [entry], outfile: out, format: 'esm', banner: { js: NODE_BANNER_ESM } });
  try {
    return execFileSync(process.execPath, [out, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } finally {
    rmSync(out, { force: true });
  }
}

const tmp = resolve(`dist.tmp-${process.pid}-${Date.now()}`);
try {
  // the library
  await build({
    ...common,
    entryPoints: { index: 'src/index.ts' },
    outdir: tmp,
    format: 'esm',
    external: ['better-sqlite3'],
    banner: { js: NODE_BANNER_ESM },
    plugins: [lazyChildProcess],
  });

  // the full CLI
  await build({
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: tmp,
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    // heavy packages are loaded from node_modules by the commands that need them (a dynamic
    // import() becomes a require() at that point); commander and picocolors are bundled
    external: ['zod', 'yaml', 'better-sqlite3', '@modelcontextprotocol/sdk', '@modelcontextprotocol/sdk/*'],
    supported: { 'dynamic-import': false },
    define: { 'import.meta.url': '__autodlImportMetaUrl' },
    banner: { js: "const __autodlImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [lazyChildProcess],
  });
  const cli = join(tmp, 'cli.cjs');
  await runHelper(tmp, 'scripts/code-cache.ts', [cli, `${cli}.cache`]);

  // the executable, with the top-level help rendered by the real command tree
  const helpData = await runHelper(tmp, 'scripts/help-render.ts');
  await build({
    ...common,
    entryPoints: ['src/cli/bin.ts'],
    outfile: join(tmp, 'autodl.cjs'),
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
    define: { __AUTODL_HELP__: helpData },
  });
  chmodSync(join(tmp, 'autodl.cjs'), 0o755);

  mkdirSync('dist', { recursive: true });
  for (const name of readdirSync(tmp)) renameSync(join(tmp, name), join('dist', name));
  // what earlier builds made and this one no longer does (the ES module CLI and its chunks)
  const made = new Set(readdirSync(tmp));
  for (const name of readdirSync('dist')) if (!made.has(name) && ['chunks', 'cli.js'].includes(name)) rmSync(join('dist', name), { recursive: true, force: true });
} finally {
  if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
}
