/**
 * Public API for writing task handlers. Import from here, not from the files behind it.
 */
export {
  HandlerRegistry,
  createDefaultRegistry,
  type CloseHook,
  type DefaultRegistryOptions,
  type TaskContext,
  type TaskHandler,
} from './handler-registry.js';
export type { TaskLogFields, TaskLogger } from './handlers/task-handler.js';
export {
  loadHandlerModules,
  parseHandlerSpecifiers,
  type HandlerModule,
} from './handlers/handler-modules.js';
export type { HttpHandlerOptions, HttpOutput } from './handlers/http.js';
export {
  defineHandler,
  isHandlerDefinition,
  type HandlerDefinition,
  type HandlerSchemas,
  type InputOf,
  type OutputOf,
} from './define-handler.js';
export { registerAll, type Handlers } from './register-handlers.js';
export { SILENT_TASK_LOGGER, taskContext, testHandler } from './test-handler.js';
export { WorkerStoppingError } from './task-executor.js';
export {
  NonRetryableError,
  RetryAfterError,
  RetryableError,
  TaskFailureError,
  TaskTimeoutError,
  isTaskFailureError,
  type TaskFailure,
  type TaskFailureCode,
} from '../../domain/errors/task-errors.js';
export type { Json } from '../../domain/run/run-snapshot.js';
