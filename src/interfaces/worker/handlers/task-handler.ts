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
  /** Aborted when the attempt's `timeoutMs` runs out; the attempt is then a retryable timeout. */
  signal: AbortSignal;
}

/**
 * A task type's implementation. `input` is the task's resolved input as the orchestrator
 * sent it: the type parameter documents the expected shape but nothing checks it, so a
 * handler should validate and throw `NonRetryableError` on bad input. The output must be
 * JSON-serialisable; returning nothing yields `null`.
 */
export type TaskHandler<I = Json, O = Json> = (input: I, ctx: TaskContext) => Promise<O>;
