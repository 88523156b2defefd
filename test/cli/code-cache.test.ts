// dist/cli.cjs and the vendor bundles (dist/vendor-zod.cjs, dist/vendor-yaml.cjs) run from V8's code cache (src/cli/load.ts): the build's
// caches must be taken when they fit; a stale or broken one must cost only time; and with
// none for this node, the first run leaves a per-user cache that the next run takes.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { besideCacheFile } from '../../src/cli/load.js';
import { ensureBuilt, FULL_CLI, ROOT } from './helpers.js';

before(() => ensureBuilt());

const LOAD = JSON.stringify(join(ROOT, 'src', 'cli', 'load.ts'));

/** In a fresh node: load `file` through loadWithCodeCache as `autodl -V`; report cacheUsed, the cache file and the output. */
function runCli(file: string, cacheHome: string): { cacheUsed: string; cacheFile: string; stdout: string; code: number | null } {
  const snippet = `
    import { loadWithCodeCache } from ${LOAD};
    let loaded;
    process.on('exit', () => process.stderr.write('result=' + JSON.stringify({ cacheUsed: loaded?.cacheUsed, cacheFile: loaded?.cacheFile })));
    process.argv = [process.argv[0], ${JSON.stringify(file)}, '-V'];
    loaded = loadWithCodeCache(${JSON.stringify(file)}, { ...process.env, XDG_CACHE_HOME: ${JSON.stringify(cacheHome)} });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', snippet], { cwd: ROOT, encoding: 'utf8' });
  const m = /result=(\{.*\})/.exec(r.stderr);
  const res = m ? (JSON.parse(m[1]!) as { cacheUsed: boolean; cacheFile: string }) : { cacheUsed: `none (${r.stderr})`, cacheFile: '' };
  return { cacheUsed: String(res.cacheUsed), cacheFile: res.cacheFile, stdout: r.stdout, code: r.status };
}

describe('the code cache', () => {
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  test('the build leaves caches for this node beside both bundles, and they fit', () => {
    const home = mkdtempSync(join(tmpdir(), 'autodl-cache-home-'));
    try {
      const r = runCli(FULL_CLI, home);
      assert.equal(r.cacheUsed, 'true');
      assert.equal(r.cacheFile, besideCacheFile(FULL_CLI));
      assert.equal(r.stdout.trim(), version);
      assert.deepEqual(readdirSync(home), [], 'nothing written per user when the build cache fits');
      const zod = join(ROOT, 'dist', 'vendor-zod.cjs');
      const yaml = join(ROOT, 'dist', 'vendor-yaml.cjs');
      const snippet = `
        import { loadWithCodeCache } from ${LOAD};
        const z = loadWithCodeCache(${JSON.stringify(zod)});
        const y = loadWithCodeCache(${JSON.stringify(yaml)});
        console.log(JSON.stringify({ cacheUsed: z.cacheUsed && y.cacheUsed, parsed: z.exports.z.number().safeParse(3).success, yaml: y.exports.parse('a: 1').a }));`;
      const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', snippet], { cwd: ROOT, encoding: 'utf8' });
      assert.deepEqual(JSON.parse(out.stdout), { cacheUsed: true, parsed: true, yaml: 1 }, out.stderr);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('a stale or broken cache is refused and the CLI still runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodl-cache-'));
    try {
      const changed = join(dir, 'cli.cjs');
      writeFileSync(changed, readFileSync(FULL_CLI, 'utf8') + '\n// one more line\n');
      copyFileSync(besideCacheFile(FULL_CLI), besideCacheFile(changed));
      const stale = runCli(changed, join(dir, 'home'));
      assert.equal(stale.cacheUsed, 'false');
      assert.equal(stale.code, 0);
      assert.equal(stale.stdout.trim(), version);
      writeFileSync(besideCacheFile(changed), 'not a code cache');
      const broken = runCli(changed, join(dir, 'home'));
      assert.equal(broken.cacheUsed, 'false');
      assert.equal(broken.stdout.trim(), version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no cache for this node beside the bundle: the first run writes one per user (0600), the next takes it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'autodl-cache-'));
    try {
      const bundle = join(dir, 'cli.cjs');
      copyFileSync(FULL_CLI, bundle); // as a package built with another node: no cache for this one
      const home = join(dir, 'home');
      const first = runCli(bundle, home);
      assert.equal(first.cacheUsed, 'false');
      assert.equal(first.stdout.trim(), version);
      assert.ok(first.cacheFile.startsWith(join(home, 'autodl-elastic')), first.cacheFile);
      assert.ok(existsSync(first.cacheFile), 'written when the first run exited');
      assert.equal(statSync(first.cacheFile).mode & 0o777, 0o600);
      const second = runCli(bundle, home);
      assert.equal(second.cacheUsed, 'true');
      assert.equal(second.cacheFile, first.cacheFile);
      assert.equal(second.stdout.trim(), version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('per-user cache writes', () => {
  test('a link planted at the temporary name of the old scheme (<cache>.<pid>.tmp) is not written through', async () => {
    const { compileWithCodeCache, writeCache } = await import('../../src/cli/load.js');
    const dir = mkdtempSync(join(tmpdir(), 'autodl-cache-link-'));
    try {
      const victim = join(dir, 'victim.txt');
      writeFileSync(victim, 'keep me');
      const bundle = join(dir, 'b.cjs');
      writeFileSync(bundle, 'module.exports = 1;');
      const cacheFile = join(dir, 'cache', 'b.cache');
      const { mkdirSync, symlinkSync, lstatSync } = await import('node:fs');
      mkdirSync(join(dir, 'cache'));
      symlinkSync(victim, `${cacheFile}.${process.pid}.tmp`);
      const { script } = compileWithCodeCache(bundle, undefined);
      writeCache(script, cacheFile);
      assert.equal(readFileSync(victim, 'utf8'), 'keep me');
      assert.ok(lstatSync(cacheFile).isFile() && statSync(cacheFile).size > 0, 'the cache was written');
      assert.equal(statSync(cacheFile).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(join(dir, 'cache')).filter((f) => f.endsWith('.tmp')), [`b.cache.${process.pid}.tmp`], 'only the planted link is left');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
