import type { RetryPolicy } from '../definition/retry-policy.js';
import type { TaskConfig } from '../definition/task-config.js';
import type { CompensationDefinition, TaskDefinition } from '../definition/workflow-definition.js';
import type { RunHost } from './run-host.js';
import type { CompensationSnapshot, ExecutionSnapshot, Json } from './run-snapshot.js';
import { assertCompensationTransition } from './task-status.js';

/**
 * One thing a task row can run: the task itself or its compensation. Both share one attempt
 * life cycle; only the status names and event names differ, so the mechanics take a Step.
 */
export interface Step {
  kind: 'task' | 'compensation';
  type: string;
  input: Json;
  config: TaskConfig;
  retry: RetryPolicy;
}

export function taskStep(definition: TaskDefinition): Step {
  return { kind: 'task', ...definition, config: definition, retry: definition.retry };
}

export function compensationStep(definition: CompensationDefinition): Step {
  return { kind: 'compensation', ...definition, config: definition, retry: definition.retry };
}

/**
 * A task's status lives on the run (it drives the run's decisions and change tracking); a
 * compensation's lives on its own execution row.
 */
export function setExecutionStatus(
  run: RunHost,
  i: number,
  exec: ExecutionSnapshot,
  kind: Step['kind'],
  to: 'QUEUED' | 'RUNNING' | 'RETRYING' | 'COMPLETED' | 'FAILED',
): void {
  if (kind === 'task') {
    run.setTaskStatus(i, to);
    return;
  }
  const comp = exec as CompensationSnapshot;
  assertCompensationTransition(comp.status, to);
  comp.status = to;
}
