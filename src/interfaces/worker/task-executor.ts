import type { AppLogger } from '../../application/ports/logger.js';
import type { ResultMessage, TaskMessage, WorkerFailure } from '../../application/ports/messages.js';
import {
  NonRetryableError,
  TaskTimeoutError,
  toWorkerFailure,
  type TaskFailure,
} from '../../domain/errors/task-errors.js';
import type { Json } from '../../domain/run/run-snapshot.js';
import type { HandlerRegistry } from './handler-registry.js';
import { toJsonOutput } from './handlers/json-output.js';
import type { TaskContext, TaskLogger } from './handlers/task-handler.js';
import { SILENT_TASK_LOGGER } from './test-handler.js';

export type StartedReport = Extract<ResultMessage, { outcome: 'started' }>;
export type FinishedResult = Extract<ResultMessage, { outcome: 'completed' | 'failed' }>;
/**
 * The worker stopped before the attempt finished: nothing is reported, and the task message,
 * left unacknowledged, goes back to its queue for another worker (docs/worker-sdk.md#stopping).
 */
export interface AbandonedAttempt {
  outcome: 'abandoned';
  runId: string;
  taskKey: string;
  attempt: number;
}

/** The reason `ctx.signal` carries when the worker's stop grace runs out. */
export class WorkerStoppingError extends Error {
  override readonly name = 'WorkerStoppingError';
  constructor() {
    super('the worker is stopping: the task goes back to its queue');
  }
}

/** The domain's failure shape must stay assignable to the wire's; this line fails to compile if not. */
const asWireFailure = (failure: TaskFailure): WorkerFailure => failure;

/** docs/contract.md#runs: a task still running this long after receipt reports its start. */
export const DEFAULT_START_REPORT_AFTER_MS = 500;
/** the contract's (docs/contract.md#workflow-definitions) default, used only if a message carries no usable `timeoutMs`. */
const DEFAULT_TIMEOUT_MS = 300_000;
/** setTimeout's ceiling; a larger delay would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

export interface TaskExecutorOptions {
  registry: Pick<HandlerRegistry, 'get'>;
  startReportAfterMs?: number;
  /** Receives errors thrown by `onStarted`; the attempt itself goes on. Default: a process warning. */
  onReportError?: (err: unknown) => void;
  now?: () => Date;
  /** Aborted when the worker's stop grace runs out: running attempts are abandoned, their signals aborted. */
  shutdown?: AbortSignal;
  /** What `ctx.logger` writes to (with the attempt's fields); silent when absent. */
  logger?: AppLogger;
}

export interface ExecuteOptions {
  /**
   * Called once if the handler is still running `startReportAfterMs` after receipt, and
   * never after the result is known. Publishing it is the caller's business.
   */
  onStarted?: (report: StartedReport) => void | PromiseLike<void>;
}

/**
 * Runs one task attempt on this worker: finds the handler, enforces `timeoutMs` from receipt
 * and turns the outcome into the result message (docs/contract.md#timeouts and #runs; the
 * worker is the only place that knows when an attempt really started).
 *
 * A handler that returns `undefined` completes with output `null`: JSON's "no value", and
 * distinct from a handler that deliberately returns `{}` (as `noop` does).
 */
export class TaskExecutor {
  private readonly registry: Pick<HandlerRegistry, 'get'>;
  private readonly startReportAfterMs: number;
  private readonly onReportError: (err: unknown) => void;
  private readonly now: () => Date;
  private readonly shutdown: AbortSignal | undefined;
  private readonly logger: AppLogger | undefined;

  constructor(options: TaskExecutorOptions) {
    this.registry = options.registry;
    this.shutdown = options.shutdown;
    this.logger = options.logger;
    this.startReportAfterMs = options.startReportAfterMs ?? DEFAULT_START_REPORT_AFTER_MS;
    this.onReportError = options.onReportError ?? defaultReportError;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Never rejects: every outcome, including a handler that throws synchronously, is a
   * result. On timeout the attempt resolves as a retryable `timeout` failure at once, even
   * if the handler ignores its signal; whatever it does later is discarded. Likewise, when the
   * `shutdown` signal aborts first, it resolves as abandoned at once and aborts `ctx.signal`.
   */
  execute(message: TaskMessage, options: ExecuteOptions = {}): Promise<FinishedResult | AbandonedAttempt> {
    const base = {
      runId: message.runId,
      taskKey: message.taskKey,
      kind: message.kind,
      attempt: message.attempt,
      startedAt: this.now().toISOString(),
    };
    const handler = this.registry.get(message.type);
    if (handler === undefined) {
      const err = new NonRetryableError(`no handler registered for task type "${message.type}"`);
      return Promise.resolve(this.failed(base, err));
    }
    const controller = new AbortController();
    const ctx: TaskContext = {
      runId: message.runId,
      taskKey: message.taskKey,
      kind: message.kind,
      attempt: message.attempt,
      idempotencyKey: message.idempotencyKey,
      signal: controller.signal,
      logger: this.logger === undefined ? SILENT_TASK_LOGGER : attemptLogger(this.logger, message),
    };
    const timeoutMs = usableTimeout(message.timeoutMs);
    const run = async (): Promise<Json> => {
      const output: unknown = await handler(message.input, ctx);
      return output === undefined ? null : toJsonOutput(output);
    };

    const { shutdown } = this;
    if (shutdown?.aborted) return Promise.resolve(abandoned(message));

    return new Promise<FinishedResult | AbandonedAttempt>((resolve) => {
      let settled = false;
      const settle = (result: FinishedResult | AbandonedAttempt): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timeoutTimer);
        if (startTimer !== undefined) clearTimeout(startTimer);
        shutdown?.removeEventListener('abort', onShutdown);
        resolve(result);
      };
      const onShutdown = (): void => {
        settle(abandoned(message));
        controller.abort(new WorkerStoppingError());
      };
      shutdown?.addEventListener('abort', onShutdown, { once: true });
      const timeoutTimer = setTimeout(() => {
        const err = new TaskTimeoutError(timeoutMs);
        settle(this.failed(base, err));
        controller.abort(err);
      }, timeoutMs);
      const { onStarted } = options;
      const startTimer =
        onStarted === undefined
          ? undefined
          : setTimeout(() => {
              if (!settled) this.report(onStarted, { ...base, outcome: 'started' });
            }, this.startReportAfterMs);
      run().then(
        (output) => settle({ ...base, outcome: 'completed', output, finishedAt: this.now().toISOString() }),
        (err: unknown) => settle(this.failed(base, err)),
      );
    });
  }

  private failed(base: Omit<StartedReport, 'outcome'>, err: unknown): FinishedResult {
    return {
      ...base,
      outcome: 'failed',
      error: asWireFailure(toWorkerFailure(err)),
      finishedAt: this.now().toISOString(),
    };
  }

  private report(onStarted: NonNullable<ExecuteOptions['onStarted']>, report: StartedReport): void {
    try {
      void Promise.resolve(onStarted(report)).catch(this.onReportError);
    } catch (err) {
      this.onReportError(err);
    }
  }
}

function abandoned(message: TaskMessage): AbandonedAttempt {
  return { outcome: 'abandoned', runId: message.runId, taskKey: message.taskKey, attempt: message.attempt };
}

/** `ctx.logger`: the attempt's child logger, made on first use (most attempts never log). */
function attemptLogger(parent: AppLogger, message: TaskMessage): TaskLogger {
  let child: AppLogger | undefined;
  const log = (): AppLogger =>
    (child ??= parent.child({
      run_id: message.runId,
      task_key: message.taskKey,
      kind: message.kind,
      attempt: message.attempt,
      task_type: message.type,
    }));
  return {
    debug: (text, fields) => log().debug(text, fields),
    info: (text, fields) => log().log(text, fields),
    warn: (text, fields) => log().warn(text, fields),
    error: (text, fields) => log().error(text, fields),
  };
}

function usableTimeout(timeoutMs: number): number {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) return DEFAULT_TIMEOUT_MS;
  return Math.min(Math.ceil(timeoutMs), MAX_TIMER_MS);
}

function defaultReportError(err: unknown): void {
  process.emitWarning(err instanceof Error ? err : String(err), 'SagaflowStartReport');
}
