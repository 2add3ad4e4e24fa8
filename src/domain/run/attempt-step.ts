import type { RetryPolicy } from '../definition/retry-policy.js';
import type { TaskConfig } from '../definition/task-config.js';
import type { TaskDefinition } from '../definition/workflow-definition.js';
import type { ExecutionSnapshot, Json, TaskRunSnapshot } from './run-snapshot.js';
import type { CompensationStatus, TaskStatus } from './task-status.js';

export type StepKind = 'task' | 'compensation';

/**
 * One thing a task row can run: the task itself or its compensation. Both share one attempt
 * life cycle; only the status names and event names differ, so the decisions take a Step.
 */
export interface Step {
  kind: StepKind;
  type: string;
  input: Json;
  config: TaskConfig;
  retry: RetryPolicy;
}

/** The step of that kind in a task's definition; null for a task without a compensation. */
export function stepOf(definition: TaskDefinition, kind: StepKind): Step | null {
  const source = kind === 'task' ? definition : definition.compensation;
  if (!source) return null;
  return { kind, type: source.type, input: source.input, config: source, retry: source.retry };
}

/** The execution row of that kind; null for a task without a compensation. */
export function executionOf(task: TaskRunSnapshot, kind: StepKind): ExecutionSnapshot | null {
  return kind === 'task' ? task : task.compensation;
}

/** Task `i`'s row, and its step and execution of that kind; null when it has no such step. */
export function stepAt(
  tasks: readonly TaskRunSnapshot[],
  definitions: readonly TaskDefinition[],
  i: number,
  kind: StepKind,
): { task: TaskRunSnapshot; step: Step; exec: ExecutionSnapshot } | null {
  const task = tasks[i]!;
  const step = stepOf(definitions[i]!, kind);
  const exec = executionOf(task, kind);
  return step && exec ? { task, step, exec } : null;
}

/** The step's own status: the task's, or its compensation's. */
export function stepStatus(task: TaskRunSnapshot, kind: StepKind): TaskStatus | CompensationStatus | null {
  return kind === 'task' ? task.status : (task.compensation?.status ?? null);
}

/** Event type names of a step kind: `Task…` or `Compensation…`. */
export function eventName<S extends 'Queued' | 'Started' | 'Completed' | 'Failed'>(
  kind: StepKind,
  suffix: S,
) {
  return `${kind === 'task' ? 'Task' : 'Compensation'}${suffix}` as const;
}
