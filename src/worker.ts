/**
 * `sagaflow/worker` — the public API for task handlers (README, "Writing your own task
 * handlers"; docs/contract.md#processes-and-roles):
 *
 * ```js
 * import { NonRetryableError, startWorker } from 'sagaflow/worker';
 * await startWorker({ handlers: { 'my-type': async (input, ctx) => ({ ok: true }) } });
 * ```
 *
 * `startWorker` runs a worker process of your own; a module listed in `SAGAFLOW_HANDLERS`
 * instead exports `handlers` or a default `(registry) => void` for the `sagaflow` process's
 * worker role. What a handler throws decides the retry: `NonRetryableError` fails the task at
 * once, `RetryAfterError(ms)` retries after that delay, anything else follows the task's backoff.
 * Importing this module loads neither NestJS nor the database or HTTP stack.
 */
export {
  startWorker,
  type SagaflowWorker,
  type StartWorkerOptions,
  type WorkerConfig,
} from './app/start-worker.js';
export {
  HandlerRegistry,
  NonRetryableError,
  RetryAfterError,
  RetryableError,
  TaskFailureError,
  TaskTimeoutError,
  isTaskFailureError,
  type CloseHook,
  type HandlerModule,
  type HttpOutput,
  type Json,
  type TaskContext,
  type TaskFailure,
  type TaskFailureCode,
  type TaskHandler,
} from './interfaces/worker/index.js';
