import Type, { type Static } from 'typebox';
import { ExecutionKindSchema, JsonValue, RunIdString, Timestamp } from '../json.js';

/** Why an attempt failed, as the worker reports it (docs/contract.md#result-message). */
export const WorkerFailureSchema = Type.Object(
  {
    message: Type.String(),
    /** Machine-readable reason: `retryable`, `non_retryable`, `retry_after`, `timeout`, … */
    code: Type.Optional(Type.String()),
    retryable: Type.Boolean(),
    /** Set when the failure says when to try again (HTTP Retry-After, open circuit breaker). */
    retryAfterMs: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { $id: 'WorkerFailure', title: 'WorkerFailure' },
);

const base = {
  runId: RunIdString,
  taskKey: Type.String(),
  kind: ExecutionKindSchema,
  attempt: Type.Integer({ minimum: 1 }),
  startedAt: Timestamp,
};

export const StartedResultSchema = Type.Object(
  { ...base, outcome: Type.Literal('started') },
  { title: 'StartedResult', description: 'the handler has run for a while (sent after 500 ms)' },
);
export const CompletedResultSchema = Type.Object(
  { ...base, outcome: Type.Literal('completed'), output: JsonValue, finishedAt: Timestamp },
  { title: 'CompletedResult' },
);
export const FailedResultSchema = Type.Object(
  { ...base, outcome: Type.Literal('failed'), error: WorkerFailureSchema, finishedAt: Timestamp },
  { title: 'FailedResult' },
);

/**
 * The result message (docs/contract.md#result-message): published by workers to
 * `<prefix>.results`, routed to the run's shard queue.
 */
export const ResultMessageSchema = Type.Union(
  [StartedResultSchema, CompletedResultSchema, FailedResultSchema],
  {
    $id: 'ResultMessage',
    title: 'ResultMessage',
    description: "A worker's report about one attempt.",
  },
);

export type WorkerFailure = Static<typeof WorkerFailureSchema>;
export type ResultMessage = Static<typeof ResultMessageSchema>;
