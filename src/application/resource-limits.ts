import type { WorkflowDefinition } from '../domain/definition/workflow-definition.js';
import { DomainValidationError, type ValidationIssue } from '../domain/shared/domain-error.js';
import { MAX_TASKS } from '../domain/definition/definition-validator.js';
import type { Json } from '../domain/run/run-snapshot.js';
import type { ResultMessage } from './ports/messages.js';
import { PayloadTooLargeError } from './errors.js';

/** How much one definition or payload may hold (docs/security.md#limits-and-hostile-input). */
export interface ResourceLimits {
  /** Tasks per definition (`SAGAFLOW_MAX_TASKS`, at most the engine's ceiling `MAX_TASKS`). */
  readonly maxTasks: number;
  /** Bytes of a run's input and of each task output, as UTF-8 JSON (`SAGAFLOW_MAX_PAYLOAD_BYTES`). */
  readonly maxPayloadBytes: number;
}

export const RESOURCE_LIMITS = Symbol('ResourceLimits');

export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = Object.freeze({
  maxTasks: MAX_TASKS,
  maxPayloadBytes: 1_048_576,
});

/** The error code of a task whose output is over `maxPayloadBytes`. */
export const PAYLOAD_TOO_LARGE = 'payload_too_large';

/** The size of `value` as stored: its JSON text in UTF-8. */
export function jsonBytes(value: Json): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** The issue of a definition with more tasks than allowed, or null; `path` is where its tasks are. */
export function taskCountIssue(
  definition: Pick<WorkflowDefinition, 'tasks'>,
  limits: ResourceLimits,
  path = 'tasks',
): ValidationIssue | null {
  const count = definition.tasks.length;
  if (count <= limits.maxTasks) return null;
  return { path, message: `has ${count} tasks, over SAGAFLOW_MAX_TASKS (${limits.maxTasks})` };
}

export function refuseTooManyTasks(
  definition: Pick<WorkflowDefinition, 'tasks'>,
  limits: ResourceLimits,
  path?: string,
): void {
  const issue = taskCountIssue(definition, limits, path);
  if (issue) throw new DomainValidationError([issue]);
}

/** A start whose input is over the limit is refused whole (413), never cut. */
export function refuseLargeInput(input: Json, limits: ResourceLimits): void {
  const bytes = jsonBytes(input);
  if (bytes > limits.maxPayloadBytes) {
    throw new PayloadTooLargeError(
      `input is ${bytes} bytes, over SAGAFLOW_MAX_PAYLOAD_BYTES (${limits.maxPayloadBytes})`,
    );
  }
}

/**
 * A completed result whose output is over the limit becomes a non-retryable failure of its
 * attempt that names the limit: the same code would return the same output again, and a
 * truncated output would be a wrong one. Applied where results enter the orchestrator, so it
 * holds for every worker, built in or not.
 */
export function limitResultOutput(message: ResultMessage, limits: ResourceLimits): ResultMessage {
  if (message.outcome !== 'completed') return message;
  const bytes = jsonBytes(message.output);
  if (bytes <= limits.maxPayloadBytes) return message;
  const { runId, taskKey, kind, attempt, startedAt, finishedAt } = message;
  return {
    runId,
    taskKey,
    kind,
    attempt,
    startedAt,
    finishedAt,
    outcome: 'failed',
    error: {
      message: `task output is ${bytes} bytes, over SAGAFLOW_MAX_PAYLOAD_BYTES (${limits.maxPayloadBytes})`,
      code: PAYLOAD_TOO_LARGE,
      retryable: false,
    },
  };
}
