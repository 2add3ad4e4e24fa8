/**
 * The local streaming read replica (127.0.0.1:5433, made by `scripts/db-replica.sh`, see
 * docs/replica.md) for tests that read from a replica: where it is, how to wait until it has
 * replayed what the primary committed, and how to hold its replay still for a moment.
 *
 * The replica is one cluster shared by every test file on the box. Pausing replay pauses it for
 * all of them, so `withReplayPaused` serialises pauses across processes and should stay short.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

export const REPLICA_PORT = 5433;
const REPLICA_ADMIN_URL = `postgres://postgres@127.0.0.1:${REPLICA_PORT}/postgres`;
const SCRIPT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../scripts/db-replica.sh');
const POLL_MS = 20;
/**
 * Session advisory lock (on the replica, where advisory locks work and are never replayed) held
 * by whoever has paused replay: pauses never overlap, and a pause whose owner is gone (a killed
 * jest worker) is recognisable as stale and resumed.
 */
const PAUSE_LOCK = `hashtext('sagaflow.replica.replay-pause')`;

/** The same database (and user) on the replica's port. */
export function replicaUrlFor(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.port = String(REPLICA_PORT);
  return url.toString();
}

/**
 * Makes sure the replica answers as a standby, running `scripts/db-replica.sh start` (idempotent,
 * and safe when several workers run it at once) if it does not.
 */
export async function ensureReplica(): Promise<void> {
  if ((await probeReplica()) === 'standby') {
    await onReplicaAdmin(resumeStalePause);
    return;
  }
  let output: string;
  try {
    const { stdout, stderr } = await promisify(execFile)('bash', [SCRIPT, 'start'], {
      encoding: 'utf8',
    });
    output = `${stderr}${stdout}`;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    output = `${failed.stderr ?? ''}${failed.stdout ?? ''}` || failed.message;
  }
  const state = await probeReplica();
  if (state !== 'standby') {
    throw new Error(
      `no read replica on 127.0.0.1:${REPLICA_PORT} (${state}) after \`bash scripts/db-replica.sh start\`:\n${output.trim()}`,
    );
  }
}

/**
 * Waits until the replica has replayed everything the primary had written when this was called
 * (`pg_current_wal_lsn()`) and knows the database of `databaseUrl`. Bounded by the jest timeout.
 * Never call it inside `withReplayPaused`: it would wait for the pause to end.
 */
export async function waitForReplicaCatchUp(databaseUrl: string): Promise<void> {
  const target = await onDatabase(databaseUrl, async (primary) => {
    const { rows } = await primary.query<{ lsn: string }>('select pg_current_wal_lsn() as lsn');
    return rows[0]!.lsn;
  });
  const database = new URL(databaseUrl).pathname.slice(1);
  await onReplicaAdmin(async (replica) => {
    for (;;) {
      const { rows } = await replica.query<{ present: boolean; replayed: boolean; paused: boolean }>(
        `select exists (select 1 from pg_database where datname = $1) as present,
                pg_last_wal_replay_lsn() >= $2::pg_lsn as replayed,
                pg_get_wal_replay_pause_state() <> 'not paused' as paused`,
        [database, target],
      );
      const row = rows[0]!;
      if (row.present && row.replayed) return;
      if (row.paused) await resumeStalePause(replica);
      await sleep(POLL_MS);
    }
  });
}

/**
 * Runs `fn` while the replica replays nothing: what the primary commits meanwhile is received but
 * stays invisible on the replica until replay resumes, which it always does when `fn` settles.
 * Cluster-wide: every other test's catch-up waits meanwhile, so keep `fn` short.
 */
export async function withReplayPaused<T>(fn: () => Promise<T>): Promise<T> {
  const replica = await connect(REPLICA_ADMIN_URL);
  try {
    await replica.query(`select pg_advisory_lock(${PAUSE_LOCK})`);
    try {
      await replica.query('select pg_wal_replay_pause()');
      // 'pause requested' until the startup process actually stops between two records.
      for (;;) {
        const { rows } = await replica.query<{ state: string }>(
          'select pg_get_wal_replay_pause_state() as state',
        );
        if (rows[0]!.state === 'paused') break;
        await sleep(POLL_MS);
      }
      return await fn();
    } finally {
      await resumeReplay(replica);
    }
  } finally {
    await replica.end(); // releases the advisory lock
  }
}

/** Resumes replay, on a fresh connection if the pausing one broke (a pause must never leak). */
async function resumeReplay(replica: pg.Client): Promise<void> {
  try {
    await replica.query('select pg_wal_replay_resume()');
  } catch {
    await onReplicaAdmin((fresh) => fresh.query('select pg_wal_replay_resume()'));
  }
}

/** A pause nobody holds the lock for was left by a process that died: resume it. */
async function resumeStalePause(replica: pg.Client): Promise<void> {
  const { rows } = await replica.query<{ free: boolean }>(
    `select pg_try_advisory_lock(${PAUSE_LOCK}) as free`,
  );
  if (!rows[0]!.free) return;
  try {
    await replica.query(
      `select pg_wal_replay_resume() where pg_get_wal_replay_pause_state() <> 'not paused'`,
    );
  } finally {
    await replica.query(`select pg_advisory_unlock(${PAUSE_LOCK})`);
  }
}

async function probeReplica(): Promise<'standby' | 'not a standby' | 'not answering'> {
  let replica: pg.Client;
  try {
    replica = await connect(REPLICA_ADMIN_URL);
  } catch {
    return 'not answering';
  }
  try {
    const { rows } = await replica.query<{ standby: boolean }>('select pg_is_in_recovery() as standby');
    return rows[0]!.standby ? 'standby' : 'not a standby';
  } finally {
    await replica.end();
  }
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

async function onDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function onReplicaAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  return onDatabase(REPLICA_ADMIN_URL, work);
}
