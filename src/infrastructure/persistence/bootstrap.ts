import pg from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';

/** Fixed key of the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 74_212_993;

/** Creates the database named in `url` if it is missing (connecting to `postgres` to do so). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`DATABASE_URL: unsupported database name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`create database "${name}"`);
      } catch (error) {
        // Another process created it first.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await client.end();
  }
}

/** Applies pending migrations while holding an advisory lock, so N processes can start at once. */
export async function migrate(orm: MikroORM, url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await orm.migrator.up();
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
}

/** With SAGAFLOW_MIGRATE=false: waits until another process has migrated the schema. */
export async function waitForSchema(orm: MikroORM, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await orm.migrator.getPending().catch(() => null);
    if (pending && pending.length === 0) return;
    if (Date.now() > deadline) throw new Error('timed out waiting for the database schema to be migrated');
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
