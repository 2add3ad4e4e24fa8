import { sql, type Kysely } from 'kysely';
import {
  ConcurrencyError,
  DuplicateIdempotencyKeyError,
  StaleDefinitionError,
  type LoadedRun,
  type NewRunWrite,
  type OutgoingMessage,
  type RunStore,
  type RunWrite,
  type StoredOutgoingMessage,
} from '../../application/ports/run-store.js';
import {
  eventRecord,
  RUN_COLUMNS,
  runRecord,
  runUpdateRecord,
  taskRecord,
  toSnapshot,
  type RunRow,
  type TaskRow,
} from './run-rows.js';

type Db = Kysely<unknown>;
type LoadRow = RunRow & { trace_parent: string | null };

/** The read model shares RUN_COLUMNS; only the engine needs the run's trace context. */
const LOAD_COLUMNS = `${RUN_COLUMNS}, trace_parent`;

const TASK_COLUMNS =
  'run_id, key, idx, status, attempt, budget_base, output, error, queued_at, started_at, finished_at, timer_at, compensation, comp_timer_at';

/**
 * The run store on MikroORM's connection pool, through its Kysely client (real `$n`
 * parameters). Reads are two queries per batch of runs; each write is one call of a
 * server-side function, so a batch of decisions costs one round trip and one commit.
 */
export class MikroOrmRunStore implements RunStore {
  constructor(private readonly db: () => Db) {}

  async loadRuns(ids: readonly string[]): Promise<LoadedRun[]> {
    if (ids.length === 0) return [];
    const runs =
      await sql<LoadRow>`select ${sql.raw(LOAD_COLUMNS)} from runs where id = any(${[...ids]}::uuid[])`.execute(
        this.db(),
      );
    return this.withTasks(runs.rows);
  }

  async findRunByIdempotencyKey(namespace: string, key: string): Promise<LoadedRun | null> {
    const runs = await sql<LoadRow>`select ${sql.raw(LOAD_COLUMNS)} from runs
      where namespace = ${namespace} and idempotency_key = ${key}`.execute(this.db());
    return (await this.withTasks(runs.rows))[0] ?? null;
  }

  private async withTasks(runs: LoadRow[]): Promise<LoadedRun[]> {
    if (runs.length === 0) return [];
    const ids = runs.map((r) => r.id);
    const tasks = await sql<TaskRow>`select ${sql.raw(TASK_COLUMNS)} from task_runs
      where run_id = any(${ids}::uuid[])`.execute(this.db());
    const byRun = new Map<string, TaskRow[]>();
    for (const t of tasks.rows) {
      const list = byRun.get(t.run_id);
      if (list) list.push(t);
      else byRun.set(t.run_id, [t]);
    }
    return runs.map((r) => ({
      snapshot: toSnapshot(r, byRun.get(r.id) ?? []),
      inlineDefinition: r.inline_definition,
      traceParent: r.trace_parent,
    }));
  }

  async insertRuns(runs: readonly NewRunWrite[]): Promise<StoredOutgoingMessage[]> {
    const outbox = runs.flatMap((r) => r.outbox);
    try {
      const rows = await sql<{
        outbox_id: string;
        outbox_message_id: string;
      }>`select * from sagaflow_insert_runs(
        ${json(runs.map((r) => ({ ...runRecord(r.snapshot, r.inlineDefinition), check_latest: r.checkLatest, trace_parent: r.traceParent })))}::jsonb,
        ${json(runs.flatMap((r) => r.snapshot.tasks.map((t) => taskRecord(r.snapshot.id, t))))}::jsonb,
        ${json(runs.flatMap((r) => r.changes.events.map((e) => eventRecord(r.snapshot.id, e))))}::jsonb,
        ${json(outbox.map(outboxRecord))}::jsonb)`.execute(this.db());
      return withIds(outbox, rows.rows);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '23505') throw new DuplicateIdempotencyKeyError();
      if (code === 'SF412') throw new StaleDefinitionError();
      throw error;
    }
  }

  async saveRuns(
    writes: readonly RunWrite[],
    outbox: readonly OutgoingMessage[],
  ): Promise<StoredOutgoingMessage[]> {
    const runs = writes.map((w) => runUpdateRecord(w.snapshot, w.expectedVersion));
    const tasks = writes.flatMap((w) => {
      const changed = new Set(w.changes.changedTasks);
      return w.snapshot.tasks.filter((t) => changed.has(t.key)).map((t) => taskRecord(w.snapshot.id, t));
    });
    const events = writes.flatMap((w) => w.changes.events.map((e) => eventRecord(w.snapshot.id, e)));
    try {
      const rows = await sql<{
        outbox_id: string;
        outbox_message_id: string;
      }>`select * from sagaflow_save_runs(
        ${json(runs)}::jsonb, ${json(tasks)}::jsonb, ${json(events)}::jsonb,
        ${json(outbox.map(outboxRecord))}::jsonb)`.execute(this.db());
      return withIds(outbox, rows.rows);
    } catch (error) {
      if ((error as { code?: string }).code === 'SF409') throw new ConcurrencyError();
      throw error;
    }
  }

  async runsWithDueTimers(now: Date, limit: number): Promise<string[]> {
    const rows = await sql<{ run_id: string }>`select distinct run_id from (
        select run_id from task_runs where due_at <= ${now.toISOString()}::timestamptz order by due_at limit ${limit}
      ) due`.execute(this.db());
    return rows.rows.map((r) => r.run_id);
  }
}

function outboxRecord(m: OutgoingMessage) {
  return {
    exchange: m.exchange,
    routing_key: m.routingKey,
    message_id: m.messageId,
    meta: m.meta,
    body: m.body,
    priority: m.priority,
  };
}

function withIds(
  messages: readonly OutgoingMessage[],
  rows: { outbox_id: string; outbox_message_id: string }[],
): StoredOutgoingMessage[] {
  const ids = new Map(rows.map((r) => [r.outbox_message_id, String(r.outbox_id)]));
  return messages.map((m) => ({ ...m, id: ids.get(m.messageId)! }));
}

const json = (value: unknown) => JSON.stringify(value);
