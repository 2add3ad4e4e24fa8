/**
 * Wire contracts between the orchestrator and workers (docs/contract.md#messaging). Both sides are in this
 * codebase; the shapes are versioned by these types alone.
 */
import type { Json, TaskError } from '../../domain/run/run-snapshot.js';

export type ExecutionKind = 'task' | 'compensation';

/** Published to `<prefix>.tasks` with routing key = task type. */
export interface TaskMessage {
  runId: string;
  taskKey: string;
  kind: ExecutionKind;
  attempt: number;
  type: string;
  input: Json;
  idempotencyKey: string;
  timeoutMs: number;
  priority: number;
  /** When the transaction that queued this attempt committed (ISO); for the ready→start figure. */
  queuedAt: string;
}

export interface WorkerFailure extends TaskError {
  retryable: boolean;
  /** Set when the failure says when to try again (HTTP Retry-After, open circuit breaker). */
  retryAfterMs?: number;
}

/** Published by workers to `<prefix>.results`, routed to the run's shard queue. */
export type ResultMessage =
  | (ResultBase & { outcome: 'started' })
  | (ResultBase & { outcome: 'completed'; output: Json; finishedAt: string })
  | (ResultBase & { outcome: 'failed'; error: WorkerFailure; finishedAt: string });

interface ResultBase {
  runId: string;
  taskKey: string;
  kind: ExecutionKind;
  attempt: number;
  startedAt: string;
}
