import { sql, type Kysely } from 'kysely';
import { DELAY_TYPE } from '../../domain/definition/workflow-definition.js';
import { deadQueueName, resultQueueName, taskQueueName } from '../messaging/names.js';
import { OTHER_LABEL } from './bounded-label.js';

/** Task types with a queue: `delay` runs in the orchestrator; `other` and `unknown` are labels. */
const NOT_QUEUE_TYPES = new Set([DELAY_TYPE, OTHER_LABEL, 'unknown']);
/** Bounds the queue-depth series as the task-type label is bounded. */
const TASK_QUEUE_LIMIT = 100;

export interface KnownQueueSources {
  prefix: string;
  shardCount: number;
  db(): Kysely<unknown>;
  /** Types this process has seen (queued, or has handlers for). */
  seenTypes(): Iterable<string>;
}

/**
 * The queues worth a depth series: every result shard, the dead-letter queue, and the task queue
 * of every type this process knows of or a registered definition names. An api-only process
 * never sees most types go by, hence the definitions; inline definitions' types are seen only.
 */
export async function knownQueues(sources: KnownQueueSources): Promise<string[]> {
  const types = new Set<string>();
  const add = (type: string) => {
    if (!NOT_QUEUE_TYPES.has(type) && types.size < TASK_QUEUE_LIMIT) types.add(type);
  };
  for (const type of sources.seenTypes()) add(type);
  for (const type of await registeredTypes(sources.db())) add(type);
  const shards = Array.from({ length: sources.shardCount }, (_, n) => resultQueueName(sources.prefix, n));
  return [
    ...[...types].sort().map((type) => taskQueueName(sources.prefix, type)),
    ...shards,
    deadQueueName(sources.prefix),
  ];
}

async function registeredTypes(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ type: string | null }>`
    select distinct t ->> 'type' as type from definitions, jsonb_array_elements(body -> 'tasks') t
    union
    select distinct t -> 'compensation' ->> 'type' from definitions, jsonb_array_elements(body -> 'tasks') t
      where jsonb_typeof(t -> 'compensation') = 'object'
    limit ${TASK_QUEUE_LIMIT * 2}`.execute(db);
  return rows.map((r) => r.type).filter((t): t is string => typeof t === 'string' && t !== '');
}
