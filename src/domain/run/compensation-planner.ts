import type { TaskDefinition } from '../definition/workflow-definition.js';
import type { TaskRunSnapshot } from './run-snapshot.js';
import { isTaskInFlight } from './task-status.js';

export interface RunGraph {
  /** Task indexes in topological order (dependencies first). */
  order: readonly number[];
  dependents: readonly (readonly number[])[];
  deps: readonly (readonly number[])[];
}

/**
 * docs/contract.md#runs rule 3: a task's compensation may start only when no dependent (direct or
 * transitive) is still on a worker or waiting to retry, and every completed dependent's
 * compensation has finished. One reverse-topological sweep, O(V+E).
 */
export function compensationsReady(
  graph: RunGraph,
  definitions: readonly TaskDefinition[],
  tasks: readonly TaskRunSnapshot[],
): number[] {
  const blockedBelow = new Array<boolean>(tasks.length).fill(false);
  const ready: number[] = [];
  for (let k = graph.order.length - 1; k >= 0; k--) {
    const i = graph.order[k]!;
    let blocked = false;
    for (const d of graph.dependents[i]!) {
      if (blockedBelow[d] || isUnsettled(tasks[d]!, definitions[d]!)) {
        blocked = true;
        break;
      }
    }
    blockedBelow[i] = blocked;
    if (!blocked && tasks[i]!.status === 'COMPLETED' && definitions[i]!.compensation) ready.push(i);
  }
  return ready;
}

/** Holds back the compensation of the tasks it depends on. */
function isUnsettled(task: TaskRunSnapshot, definition: TaskDefinition): boolean {
  return (
    isTaskInFlight(task.status) ||
    task.status === 'COMPENSATING' ||
    task.status === 'COMPENSATION_FAILED' ||
    (task.status === 'COMPLETED' && definition.compensation !== null)
  );
}

/** Nothing on a worker, waiting to retry or compensating: the unwinding run can end. */
export function isQuiescent(tasks: readonly TaskRunSnapshot[]): boolean {
  return tasks.every((t) => !isTaskInFlight(t.status) && t.status !== 'COMPENSATING');
}
