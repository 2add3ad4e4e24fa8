import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, type Kysely } from 'kysely';
import type { RunHead, RunListFilter, RunReadModel } from '../../application/ports/run-read-model.js';
import type { RunEvent, RunEventType } from '../../domain/run/run-events.js';
import type { RunSnapshot } from '../../domain/run/run-snapshot.js';
import { isRunId } from '../../domain/shared/run-id.js';
import { RUN_COLUMNS, toDate, toSnapshot, type RunRow, type TaskRow } from './run-rows.js';

/**
 * Reads of runs and events straight from rows (no aggregate, no unit of work), on one pool:
 * the runtime makes one of these on the primary and one on the replicas (`type: 'read'`).
 * Every statement filters by the namespace, so no row of another namespace is ever read.
 */
export class SqlRunReadModel implements RunReadModel {
  private kysely: Kysely<unknown> | null = null;

  constructor(
    private readonly em: EntityManager,
    private readonly connection: 'read' | 'write' = 'write',
  ) {}

  private db(): Kysely<unknown> {
    this.kysely ??= this.em.fork().getKysely({ type: this.connection }) as unknown as Kysely<unknown>;
    return this.kysely;
  }

  async runHead(namespace: string, id: string): Promise<RunHead | null> {
    if (!isRunId(id)) return null;
    const rows = await sql<{ version: number; last_seq: number; definition_name: string }>`
      select version, last_seq, definition_name from runs
      where id = ${id}::uuid and namespace = ${namespace}`.execute(this.db());
    const row = rows.rows[0];
    return row ? { version: row.version, lastSeq: row.last_seq, definition: row.definition_name } : null;
  }

  async getRun(namespace: string, id: string) {
    return (await this.getRunsByIds(namespace, [id]))[0] ?? null;
  }

  /**
   * Newest first; the cursor is the (created_at, id) of the last item, stable under inserts.
   * Every filter combination walks one index in order (see the list indexes migration).
   */
  async listRuns(namespace: string, filter: RunListFilter) {
    const rows = await this.listStatement(namespace, filter).execute(this.db());
    const page = rows.rows.slice(0, filter.limit);
    const last = page.at(-1);
    const items: Omit<RunSnapshot, 'tasks'>[] = page.map((r) => {
      const { tasks: _tasks, ...summary } = toSnapshot(r, []);
      return summary;
    });
    return {
      items,
      nextCursor:
        rows.rows.length > filter.limit && last ? encodeCursor(toDate(last.created_at)!, last.id) : null,
    };
  }

  /** The list query itself, public so a test can EXPLAIN exactly what is served. */
  listStatement(namespace: string, filter: RunListFilter) {
    const cursor = decodeCursor(filter.cursor);
    const conditions = [sql`namespace = ${namespace}`];
    if (filter.definition) conditions.push(sql`definition_name = ${filter.definition}`);
    if (filter.status) conditions.push(sql`status = ${filter.status}`);
    if (filter.createdAfter) conditions.push(sql`created_at >= ${filter.createdAfter}`);
    if (filter.createdBefore) conditions.push(sql`created_at < ${filter.createdBefore}`);
    if (cursor)
      conditions.push(sql`(created_at, id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)`);
    return sql<RunRow>`select ${sql.raw(RUN_COLUMNS)} from runs where ${sql.join(conditions, sql` and `)}
      order by created_at desc, id desc limit ${filter.limit + 1}`;
  }

  async events(namespace: string, runId: string, after: number, limit: number): Promise<RunEvent[]> {
    if (!isRunId(runId)) return [];
    const rows = await sql<{
      seq: number;
      type: string;
      task_key: string | null;
      attempt: number | null;
      at: Date;
      data: RunEvent['data'];
    }>`select seq, type, task_key, attempt, at, data from run_events
      where run_id = (select id from runs where id = ${runId}::uuid and namespace = ${namespace})
        and seq > ${after}
      order by seq limit ${limit}`.execute(this.db());
    return rows.rows.map((r) => ({
      seq: r.seq,
      type: r.type as RunEventType,
      taskKey: r.task_key,
      attempt: r.attempt,
      at: toDate(r.at)!,
      data: r.data,
    }));
  }

  /**
   * Runs by id with their tasks and definitions (for the GraphQL loader of `Run.tasks`): at
   * most three queries — runs, their tasks, the registered definitions they name — however
   * many ids there are. Inline runs carry their definition in the row.
   */
  async getRunsByIds(namespace: string, ids: readonly string[]): ReturnType<RunReadModel['getRunsByIds']> {
    const wanted = [...new Set(ids.filter(isRunId).map((id) => id.toLowerCase()))];
    if (wanted.length === 0) return [];
    const db = this.db();
    const runs = await sql<RunRow>`select ${sql.raw(RUN_COLUMNS)} from runs
      where id = any(${wanted}::uuid[]) and namespace = ${namespace}`.execute(db);
    if (runs.rows.length === 0) return [];
    const tasks = await sql<TaskRow>`select * from task_runs
      where run_id = any(${runs.rows.map((r) => r.id)}::uuid[])`.execute(db);
    const tasksByRun = new Map<string, TaskRow[]>();
    for (const task of tasks.rows) {
      const list = tasksByRun.get(task.run_id) ?? [];
      list.push(task);
      tasksByRun.set(task.run_id, list);
    }
    type Definition = NonNullable<RunRow['inline_definition']>;
    const versionKey = (name: string, version: number) => `${version}:${name}`;
    const pairs = new Map<string, { name: string; version: number }>();
    for (const r of runs.rows) {
      if (r.inline_definition === null && r.definition_version !== null)
        pairs.set(versionKey(r.definition_name, r.definition_version), {
          name: r.definition_name,
          version: r.definition_version,
        });
    }
    const definitions = new Map<string, Definition>();
    if (pairs.size > 0) {
      const wantedPairs = [...pairs.values()];
      const rows = await sql<{ name: string; version: number; body: Definition }>`
        select name, version, body from definitions where namespace = ${namespace} and (name, version) in (
          select * from unnest(${wantedPairs.map((p) => p.name)}::text[], ${wantedPairs.map((p) => p.version)}::int[]))`.execute(
        db,
      );
      for (const row of rows.rows) definitions.set(versionKey(row.name, row.version), row.body);
    }
    return runs.rows.map((row) => ({
      run: toSnapshot(row, tasksByRun.get(row.id) ?? []),
      definition:
        row.inline_definition ??
        (row.definition_version === null
          ? null
          : (definitions.get(versionKey(row.definition_name, row.definition_version)) ?? null)),
    }));
  }
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { createdAt: string; id: string } | null {
  if (!cursor) return null;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    if (typeof createdAt === 'string' && !Number.isNaN(Date.parse(createdAt)) && isRunId(id))
      return { createdAt, id };
  } catch {
    // fall through: an unreadable cursor starts from the top
  }
  return null;
}
