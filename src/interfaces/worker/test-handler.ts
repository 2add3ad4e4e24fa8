import type { Json } from '../../domain/run/run-snapshot.js';
import { isHandlerDefinition, type HandlerDefinition } from './define-handler.js';
import { toJsonOutput } from './handlers/json-output.js';
import type { TaskContext, TaskHandler, TaskLogger } from './handlers/task-handler.js';

/** A logger that writes nothing: the default of contexts made here. */
export const SILENT_TASK_LOGGER: TaskLogger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});

/**
 * A `TaskContext` as a worker would pass it, for attempt 1 of task `task` of run `test-run`;
 * `overrides` replace any field (an `attempt`, a `signal` to abort, a `logger` to collect).
 */
export function taskContext(overrides: Partial<TaskContext> = {}): TaskContext {
  const runId = overrides.runId ?? 'test-run';
  const taskKey = overrides.taskKey ?? 'task';
  return {
    runId,
    taskKey,
    kind: 'task',
    attempt: 1,
    idempotencyKey: `${runId}:${taskKey}`,
    signal: new AbortController().signal,
    logger: SILENT_TASK_LOGGER,
    ...overrides,
  };
}

/**
 * Runs one attempt of a handler without any service (docs/worker-sdk.md#testing): the input
 * goes through JSON as it would over the broker, a `defineHandler` handler checks its schemas,
 * and the output comes back as the worker would publish it (JSON; nothing returned is `null`).
 * What the handler throws is thrown: `NonRetryableError`, `RetryAfterError`, anything else.
 */
export async function testHandler<I, O>(
  handler: HandlerDefinition<I, O> | TaskHandler<I, O>,
  input: I,
  ctx: Partial<TaskContext> = {},
): Promise<O> {
  const handle = (isHandlerDefinition(handler) ? handler.handle : handler) as TaskHandler<Json, unknown>;
  const wired = input === undefined ? null : (JSON.parse(JSON.stringify(input)) as Json);
  const output: unknown = await handle(wired, taskContext(ctx));
  return (output === undefined ? null : toJsonOutput(output)) as O;
}
