// PostgreSQL for the tests: AUTODL_TEST_PG_URL names a server and a role that may create
// databases (.ci/run starts one). Each store under test gets a database of its own.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.AUTODL_TEST_PG_URL;
export const PG_SKIP = PG_URL ? false : 'AUTODL_TEST_PG_URL is not set (.ci/run starts PostgreSQL and sets it)';

const made: string[] = [];

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A new, empty database; its URL. */
export async function freshPgDatabase(): Promise<string> {
  const name = `autodl_t_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  made.push(name);
  return withDatabase(PG_URL!, name);
}

/** Drop every database freshPgDatabase made (connections still open are cut). */
export async function dropPgDatabases(): Promise<void> {
  if (!PG_URL || made.length === 0) return;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    for (const name of made.splice(0)) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

/** Every text of every row of the queue's tables (to search for secrets). */
export async function dumpPgDatabase(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const parts: string[] = [];
    for (const table of ['autodl_queue_entries', 'autodl_queue_history', 'autodl_queue_schema']) {
      const r = await c.query(`SELECT row_to_json(t)::text AS j FROM ${table} t`);
      for (const row of r.rows as Array<{ j: string }>) parts.push(row.j);
    }
    return parts.join('\n');
  } finally {
    await c.end();
  }
}
