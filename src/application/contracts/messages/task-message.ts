import Type, { type Static } from 'typebox';
import { ExecutionKindSchema, JsonValue, RunIdString, Timestamp } from '../json.js';

/**
 * The task message (docs/contract.md#task-message): published to `<prefix>.tasks` with routing
 * key = task type, one per attempt, `input` and `idempotencyKey` already resolved.
 */
export const TaskMessageSchema = Type.Object(
  {
    runId: RunIdString,
    taskKey: Type.String({ description: 'the task (for a compensation: the task being undone)' }),
    kind: ExecutionKindSchema,
    attempt: Type.Integer({ minimum: 1, description: 'attempt number; never repeats within a run' }),
    type: Type.String({ description: 'handler type' }),
    input: JsonValue,
    idempotencyKey: Type.String(),
    timeoutMs: Type.Integer({ minimum: 1 }),
    priority: Type.Integer({ minimum: 0, maximum: 9 }),
    /** When the transaction that queued this attempt committed; for the ready→start figure. */
    queuedAt: Timestamp,
  },
  {
    $id: 'TaskMessage',
    title: 'TaskMessage',
    description: 'One attempt of a task or compensation for a worker.',
  },
);

export type TaskMessage = Static<typeof TaskMessageSchema>;
