import type { ExecutionKind } from '../../../application/ports/messages.js';
import type { Json } from '../../../domain/run/run-snapshot.js';

/** What a handler knows about the attempt it runs. */
export interface TaskContext {
  runId: string;
  taskKey: string;
  /** `compensation` when the handler runs to undo a completed task. */
  kind: ExecutionKind;
  /** Grows across retries; a redelivery after a worker crash repeats the same number. */
  attempt: number;
  /** Same for every attempt of a task: pass it to the callee to make the side effect exactly-once. */
  idempotencyKey: string;
  /**
   * Aborted when the attempt's `timeoutMs` runs out (the attempt is then a retryable timeout) or
   * when the worker's stop grace runs out (the task goes back to its queue for another worker).
   * Pass it to `fetch` and friends.
   */
  signal: AbortSignal;
  /** Log lines that carry `run_id`, `task_key`, `kind` and `attempt`, in the worker's log. */
  logger: TaskLogger;
}

/** Fields of a log line, snake_case like the ones the worker adds. */
export type TaskLogFields = Readonly<Record<string, unknown>>;

export interface TaskLogger {
  debug(message: string, fields?: TaskLogFields): void;
  info(message: string, fields?: TaskLogFields): void;
  warn(message: string, fields?: TaskLogFields): void;
  error(message: string, fields?: TaskLogFields): void;
}

/**
 * A task type's implementation. `input` is the task's resolved input as the orchestrator
 * sent it: the type parameter documents the expected shape but nothing checks it, so a
 * handler should validate and throw `NonRetryableError` on bad input. The output must be
 * JSON-serialisable; returning nothing yields `null`.
 */
export type TaskHandler<I = Json, O = Json> = (input: I, ctx: TaskContext) => Promise<O>;
