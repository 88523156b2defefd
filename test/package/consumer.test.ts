// The package as a TypeScript user gets it: `npm pack` (its prepack builds the bundles and
// the declarations), the tarball unpacked into a consumer project's node_modules, next to
// ONLY the runtime dependencies plus typescript and @types/node (links to this repo's
// installed copies: no network, no @types/pg, no @types/better-sqlite3). A strict consumer
// (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, skipLibCheck off,
// NodeNext) type-checks code using the public API; store internals are not importable; and
// at run time `import('autodl-elastic')` resolves through the exports map and lists
// deployments of a simulator on loopback.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const repo = resolve('.');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string>; types: string; exports: Record<string, unknown> };

let work: string;
let consumer: string;
let installed: string;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): { code: number; out: string } {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

function tsc(project: string): { code: number; out: string } {
  return run(process.execPath, [join(consumer, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], consumer);
}

const STRICT = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  noEmit: true,
  lib: ['ES2023'],
  types: ['node'],
};

function writeProject(name: string, file: string, source: string): string {
  writeFileSync(join(consumer, file), source);
  const project = join(consumer, name);
  writeFileSync(project, JSON.stringify({ compilerOptions: STRICT, files: [file] }, null, 2));
  return project;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'autodl-pack-'));
  const packDir = join(work, 'pack');
  mkdirSync(packDir);
  // the prepack builds dist/ (bundles and declarations) before packing
  const packed = run('npm', ['pack', '--pack-destination', packDir, '--silent', '--no-audit', '--no-fund'], repo, { ...process.env, npm_config_update_notifier: 'false' });
  assert.equal(packed.code, 0, packed.out);
  const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, `no tarball in ${packDir}: ${packed.out}`);

  consumer = join(work, 'consumer');
  installed = join(consumer, 'node_modules', pkg.name);
  mkdirSync(installed, { recursive: true });
  const untar = run('tar', ['-xzf', join(packDir, tarball), '-C', installed, '--strip-components=1'], work);
  assert.equal(untar.code, 0, untar.out);

  // only the runtime dependencies, typescript and @types/node: links to this repo's installed copies
  const modules = realpathSync(join(repo, 'node_modules'));
  for (const name of [...Object.keys(pkg.dependencies), 'typescript', '@types/node']) {
    const target = join(modules, name);
    assert.ok(existsSync(target), `${name} is not installed in ${modules}`);
    const link = join(consumer, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  test('ships the declarations the package.json points at, and no dev-only @types', () => {
    assert.equal(pkg.types, 'dist/types/index.d.ts');
    assert.ok(existsSync(join(installed, 'dist', 'types', 'index.d.ts')));
    assert.ok(existsSync(join(installed, 'dist', 'index.js')));
    assert.ok(existsSync(join(installed, 'dist', 'autodl.cjs')), 'the bin is packed');
    assert.ok(!existsSync(join(consumer, 'node_modules', '@types', 'pg')));
    assert.ok(!existsSync(join(consumer, 'node_modules', '@types', 'better-sqlite3')));
    // every declaration file the public entry reaches names no database driver
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.d.ts')));
        else external.add(spec);
      }
    };
    visit(join(installed, 'dist', 'types', 'index.d.ts'));
    assert.ok(seen.size > 20, `only ${seen.size} declaration files reached`);
    const drivers = [...external].filter((s) => /^(pg|better-sqlite3|@types\/)/.test(s));
    assert.deepEqual(drivers, [], `declarations reached from index.d.ts import ${drivers.join(', ')}`);
    const stores = [...seen].map((f) => relative(join(installed, 'dist', 'types'), f)).filter((f) => /sqlite-store|pg-store|pg-pass/.test(f));
    assert.deepEqual(stores, []);
  });

  test('a strict consumer with only the runtime dependencies type-checks against the public API', () => {
    const project = writeProject(
      'tsconfig.json',
      'main.ts',
      `import {
  AutodlClient,
  ApiError,
  AutodlError,
  createClient,
  clientFromEnvironment,
  prepareSpec,
  loadConfigText,
  openQueueStore,
  runWorker,
  submitAndWait,
  startSimulator,
  OPERATIONS,
  ENTRY_STATES,
  type ClientOptions,
  type CreateDeploymentBody,
  type Deployment,
  type EntryState,
  type OperationName,
  type Page,
  type PreparedRequest,
  type QueueEntry,
  type QueueEvent,
  type QueueStore,
  type ResultOf,
  type WorkerOptions,
} from 'autodl-elastic';

const options: ClientOptions = { token: 'tok', host: 'https://private.autodl.com', retries: 0 };
const client: AutodlClient = createClient(options);
const fromEnv: AutodlClient = clientFromEnvironment({ env: {}, cwd: '/nonexistent' });
void fromEnv;

export async function listNames(c: AutodlClient): Promise<string[]> {
  const page: Page<Deployment> = await c.deployments.list({ status: 'running' }, { page_size: 5 });
  const all: string[] = [];
  for await (const d of c.deployments.listAll()) all.push(d.name);
  return [...page.list.map((d) => d.uuid), ...all];
}

const body: CreateDeploymentBody = {
  name: 'job',
  deployment_type: 'Job',
  container_template: { gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, image_uuid: 'image-1', cmd: 'python train.py' },
};
const p1: PreparedRequest = client.deployments.prepare.create(body);
const p2: PreparedRequest = client.deployments.prepare.setReplicas('uuid', 2);
const p3: PreparedRequest = client.prepareCall('deleteDeployment', { deployment_uuid: 'uuid' });
const p4: PreparedRequest = client.prepare('setReplicas', { deployment_uuid: 'uuid', replica_num: 1 });
console.log(p1.method, p2.url, p3.body, p4.headers['Authorization']);

export async function stock(c: AutodlClient): Promise<ResultOf<'gpuStock'>> {
  return c.call('gpuStock');
}
const names: OperationName[] = Object.keys(OPERATIONS) as OperationName[];
void names;

const spec = prepareSpec(loadConfigText('name: x\\n', { path: 'x.yaml' }).raw as object, { dialect: 'private' });
const created: CreateDeploymentBody = spec.body;
void created;

export async function queue(): Promise<void> {
  const store: QueueStore = await openQueueStore('/tmp/q.db');
  const entries: QueueEntry[] = await store.list({});
  const state: EntryState | undefined = entries[0]?.state;
  const states: readonly EntryState[] = ENTRY_STATES;
  void state;
  void states;
  const onEvent = (e: QueueEvent): void => void e;
  const w: WorkerOptions = { store, api: client, workerId: 'w', intervalMs: 1000, once: true, onEvent };
  await runWorker(w);
  await submitAndWait({ api: client, body, intervalMs: 1000, timeoutSec: 0 });
  await store.close();
}

export async function sim(): Promise<string> {
  const s = await startSimulator({ dialect: 'public' });
  await s.close();
  return s.url;
}

export function errors(e: unknown): string | undefined {
  if (e instanceof ApiError) return e.info.kind;
  if (e instanceof AutodlError) return e.errorType;
  return undefined;
}
`,
    );
    const r = tsc(project);
    assert.equal(r.code, 0, r.out);
  });

  test('store internals are not part of the public API (the consumer fails to compile)', () => {
    const project = writeProject(
      'tsconfig.bad.json',
      'bad.ts',
      `import { SqliteStore, PgStore, MIGRATIONS, openSqliteStore, MemoryStore, movePatch } from 'autodl-elastic';
import { SqliteStore as Deep } from 'autodl-elastic/dist/types/queue/sqlite-store.js';
console.log(SqliteStore, PgStore, MIGRATIONS, openSqliteStore, MemoryStore, movePatch, Deep);
`,
    );
    const r = tsc(project);
    assert.notEqual(r.code, 0, r.out);
    for (const name of ['SqliteStore', 'PgStore', 'MIGRATIONS', 'openSqliteStore', 'MemoryStore', 'movePatch']) {
      assert.match(r.out, new RegExp(`bad\\.ts\\(1,.*TS2\\d{3}:.*'${name}'`), `${name} is importable:\n${r.out}`);
    }
    // a deep path is not in the exports map
    assert.match(r.out, /bad\.ts\(2,.*TS2307/, r.out);
  });

  test("at run time import('autodl-elastic') resolves through the exports map and lists a simulator's deployments", () => {
    writeFileSync(
      join(consumer, 'smoke.mjs'),
      `const where = import.meta.resolve('autodl-elastic');
const lib = await import('autodl-elastic');
let deep = 'exported';
try { import.meta.resolve('autodl-elastic/dist/cli.cjs'); } catch (e) { deep = e.code; }
const sim = await lib.startSimulator();
try {
  const client = lib.createClient({ token: lib.DEMO_TOKEN, host: sim.url, retries: 0 });
  const spec = lib.prepareSpec({ name: 'smoke', deployment_type: 'Job', replica_num: 1, parallelism_num: 1, container_template: { gpu_name_set: ['RTX 4090'], gpu_num: 1, cuda_v: 118, image_uuid: lib.DEMO_IMAGE_UUID, cmd: 'sleep 5' } }, { dialect: client.dialect });
  const created = await client.deployments.create(spec.body);
  const page = await client.deployments.list();
  const prepared = client.deployments.prepare.setReplicas(created.deployment_uuid, 2);
  console.log(JSON.stringify({ where, deep, uuid: created.deployment_uuid, listed: page.list.map((d) => d.uuid), prepared, internals: ['SqliteStore', 'PgStore', 'MIGRATIONS'].filter((n) => n in lib) }));
} finally {
  await sim.close();
}
`,
    );
    const r = run(process.execPath, ['smoke.mjs'], consumer);
    assert.equal(r.code, 0, r.out);
    const out = JSON.parse(r.out.trim().split('\n').pop()!) as { where: string; deep: string; uuid: string; listed: string[]; prepared: { method: string; url: string; body: unknown }; internals: string[] };
    assert.equal(realpathSync(new URL(out.where)), realpathSync(join(installed, 'dist', 'index.js')));
    assert.equal(out.deep, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
    assert.ok(out.listed.includes(out.uuid), JSON.stringify(out));
    assert.equal(out.prepared.method, 'PUT');
    assert.deepEqual(out.prepared.body, { deployment_uuid: out.uuid, replica_num: 2 });
    assert.deepEqual(out.internals, []);
  });
});
