import { sql, type Kysely } from 'kysely';
import type { WorkerDirectory } from '../../application/ports/worker-directory.js';

/** Announcements of workers gone without a word are deleted once this many windows old. */
const FORGET_AFTER_WINDOWS = 10;

/**
 * The worker directory in the UNLOGGED table `worker_heartbeats` (docs/architecture.md,
 * "Unserved task types"). Ages are measured by the database's clock (`now()`), so workers and
 * api processes on hosts whose clocks disagree still agree on what is live. Always on the
 * primary: an unlogged table cannot be read on a replica.
 */
export class PostgresWorkerDirectory implements WorkerDirectory {
  constructor(
    private readonly db: () => Kysely<unknown>,
    readonly liveWindowMs: number,
  ) {}

  async announce(workerId: string, types: readonly string[]): Promise<void> {
    const forgetAfter = sql`make_interval(secs => ${(this.liveWindowMs * FORGET_AFTER_WINDOWS) / 1000})`;
    // One statement: refresh this worker's types, drop the ones it no longer serves, and
    // sweep the leftovers of workers that died (never this worker's rows, which the insert
    // touches in the same statement).
    await sql`with refreshed as (
        insert into worker_heartbeats (worker_id, task_type, seen_at)
        select ${workerId}, t, now() from unnest(${[...types]}::text[]) as t
        on conflict (worker_id, task_type) do update set seen_at = excluded.seen_at
        returning 1
      )
      delete from worker_heartbeats
      where (worker_id = ${workerId} and task_type <> all(${[...types]}::text[]))
         or (worker_id <> ${workerId} and seen_at < now() - ${forgetAfter})`.execute(this.db());
  }

  async withdraw(workerId: string): Promise<void> {
    await sql`delete from worker_heartbeats where worker_id = ${workerId}`.execute(this.db());
  }

  async servedTypes(withinMs: number): Promise<ReadonlySet<string>> {
    const result = await sql<{ task_type: string }>`select distinct task_type from worker_heartbeats
      where seen_at > now() - make_interval(secs => ${withinMs / 1000})`.execute(this.db());
    return new Set(result.rows.map((r) => r.task_type));
  }
}
