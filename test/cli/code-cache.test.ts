// dist/cli.cjs runs from V8's code cache made at build time (src/cli/load.ts): the cache must
// be taken when it fits, and a stale, foreign or broken cache must cost only time.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, FULL_CLI, ROOT } from './helpers.js';

before(() => ensureBuilt());

/** Load `file` through loadWithCodeCache in a fresh node, run `autodl -V`; report cacheUsed and output. */
function loadIn(file: string, cache: string): { cacheUsed: string; stdout: string; code: number | null } {
  const snippet = `
    import { loadWithCodeCache } from ${JSON.stringify(join(ROOT, 'src', 'cli', 'load.ts'))};
    let loaded;
    process.on('exit', () => process.stderr.write('cacheUsed=' + loaded?.cacheUsed));
    process.argv = [process.argv[0], ${JSON.stringify(file)}, '-V'];
    loaded = loadWithCodeCache(${JSON.stringify(file)}, ${JSON.stringify(cache)});`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', snippet], { cwd: ROOT, encoding: 'utf8' });
  return { cacheUsed: /cacheUsed=(\w+)/.exec(r.stderr)?.[1] ?? `none (${r.stderr})`, stdout: r.stdout, code: r.status };
}

describe('the code cache', () => {
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  test('the built caches fit the built bundles and this node', () => {
    const r = loadIn(FULL_CLI, `${FULL_CLI}.cache`);
    assert.equal(r.cacheUsed, 'true');
    assert.equal(r.stdout.trim(), version);
    const vendor = join(ROOT, 'dist', 'vendor.cjs');
    const snippet = `
      import { loadWithCodeCache } from ${JSON.stringify(join(ROOT, 'src', 'cli', 'load.ts'))};
      const v = loadWithCodeCache(${JSON.stringify(vendor)}, ${JSON.stringify(`${vendor}.cache`)});
      console.log(JSON.stringify({ cacheUsed: v.cacheUsed, parsed: v.exports.zod.z.number().safeParse(3).success, yaml: v.exports.yaml.parse('a: 1').a }));`;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', snippet], { cwd: ROOT, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out.stdout), { cacheUsed: true, parsed: true, yaml: 1 }, out.stderr);
  });

  test('a changed CLI, a broken cache and no cache at all: the cache is refused and the CLI still runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodl-cache-'));
    try {
      const changed = join(dir, 'cli.cjs');
      writeFileSync(changed, readFileSync(FULL_CLI, 'utf8') + '\n// one more line\n');
      copyFileSync(`${FULL_CLI}.cache`, join(dir, 'cli.cjs.cache'));
      for (const [what, cache] of [
        ['stale', join(dir, 'cli.cjs.cache')],
        ['broken', join(dir, 'broken.cache')],
        ['missing', join(dir, 'nothing.cache')],
      ] as const) {
        if (what === 'broken') writeFileSync(cache, 'not a code cache');
        const r = loadIn(changed, cache);
        assert.equal(r.cacheUsed, 'false', what);
        assert.equal(r.code, 0, what);
        assert.equal(r.stdout.trim(), version, what);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
