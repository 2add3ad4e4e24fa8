/**
 * `sagaflow/worker` — the public API for task handlers (README, "Writing your own task
 * handlers"; docs/contract.md#processes-and-roles):
 *
 * ```ts
 * import { defineHandler, NonRetryableError, startWorker, Type } from 'sagaflow/worker';
 * const greet = defineHandler('greet', async ({ name }) => ({ greeting: `hello ${name}` }), {
 *   input: Type.Object({ name: Type.String() }),
 * });
 * await startWorker({ handlers: [greet] });
 * ```
 *
 * `testHandler(greet, { name: 'x' })` runs a handler without any service (docs/worker-sdk.md).
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
  defineHandler,
  isHandlerDefinition,
  taskContext,
  testHandler,
  WorkerStoppingError,
  NonRetryableError,
  RetryAfterError,
  RetryableError,
  TaskFailureError,
  TaskTimeoutError,
  isTaskFailureError,
  type CloseHook,
  type HandlerDefinition,
  type HandlerModule,
  type HandlerSchemas,
  type Handlers,
  type InputOf,
  type OutputOf,
  type TaskLogFields,
  type TaskLogger,
  type HttpOutput,
  type Json,
  type TaskContext,
  type TaskFailure,
  type TaskFailureCode,
  type TaskHandler,
} from './interfaces/worker/index.js';
/** TypeBox, the schema library of Sagaflow's own API, for `defineHandler`'s input and output schemas. */
export { Type, type Static, type TSchema } from 'typebox';
