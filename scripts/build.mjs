// Bundles with esbuild into dist/:
//   autodl.cjs      the executable: a few kB; answers --help/--version from text rendered
//                   here at build time (src/cli/fast.ts), else runs cli.cjs
//   cli.cjs         the full CLI, one CommonJS bundle; better-sqlite3, pg and the MCP SDK stay
//                   in node_modules and are required only by the commands that use them
//   vendor-zod.cjs  zod, loaded only to explain a config that is not plainly valid (src/cli/vendor-zod.ts)
//   vendor-yaml.cjs yaml, loaded only for a YAML config (src/cli/vendor-yaml.ts)
//   *.cjs.cache     V8's code caches for those bundles, made by running the CLI (src/cli/load.ts)
//   index.js        the library (ES module)
//   types/          with --types (npm's prepack): the library's declarations, emitted by tsc
//                   from tsconfig.build.json (the public entry src/index.ts and what it
//                   reaches); the package's `types` and `exports` point there. Not part of a
//                   plain build, which stays an esbuild-only few seconds.
// Every file is written to a temporary directory first and then renamed into place, so a
// CLI that is starting while someone rebuilds never reads half a file.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
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

// Builtins the CLI imports at the top of modules but needs only inside some functions (a
// fingerprint, an id, an HMAC): loading node:crypto is several ms of every start. In the CLI bundle
// each becomes a module whose exports are getters that require the builtin on first use
// (named imports stay live: esbuild's interop copies getters without reading them).
const LAZY_BUILTINS = ['crypto'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(node:)?(${LAZY_BUILTINS.join('|')})$`);
    b.onResolve({ filter }, (args) => (args.namespace === 'lazy-builtin' ? undefined : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => ({
      contents:
        `let real; const load = () => (real ??= require('node:' + ${JSON.stringify(args.path)}));\n` +
        `for (const k of ${JSON.stringify(Object.keys(await import(`node:${args.path}`)).filter((k) => k !== 'default'))}) Object.defineProperty(module.exports, k, { enumerable: true, get: () => load()[k] });\n`,
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

// zod's classic and core entries re-export every locale (`z.locales`, ~400 kB bundled); autodl uses
// only English, which zod imports on its own: leave the rest out of the CLI bundle.
const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.c?js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-without-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-without-locales' }, () => ({ contents: 'export {};\n', loader: 'js' }));
  },
};

// In the CLI bundle, `zod` and `yaml` are dist/vendor-zod.cjs and dist/vendor-yaml.cjs, each
// loaded on first use (src/cli/vendor-load.ts): the shim defines every export of the real
// package as a getter that loads the bundle, so importing one costs nothing until a value of
// it is used (esbuild's interop copies getters, it does not read them). A JSON config that is
// plainly valid loads neither (issue 14, §7).
const vendorNames = {};
for (const name of ['zod', 'yaml']) vendorNames[name] = Object.keys(await import(name)).filter((k) => k !== 'default');
const vendorShims = {
  name: 'vendor-shims',
  setup(b) {
    b.onResolve({ filter: /^(zod|yaml)$/ }, (args) => ({ path: args.path, namespace: 'vendor-shim' }));
    b.onLoad({ filter: /.*/, namespace: 'vendor-shim' }, (args) => ({
      contents:
        `const { loadVendor } = require(${JSON.stringify(resolve('src/cli/vendor-load.ts'))});\n` +
        `for (const k of ${JSON.stringify(vendorNames[args.path])}) Object.defineProperty(module.exports, k, { enumerable: true, get: () => loadVendor(${JSON.stringify(args.path)})[k] });\n`,
      loader: 'js',
      resolveDir: resolve('src/cli'),
    }));
  },
};

const withTypes = process.argv.includes('--types');
const tmp = resolve(`dist.tmp-${process.pid}-${Date.now()}`);
try {
  if (withTypes) {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(tmp, 'types')], { stdio: 'inherit' });
  }

  // the library
  await build({
    ...common,
    entryPoints: { index: 'src/index.ts' },
    outdir: tmp,
    format: 'esm',
    external: ['better-sqlite3', 'pg'],
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
    // Bundled (and so in the code cache): commander. zod and yaml are
    // vendor-zod.cjs and vendor-yaml.cjs (below). SQLite (native), pg and the MCP SDK (a server, started once) are loaded
    // from node_modules by the commands that use them (a dynamic import() becomes a require()
    // at that point).
    external: ['better-sqlite3', 'pg', '@modelcontextprotocol/sdk', '@modelcontextprotocol/sdk/*'],
    supported: { 'dynamic-import': false },
    define: { 'import.meta.url': '__autodlImportMetaUrl' },
    banner: { js: "const __autodlImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [lazyChildProcess, lazyBuiltins, vendorShims],
    // a little over half the text to read at every start (names kept: a function's or class's
    // .name is as written; AUTODL_BUILD_NO_MINIFY=1 for a readable bundle, e.g. to profile)
    minify: process.env.AUTODL_BUILD_NO_MINIFY !== '1',
    keepNames: true,
  });
  await build({
    ...common,
    entryPoints: { 'vendor-zod': 'src/cli/vendor-zod.ts', 'vendor-yaml': 'src/cli/vendor-yaml.ts' },
    outdir: tmp,
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    // third-party code: smaller to read and to check against its code cache (names kept, for errors)
    minify: true,
    keepNames: true,
    plugins: [zodWithoutLocales],
  });
  await runHelper(tmp, 'scripts/code-cache.ts', [join(tmp, 'cli.cjs'), resolve('examples/train-job.yaml'), resolve('examples/train-job.json')]);

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
  const made = new Set(readdirSync(tmp));
  for (const name of made) {
    const to = join('dist', name);
    // a directory (types/) cannot be renamed onto a non-empty one: move the old one aside first
    if (statSync(join(tmp, name)).isDirectory() && existsSync(to)) renameSync(to, join(tmp, `${name}.old`));
    renameSync(join(tmp, name), to);
  }
  // dist/ holds build output only: what this build did not make is an earlier build's
  for (const name of readdirSync('dist')) if (!made.has(name)) rmSync(join('dist', name), { recursive: true, force: true });
} finally {
  if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
}
