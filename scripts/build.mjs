// Bundles the CLI (and the library entry) with esbuild. Three outputs:
//   dist/autodl.cjs  the executable: CommonJS, a few kB, answers --help/--version from text
//                    rendered here at build time (src/cli/fast.ts), else imports dist/cli.js
//   dist/cli.js      the full CLI, ES modules
//   dist/index.js    the library
// Code splitting keeps
// `autodl --help` fast: commands load their heavy modules (YAML, zod, SQLite,
// the simulator) through dynamic import(), which become separate chunks.
//
// The build goes to a fresh temporary directory and is then moved into dist/ without ever
// removing dist/ as a whole: chunks (content-hashed names) are added first, the entry files
// are replaced by rename (atomic), and chunks no entry uses any more are removed only when
// older than 10 minutes. A CLI process that is running while someone rebuilds (parallel test
// files, several people in one tree) keeps finding the chunks it lazy-loads.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

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

const tmp = `dist.tmp-${process.pid}-${Date.now()}`;
try {
  await build({
    entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'bundle',
    external: ['better-sqlite3'],
    chunkNames: 'chunks/[name]-[hash]',
    // Bundled CommonJS packages (commander) call require() for Node builtins: give ESM chunks one.
    banner: { js: "import { createRequire as __autodlCreateRequire } from 'node:module'; const require = __autodlCreateRequire(import.meta.url);" },
    sourcemap: false,
    logLevel: 'warning',
    plugins: [lazyChildProcess],
  });

  // The top-level help, rendered by the real command tree (one throw-away bundle, run once).
  const renderer = join(tmp, 'help-render.tmp.mjs');
  await build({
    entryPoints: ['scripts/help-render.ts'],
    outfile: renderer,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: { js: "import { createRequire as __autodlCreateRequire } from 'node:module'; const require = __autodlCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const helpData = execFileSync(process.execPath, [renderer], { encoding: 'utf8' });
  rmSync(renderer);

  await build({
    entryPoints: ['src/cli/bin.ts'],
    outfile: join(tmp, 'autodl.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    define: { __AUTODL_HELP__: helpData },
    logLevel: 'warning',
  });
  chmodSync(join(tmp, 'autodl.cjs'), 0o755);

  mkdirSync('dist/chunks', { recursive: true });
  const fresh = new Set(readdirSync(join(tmp, 'chunks')));
  for (const name of fresh) renameSync(join(tmp, 'chunks', name), join('dist', 'chunks', name));
  for (const name of readdirSync(tmp)) {
    if (name !== 'chunks') renameSync(join(tmp, name), join('dist', name));
  }
  const cutoff = Date.now() - 10 * 60_000;
  for (const name of readdirSync('dist/chunks')) {
    const p = join('dist', 'chunks', name);
    if (!fresh.has(name) && statSync(p).mtimeMs < cutoff) rmSync(p, { force: true });
  }
} finally {
  if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
}
