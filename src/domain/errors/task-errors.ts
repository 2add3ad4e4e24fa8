/**
 * The error taxonomy a task handler uses to say whether an attempt may be retried, after
 * Temporal's `ApplicationFailure.nonRetryable`, Restate's `TerminalError` and Inngest's
 * `NonRetriableError` / `RetryAfterError`. The set is closed on purpose: the orchestrator's
 * retry decision reads only `retryable` and `retryAfterMs`, so a new class would add nothing.
 *
 * Pure: the mapping returns a structural {@link TaskFailure} rather than the application's
 * `WorkerFailure`, so the domain imports nothing from the application layer; the two shapes
 * are assignment-compatible and the worker checks that at compile time.
 */

export type TaskFailureCode = 'retryable' | 'non_retryable' | 'retry_after' | 'timeout';

/** Plain-data description of a failed attempt (structurally a `WorkerFailure`). */
export interface TaskFailure {
  message: string;
  code: TaskFailureCode;
  retryable: boolean;
  /** Set when the failure says when to try again. */
  retryAfterMs?: number;
}

/**
 * Messages travel in AMQP messages and database rows; a handler that throws with a
 * megabyte-long message (a whole response body) must not bloat either.
 */
export const MAX_FAILURE_MESSAGE_LENGTH = 4096;

/**
 * A registered symbol rather than `instanceof` alone: a user's handler module may load its
 * own copy of this package, and its errors must still be recognised.
 */
const FAILURE_BRAND: unique symbol = Symbol.for('sagaflow.task-failure');

/** Base of the taxonomy, for `instanceof`; a handler throws one of the four classes below. */
export abstract class TaskFailureError extends Error {
  abstract readonly code: TaskFailureCode;
  abstract readonly retryable: boolean;
  readonly [FAILURE_BRAND] = true;
}

/** The attempt failed but another attempt may succeed (the default for any unknown error). */
export class RetryableError extends TaskFailureError {
  override readonly name: string = 'RetryableError';
  readonly code: TaskFailureCode = 'retryable';
  readonly retryable = true;
}

/** Retrying cannot help (bad input, a 4xx, a business rule): the task fails at once. */
export class NonRetryableError extends TaskFailureError {
  override readonly name: string = 'NonRetryableError';
  readonly code: TaskFailureCode = 'non_retryable';
  readonly retryable = false;
}

/** Retryable, and the callee said when: the next attempt waits at least `retryAfterMs`. */
export class RetryAfterError extends RetryableError {
  override readonly name: string = 'RetryAfterError';
  override readonly code: TaskFailureCode = 'retry_after';
  readonly retryAfterMs: number;

  constructor(retryAfterMs: number, message?: string, options?: ErrorOptions) {
    if (!Number.isFinite(retryAfterMs)) {
      throw new RangeError(`retryAfterMs must be a finite number, got ${retryAfterMs}`);
    }
    const ms = Math.max(0, Math.ceil(retryAfterMs));
    super(message ?? `retry after ${ms} ms`, options);
    this.retryAfterMs = ms;
  }
}

/** The attempt ran past its `timeoutMs`; retryable, as docs/contract.md#workflow-definitions requires. */
export class TaskTimeoutError extends RetryableError {
  override readonly name: string = 'TaskTimeoutError';
  override readonly code: TaskFailureCode = 'timeout';
  readonly timeoutMs: number;

  constructor(timeoutMs: number, message?: string, options?: ErrorOptions) {
    super(message ?? `task timed out after ${timeoutMs} ms`, options);
    this.timeoutMs = timeoutMs;
  }
}

/** True for any error of the taxonomy, including one from another copy of this package. */
export function isTaskFailureError(err: unknown): err is TaskFailureError {
  return err instanceof TaskFailureError || (isErrorLike(err) && FAILURE_BRAND in err);
}

/**
 * `instanceof Error` is false for errors made in another realm (a `vm` context, as under
 * jest, or a worker thread's structured clone), yet their message is just as good.
 */
export function isErrorLike(err: unknown): err is Error {
  if (err instanceof Error) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { message, name } = err as { message?: unknown; name?: unknown };
  return typeof message === 'string' && typeof name === 'string';
}

/**
 * Maps anything a handler threw to the failure the orchestrator decides on. Errors outside
 * the taxonomy are retryable: an unexpected crash is more often transient than not, and the
 * retry budget bounds the cost of being wrong.
 */
export function toWorkerFailure(err: unknown): TaskFailure {
  if (isTaskFailureError(err)) {
    const failure: TaskFailure = {
      message: boundMessage(err.message || err.name),
      code: knownCode(err.code),
      retryable: err.retryable === true,
    };
    const retryAfterMs: unknown = (err as Partial<RetryAfterError>).retryAfterMs;
    if (typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
      failure.retryAfterMs = retryAfterMs;
    }
    return failure;
  }
  return { message: boundMessage(describe(err)), code: 'retryable', retryable: true };
}

function knownCode(code: unknown): TaskFailureCode {
  return code === 'non_retryable' || code === 'retry_after' || code === 'timeout' ? code : 'retryable';
}

function describe(err: unknown): string {
  if (isErrorLike(err)) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    const json = JSON.stringify(err);
    if (json !== undefined) return `non-error thrown: ${json}`;
  } catch {
    // Cyclic or BigInt-bearing values: fall through to String().
  }
  return `non-error thrown: ${String(err)}`;
}

function boundMessage(message: string): string {
  if (message.length <= MAX_FAILURE_MESSAGE_LENGTH) return message;
  return `${message.slice(0, MAX_FAILURE_MESSAGE_LENGTH - 1)}…`;
}
