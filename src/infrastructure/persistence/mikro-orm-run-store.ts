import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type Kysely } from 'kysely';
import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { RunChanges } from '../../domain/run/run-events.js';
import type { RunSnapshot } from '../../domain/run/run-snapshot.js';
import {
  ConcurrencyError,
  DuplicateIdempotencyKeyError,
  type LoadedRun,
  type OutgoingMessage,
  type RunStore,
  type RunTransaction,
  type RunWrite,
  type StoredOutgoingMessage,
} from '../../application/ports/run-store.js';
import { eventRecord, RUN_COLUMNS, runRecord, taskRecord, toSnapshot, type RunRow, type TaskRow } from './run-rows.js';

type Db = Kysely<unknown>;

const RUN_RECORD = `x(id uuid, definition_name text, definition_version int, inline_definition jsonb, status text,
  input jsonb, output jsonb, error jsonb, priority smallint, idempotency_key text, request_hash text,
  cancel_requested boolean, cancel_reason text, last_seq int, version int, expected_version int,
  created_at timestamptz, started_at timestamptz, finished_at timestamptz)`;
const TASK_RECORD = `x(run_id uuid, key text, idx int, status text, attempt int, budget_base int, output jsonb,
  error jsonb, queued_at timestamptz, started_at timestamptz, finished_at timestamptz, timer_at timestamptz,
  compensation jsonb, comp_timer_at timestamptz)`;
const TASK_COLUMNS =
  'run_id, key, idx, status, attempt, budget_base, output, error, queued_at, started_at, finished_at, timer_at, compensation, comp_timer_at';

/**
 * The run store on MikroORM's connection: one `em.transactional` per unit of work, and
 * batched SQL through the transaction-bound Kysely instance (real `$n` parameters), so a
 * batch of results costs a handful of statements whatever its size.
 */
export class MikroOrmRunStore implements RunStore {
  constructor(private readonly em: EntityManager) {}

  async transaction<T>(work: (tx: RunTransaction) => Promise<T>): Promise<T> {
    return this.em.fork().transactional(async (em) => work(new Tx(em.getKysely() as unknown as Db)));
  }
}

class Tx implements RunTransaction {
  constructor(private readonly db: Db) {}

  async loadRuns(ids: readonly string[]): Promise<LoadedRun[]> {
    if (ids.length === 0) return [];
    const runs = await sql<RunRow>`select ${sql.raw(RUN_COLUMNS)} from runs where id = any(${[...ids]}::uuid[])`.execute(
      this.db,
    );
    return this.withTasks(runs.rows);
  }

  async findRunByIdempotencyKey(key: string): Promise<LoadedRun | null> {
    const runs = await sql<RunRow>`select ${sql.raw(RUN_COLUMNS)} from runs where idempotency_key = ${key}`.execute(
      this.db,
    );
    return (await this.withTasks(runs.rows))[0] ?? null;
  }

  private async withTasks(runs: RunRow[]): Promise<LoadedRun[]> {
    if (runs.length === 0) return [];
    const tasks = await sql<TaskRow>`select ${sql.raw(TASK_COLUMNS)} from task_runs where run_id = any(${runs.map((r) => r.id)}::uuid[])`.execute(
      this.db,
    );
    const byRun = new Map<string, TaskRow[]>();
    for (const t of tasks.rows) {
      const list = byRun.get(t.run_id) ?? [];
      list.push(t);
      byRun.set(t.run_id, list);
    }
    return runs.map((r) => ({ snapshot: toSnapshot(r, byRun.get(r.id) ?? []), inlineDefinition: r.inline_definition }));
  }

  async insertRun(run: RunSnapshot, inline: WorkflowDefinition | null, changes: RunChanges): Promise<void> {
    try {
      await sql`insert into runs (${sql.raw(RUN_COLUMNS)})
        select ${sql.raw(RUN_COLUMNS)} from jsonb_to_recordset(${json([runRecord(run, inline)])}) as ${sql.raw(RUN_RECORD)}`.execute(
        this.db,
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new DuplicateIdempotencyKeyError();
      throw error;
    }
    await sql`insert into task_runs (${sql.raw(TASK_COLUMNS)})
      select ${sql.raw(TASK_COLUMNS)} from jsonb_to_recordset(${json(run.tasks.map((t) => taskRecord(run.id, t)))}) as ${sql.raw(TASK_RECORD)}`.execute(
      this.db,
    );
    await this.insertEvents([{ runId: run.id, changes }]);
  }

  async updateRuns(writes: readonly RunWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const records = writes.map((w) => runRecord(w.snapshot, null, w.expectedVersion));
    const updated = await sql<{ id: string }>`update runs set status = x.status, output = x.output, error = x.error,
        cancel_requested = x.cancel_requested, cancel_reason = x.cancel_reason, last_seq = x.last_seq,
        version = x.version, started_at = x.started_at, finished_at = x.finished_at
      from jsonb_to_recordset(${json(records)}) as ${sql.raw(RUN_RECORD)}
      where runs.id = x.id and runs.version = x.expected_version
      returning runs.id`.execute(this.db);
    if (updated.rows.length !== writes.length) {
      const done = new Set(updated.rows.map((r) => r.id));
      throw new ConcurrencyError(writes.map((w) => w.snapshot.id).filter((id) => !done.has(id)));
    }
    const tasks = writes.flatMap((w) => {
      const changed = new Set(w.changes.changedTasks);
      return w.snapshot.tasks.filter((t) => changed.has(t.key)).map((t) => taskRecord(w.snapshot.id, t));
    });
    if (tasks.length > 0) {
      await sql`update task_runs set status = x.status, attempt = x.attempt, budget_base = x.budget_base,
          output = x.output, error = x.error, queued_at = x.queued_at, started_at = x.started_at,
          finished_at = x.finished_at, timer_at = x.timer_at, compensation = x.compensation,
          comp_timer_at = x.comp_timer_at
        from jsonb_to_recordset(${json(tasks)}) as ${sql.raw(TASK_RECORD)}
        where task_runs.run_id = x.run_id and task_runs.key = x.key`.execute(this.db);
    }
    await this.insertEvents(writes.map((w) => ({ runId: w.snapshot.id, changes: w.changes })));
  }

  private async insertEvents(items: { runId: string; changes: RunChanges }[]): Promise<void> {
    const events = items.flatMap((i) => i.changes.events.map((e) => eventRecord(i.runId, e)));
    if (events.length === 0) return;
    await sql`insert into run_events (run_id, seq, type, task_key, attempt, at, data)
      select run_id, seq, type, task_key, attempt, at, data from jsonb_to_recordset(${json(events)})
        as x(run_id uuid, seq int, type text, task_key text, attempt int, at timestamptz, data jsonb)`.execute(this.db);
  }

  async insertOutbox(messages: readonly OutgoingMessage[]): Promise<StoredOutgoingMessage[]> {
    if (messages.length === 0) return [];
    const records = messages.map((m) => ({
      exchange: m.exchange,
      routing_key: m.routingKey,
      message_id: m.messageId,
      headers: m.headers,
      body: m.body,
      priority: m.priority,
    }));
    const inserted = await sql<{ id: string; message_id: string }>`insert into outbox (exchange, routing_key, message_id, headers, body, priority)
      select exchange, routing_key, message_id, headers, body, priority from jsonb_to_recordset(${json(records)})
        as x(exchange text, routing_key text, message_id text, headers jsonb, body jsonb, priority smallint)
      returning id, message_id`.execute(this.db);
    const ids = new Map(inserted.rows.map((r) => [r.message_id, String(r.id)]));
    return messages.map((m) => ({ ...m, id: ids.get(m.messageId)! }));
  }

  async lockRunsWithDueTimers(now: Date, limit: number): Promise<string[]> {
    const rows = await sql<{ id: string }>`select id from runs where id in (
        select run_id from task_runs where due_at <= ${now.toISOString()}::timestamptz order by due_at limit ${limit})
      for update skip locked`.execute(this.db);
    return rows.rows.map((r) => r.id);
  }
}

const json = (value: unknown) => JSON.stringify(value);
