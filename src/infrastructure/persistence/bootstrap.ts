import pg from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import { loggableUrl } from '../../application/loggable-url.js';
import { connectionError } from '../config/connection-errors.js';

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

/**
 * With SAGAFLOW_MIGRATE=false: rejects while migrations are pending (another process migrates);
 * the caller retries.
 */
export async function assertMigrated(orm: MikroORM): Promise<void> {
  const pending = await orm.migrator.getPending();
  if (pending.length > 0) {
    throw new SchemaPendingError(
      `${pending.length} migration(s) pending; with SAGAFLOW_MIGRATE=false another process must migrate`,
    );
  }
}

export class SchemaPendingError extends Error {
  override readonly name = 'SchemaPendingError';
}

/**
 * Creates (if missing) and migrates the database, or with `migrate` false checks that someone
 * else did: one attempt, for the caller's retry loop.
 */
export async function prepareDatabase(
  orm: MikroORM,
  url: string,
  options: { migrate: boolean },
): Promise<void> {
  if (options.migrate) {
    await ensureDatabase(url);
    await migrate(orm, url);
  } else {
    await assertMigrated(orm);
  }
}

/**
 * One line that says what is wrong with the database connection and which variable to fix:
 * `PostgreSQL at postgres://db:5432/sagaflow unreachable (DATABASE_URL): ECONNREFUSED`, or the
 * server's own words for a refused login or a missing database.
 */
export function describeDatabaseError(error: unknown, url: string, variable: string): string {
  if (error instanceof SchemaPendingError)
    return `PostgreSQL at ${loggableUrl(url)} (${variable}): ${error.message}`;
  return connectionError('PostgreSQL', url, variable, error);
}
