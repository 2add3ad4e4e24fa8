import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import {
  ensureReplica,
  replicaUrlFor,
  waitForReplicaCatchUp,
  withReplayPaused,
} from '../../support/replica.js';

/**
 * The local streaming replica that `npm run db:replica` makes (docs/replica.md), checked on a
 * database of this file alone: it follows the primary, and `withReplayPaused` holds it still.
 */
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `sftest_replica_${process.env.JEST_WORKER_ID ?? '0'}_${randomUUID().slice(0, 8)}`;
const databaseUrl = `postgres://postgres@127.0.0.1:5432/${database}`;

let primary: pg.Client | null = null;
let replica: pg.Client | null = null;

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

async function bodyOf(client: pg.Client, id: number): Promise<string[]> {
  const { rows } = await client.query<{ body: string }>('select body from notes where id = $1', [id]);
  return rows.map((row) => row.body);
}

beforeAll(async () => {
  await ensureReplica();
  await adminQuery(`create database "${database}"`);
  primary = new pg.Client({ connectionString: databaseUrl });
  await primary.connect();
  await primary.query('create table notes (id integer primary key, body text not null)');
  await waitForReplicaCatchUp(databaseUrl);
  replica = new pg.Client({ connectionString: replicaUrlFor(databaseUrl) });
  await replica.connect();
});

afterAll(async () => {
  await replica?.end();
  await primary?.end();
  await adminQuery(`drop database if exists "${database}" with (force)`);
});

describe('the local read replica', () => {
  it('is the same database on port 5433', () => {
    expect(replicaUrlFor(databaseUrl)).toBe(`postgres://postgres@127.0.0.1:5433/${database}`);
  });

  it('is a standby of the primary', async () => {
    const { rows } = await replica!.query<{ standby: boolean }>('select pg_is_in_recovery() as standby');
    expect(rows[0]!.standby).toBe(true);
  });

  it('shows a row written on the primary once it has caught up', async () => {
    await primary!.query(`insert into notes values (1, 'first')`);
    await waitForReplicaCatchUp(databaseUrl);
    expect(await bodyOf(replica!, 1)).toEqual(['first']);
  });

  it('hides a row committed while replay is paused, and shows it after the pause', async () => {
    await withReplayPaused(async () => {
      await primary!.query(`insert into notes values (2, 'second')`);
      expect(await bodyOf(primary!, 2)).toEqual(['second']);
      expect(await bodyOf(replica!, 2)).toEqual([]);
    });
    await waitForReplicaCatchUp(databaseUrl);
    expect(await bodyOf(replica!, 2)).toEqual(['second']);
  });

  it('resumes replay even when the paused work fails', async () => {
    await expect(
      withReplayPaused(async () => {
        throw new Error('failed while paused');
      }),
    ).rejects.toThrow('failed while paused');
    const { rows } = await replica!.query<{ state: string }>(
      'select pg_get_wal_replay_pause_state() as state',
    );
    expect(rows[0]!.state).toBe('not paused');
  });
});
