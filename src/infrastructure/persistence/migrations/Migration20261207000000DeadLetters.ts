import { Migration } from '@mikro-orm/migrations';

/**
 * Dead letters moved out of `<prefix>.dead` (docs/operations.md#dead-letters). `seq` orders the
 * list and is its cursor; `dedupe_key` (a hash of the bytes and headers) makes keeping a
 * redelivered copy a no-op. `namespace` is that of the run the letter names, if known.
 */
export class Migration20261207000000DeadLetters extends Migration {
  override name = 'Migration20261207000000DeadLetters';

  override up(): void {
    this.addSql(`
      create table dead_letters (
        seq bigserial primary key,
        id uuid not null unique default gen_random_uuid(),
        dedupe_key text not null unique,
        namespace text,
        queue text not null,
        reason text not null,
        message_id text,
        run_id text,
        task_key text,
        attempt int,
        dead_at timestamptz not null,
        headers jsonb not null,
        properties jsonb not null,
        body bytea not null,
        kept_at timestamptz not null default now()
      )`);
    this.addSql('create index dead_letters_namespace_idx on dead_letters (namespace, seq desc)');
  }

  override down(): void {
    this.addSql('drop table if exists dead_letters');
  }
}
