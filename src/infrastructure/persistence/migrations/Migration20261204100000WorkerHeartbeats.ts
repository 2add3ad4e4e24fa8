import { Migration } from '@mikro-orm/migrations';

/**
 * `worker_heartbeats`: which task types each live worker process serves (docs/architecture.md,
 * "Unserved task types"). UNLOGGED: the rows are rewritten every heartbeat and worthless after a
 * crash (workers re-announce within one interval), so they skip the WAL. A consequence is that
 * replicas cannot read the table: it is always read on the primary.
 */
export class Migration20261204100000WorkerHeartbeats extends Migration {
  override name = 'Migration20261204100000WorkerHeartbeats';

  override up(): void {
    this.addSql(`create unlogged table worker_heartbeats (
      worker_id text not null,
      task_type text not null,
      seen_at timestamptz not null default now(),
      primary key (worker_id, task_type)
    )`);
  }

  override down(): void {
    this.addSql('drop table worker_heartbeats');
  }
}
