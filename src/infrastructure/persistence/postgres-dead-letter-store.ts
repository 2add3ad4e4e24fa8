import { sql, type Kysely, type RawBuilder } from 'kysely';
import type {
  DeadLetter,
  DeadLetterFilter,
  DeadLetterScope,
  DeadLetterStore,
} from '../../application/ports/dead-letter-store.js';
import { isRunId } from '../../domain/shared/run-id.js';
import { toDate } from './run-rows.js';

/** A letter the keeper takes off the dead queue; the store fills in its namespace. */
export type IncomingDeadLetter = Omit<DeadLetter, 'id' | 'namespace'> & { readonly dedupeKey: string };

interface DeadLetterRow {
  seq: string;
  id: string;
  namespace: string | null;
  queue: string;
  reason: string;
  message_id: string | null;
  run_id: string | null;
  task_key: string | null;
  attempt: number | null;
  dead_at: Date | string;
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  body: Buffer;
}

const COLUMNS = sql.raw(
  'seq, id, namespace, queue, reason, message_id, run_id, task_key, attempt, dead_at, headers, properties, body',
);

/** Dead letters in PostgreSQL (`dead_letters`); every read and removal is of one scope. */
export class PostgresDeadLetterStore implements DeadLetterStore {
  constructor(
    private readonly db: () => Kysely<unknown>,
    private readonly transaction: <T>(work: (db: Kysely<unknown>) => Promise<T>) => Promise<T>,
  ) {}

  /**
   * Keeps one letter; the same delivery kept twice (redelivered before its ack) is one row. The
   * namespace is read from the run the letter names.
   */
  async keep(letter: IncomingDeadLetter): Promise<void> {
    const runId = letter.runId !== null && isRunId(letter.runId) ? letter.runId.toLowerCase() : null;
    await sql`insert into dead_letters (dedupe_key, namespace, queue, reason, message_id, run_id, task_key,
        attempt, dead_at, headers, properties, body)
      values (${letter.dedupeKey}, (select namespace from runs where id = ${runId}::uuid), ${letter.queue},
        ${letter.reason}, ${letter.messageId}, ${letter.runId}, ${letter.taskKey}, ${letter.attempt},
        ${letter.deadAt.toISOString()}::timestamptz, ${JSON.stringify(letter.headers)}::jsonb,
        ${JSON.stringify(letter.properties)}::jsonb, ${letter.body})
      on conflict (dedupe_key) do nothing`.execute(this.db());
  }

  async list(
    scope: DeadLetterScope,
    filter: DeadLetterFilter,
  ): Promise<{ items: DeadLetter[]; nextCursor: string | null }> {
    const queue = filter.queue === undefined ? sql`` : sql`and queue = ${filter.queue}`;
    const after = filter.cursor === undefined ? sql`` : sql`and seq < ${filter.cursor}::bigint`;
    const rows = await sql<DeadLetterRow>`select ${COLUMNS} from dead_letters
      where ${inScope(scope)} ${queue} ${after}
      order by seq desc limit ${filter.limit + 1}`.execute(this.db());
    const page = rows.rows.slice(0, filter.limit);
    const more = rows.rows.length > filter.limit;
    return { items: page.map(toLetter), nextCursor: more ? String(page.at(-1)!.seq) : null };
  }

  async get(scope: DeadLetterScope, id: string): Promise<DeadLetter | null> {
    const rows = await sql<DeadLetterRow>`select ${COLUMNS} from dead_letters
      where id = ${id}::uuid and ${inScope(scope)}`.execute(this.db());
    return rows.rows[0] ? toLetter(rows.rows[0]) : null;
  }

  async take(
    scope: DeadLetterScope,
    id: string,
    send: (letter: DeadLetter) => Promise<void>,
  ): Promise<boolean> {
    return this.transaction(async (db) => {
      // `for update` (not skip locked): a concurrent take waits for this one, then finds no row.
      const rows = await sql<DeadLetterRow>`select ${COLUMNS} from dead_letters
        where id = ${id}::uuid and ${inScope(scope)} for update`.execute(db);
      const row = rows.rows[0];
      if (!row) return false;
      await send(toLetter(row));
      await sql`delete from dead_letters where seq = ${row.seq}::bigint`.execute(db);
      return true;
    });
  }

  async delete(scope: DeadLetterScope, id: string): Promise<boolean> {
    const result = await sql`delete from dead_letters where id = ${id}::uuid and ${inScope(scope)}`.execute(
      this.db(),
    );
    return Number(result.numAffectedRows ?? 0) > 0;
  }
}

function inScope(scope: DeadLetterScope): RawBuilder<unknown> {
  return scope.unowned
    ? sql`(namespace = ${scope.namespace} or namespace is null)`
    : sql`namespace = ${scope.namespace}`;
}

function toLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: row.id,
    namespace: row.namespace,
    queue: row.queue,
    reason: row.reason,
    messageId: row.message_id,
    runId: row.run_id,
    taskKey: row.task_key,
    attempt: row.attempt,
    deadAt: toDate(row.dead_at)!,
    headers: row.headers,
    properties: row.properties,
    body: row.body,
  };
}
