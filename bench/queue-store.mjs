// The queue store at scale, each figure beside its floor, measured in one run (issue 14, §5–§6):
//
//   ls      `autodl queue ls --all --json` on a SQLite queue of --entries (default 50,000)
//           versus the floor: node reading the same rows with better-sqlite3 (SELECT *, bodies
//           parsed) and writing them as one JSON document — one read + serialise of the rows.
//           AUTODL_TOKEN is set, so the CLI's redaction of everything it prints is measured.
//   pg add  (when AUTODL_TEST_PG_URL is set) PgStore.add of --pg-entries (default 10,000) new
//           entries in one call, versus the floor: one multi-row INSERT (unnest) of the same
//           rows into a table of the same shape, in one transaction.
//
// Prints medians and ratios; no thresholds (this is a measurement, not a test).
// Usage: npm run build && node bench/queue-store.mjs [--entries 50000] [--pg-entries 10000] [--runs 5]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
function opt(name, def) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : def;
}
const entries = opt('entries', 50_000);
const pgEntries = opt('pg-entries', 10_000);
const runs = opt('runs', 5);
const node = process.execPath;
const lib = await import(pathToFileURL(resolve('dist/index.js')).href);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const work = mkdtempSync(join(tmpdir(), 'autodl-bench-store-'));

function body(i) {
  return {
    name: `bench-${i}`,
    deployment_type: 'Job',
    replica_num: 1,
    parallelism_num: 1,
    container_template: { gpu_name_set: ['RTX 4090', 'RTX 3090'], gpu_num: 1, cuda_v: 117, cpu_num_from: 1, cpu_num_to: 100, memory_size_from: 1, memory_size_to: 256, image_uuid: 'image-6b5ad2b1ce', cmd: `python train.py --seed ${i}` },
  };
}
const inputs = (n) => Array.from({ length: n }, (_, i) => ({ body: body(i), label: `bench-${i % 10}` }));

try {
  // ---- ls --json ----
  const db = join(work, 'queue.db');
  const store = await lib.openQueueStore(db);
  const now = Date.now();
  for (let i = 0; i < entries; i += 5000) await store.add(inputs(Math.min(5000, entries - i)), now);
  await store.close();

  const floor = join(work, 'floor.cjs');
  writeFileSync(
    floor,
    `const Database = require(${JSON.stringify(resolve('node_modules/better-sqlite3'))});
const db = new Database(${JSON.stringify(db)}, { readonly: true });
const rows = db.prepare('SELECT * FROM entries ORDER BY created_at, seq').all();
for (const r of rows) { r.body = JSON.parse(r.body); if (r.error_details) r.error_details = JSON.parse(r.error_details); }
process.stdout.write(JSON.stringify({ db: ${JSON.stringify(db)}, count: rows.length, entries: rows }) + '\\n');
`,
  );
  const env = { ...process.env, AUTODL_TOKEN: 'bench-store-token-0123456789abcdef', NO_COLOR: '1' };
  delete env.NODE_EXTRA_CA_CERTS;
  const cases = {
    'floor: read + serialise': [floor],
    'autodl queue ls --json': ['dist/autodl.cjs', 'queue', 'ls', '--all', '--json', '--db', db],
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i <= runs; i++) {
    for (const [name, args] of Object.entries(cases)) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(node, args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
      if (name === 'autodl queue ls --json' && JSON.parse(r.stdout).count !== entries) throw new Error('queue ls did not list every entry');
      if (i > 0) times[name].push(ms); // the first round warms the file cache
    }
  }
  const base = median(times['floor: read + serialise']);
  console.log(`queue ls at ${entries} entries: ${runs} runs (after one warm-up), node ${process.version}`);
  for (const [name, xs] of Object.entries(times)) console.log(`  ${name.padEnd(26)} median ${median(xs).toFixed(0).padStart(6)} ms   ratio ${(median(xs) / base).toFixed(2)}x`);

  // ---- PostgreSQL add ----
  const url = process.env.AUTODL_TEST_PG_URL;
  if (!url) console.log('pg add: skipped (AUTODL_TEST_PG_URL not set)');
  else {
    const { default: pg } = await import('pg');
    const schema = `autodl_bench_${process.pid}`;
    const admin = new pg.Pool({ connectionString: url, max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    try {
      const withSchema = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const pgStore = await lib.openQueueStore(withSchema);
      // the floor: a table of the same shape, one INSERT of all rows
      await admin.query(`CREATE TABLE ${schema}.floor (LIKE ${schema}.autodl_queue_entries INCLUDING ALL)`);
      const addTimes = [];
      const floorTimes = [];
      for (let i = 0; i <= runs; i++) {
        const made = inputs(pgEntries).map((x) => lib.makeEntry(x, Date.now()));
        const t0 = process.hrtime.bigint();
        await admin.query('BEGIN');
        await admin.query(
          `INSERT INTO ${schema}.floor (id, tag, label, body, deployment_name, priority, state, attempts, consecutive_failures, created_at, updated_at, account, submit_key)
           SELECT id, tag, label, body::jsonb, deployment_name, priority, 'pending', 0, 0, $7, $7, account, submit_key
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $8::text[], $9::text[]) AS t(id, tag, label, body, deployment_name, priority, account, submit_key)`,
          [made.map((e) => e.id), made.map((e) => e.tag), made.map((e) => e.label), made.map((e) => JSON.stringify(e.body)), made.map((e) => e.deployment_name), made.map((e) => e.priority), Date.now(), made.map((e) => e.account), made.map((e) => e.submit_key)],
        );
        await admin.query('COMMIT');
        const floorMs = Number(process.hrtime.bigint() - t0) / 1e6;
        const batch = inputs(pgEntries);
        const t1 = process.hrtime.bigint();
        const added = await pgStore.add(batch, Date.now());
        const addMs = Number(process.hrtime.bigint() - t1) / 1e6;
        if (added.length !== pgEntries) throw new Error('pg add did not add every entry');
        if (i > 0) {
          floorTimes.push(floorMs);
          addTimes.push(addMs);
        }
      }
      await pgStore.close();
      const f = median(floorTimes);
      const a = median(addTimes);
      console.log(`pg add of ${pgEntries} entries: ${runs} runs (after one warm-up)`);
      console.log(`  ${'floor: one batched INSERT'.padEnd(26)} median ${f.toFixed(0).padStart(6)} ms   ratio 1.00x`);
      console.log(`  ${'PgStore.add'.padEnd(26)} median ${a.toFixed(0).padStart(6)} ms   ratio ${(a / f).toFixed(2)}x`);
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
