// Bundles the CLI (and the library entry) with esbuild. Code splitting keeps
// `autodl --help` fast: commands load their heavy modules (YAML, zod, SQLite,
// the simulator) through dynamic import(), which become separate chunks.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { autodl: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'dist',
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
});
