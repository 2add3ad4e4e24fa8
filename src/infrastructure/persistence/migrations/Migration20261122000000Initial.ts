import { Migration } from '@mikro-orm/migrations';
import { SAVE_FUNCTIONS } from './save-functions.js';

/** The whole schema of the core engine; see docs/architecture.md for why each table looks so. */
export class Migration20261122000000Initial extends Migration {
  override name = 'Migration20261122000000Initial';

  override up(): void {
    this.addSql(`
      create table definitions (
        name text not null,
        version int not null,
        body jsonb not null,
        canonical text not null,
        created_at timestamptz not null default now(),
        primary key (name, version)
      )`);
    this.addSql(`
      create table runs (
        id uuid primary key,
        definition_name text not null,
        definition_version int,
        inline_definition jsonb,
        status text not null,
        input jsonb not null,
        output jsonb,
        error jsonb,
        priority smallint,
        idempotency_key text unique,
        request_hash text,
        cancel_requested boolean not null default false,
        cancel_reason text,
        last_seq int not null,
        version int not null,
        created_at timestamptz not null,
        started_at timestamptz,
        finished_at timestamptz
      ) with (fillfactor = 80)`);
    this.addSql('create index runs_created_idx on runs (created_at desc, id desc)');
    this.addSql('create index runs_definition_idx on runs (definition_name, created_at desc, id desc)');
    this.addSql('create index runs_status_idx on runs (status, created_at desc, id desc)');
    this.addSql(`
      create table task_runs (
        run_id uuid not null references runs (id) on delete cascade,
        key text not null,
        idx int not null,
        status text not null,
        attempt int not null,
        budget_base int not null,
        output jsonb,
        error jsonb,
        queued_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        timer_at timestamptz,
        compensation jsonb,
        comp_timer_at timestamptz,
        due_at timestamptz generated always as (least(timer_at, comp_timer_at)) stored,
        primary key (run_id, key)
      ) with (fillfactor = 80)`);
    this.addSql('create index task_runs_due_idx on task_runs (due_at) where due_at is not null');
    this.addSql(`
      create table run_events (
        run_id uuid not null references runs (id) on delete cascade,
        seq int not null,
        type text not null,
        task_key text,
        attempt int,
        at timestamptz not null,
        data jsonb not null,
        primary key (run_id, seq)
      )`);
    this.addSql(`
      create table outbox (
        id bigserial primary key,
        exchange text not null,
        routing_key text not null,
        message_id text not null,
        meta jsonb not null,
        body jsonb not null,
        priority smallint,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table shard_leases (
        shard int primary key,
        owner text not null,
        expires_at timestamptz not null
      )`);
    this.addSql(`
      create table orchestrator_members (
        instance_id text primary key,
        expires_at timestamptz not null
      )`);
    for (const statement of SAVE_FUNCTIONS) this.addSql(statement);
  }

  override down(): void {
    this.addSql('drop function if exists sagaflow_save_runs(jsonb, jsonb, jsonb, jsonb)');
    this.addSql('drop function if exists sagaflow_insert_runs(jsonb, jsonb, jsonb, jsonb)');
    for (const table of [
      'orchestrator_members',
      'shard_leases',
      'outbox',
      'run_events',
      'task_runs',
      'runs',
      'definitions',
    ]) {
      this.addSql(`drop table if exists ${table}`);
    }
  }
}
