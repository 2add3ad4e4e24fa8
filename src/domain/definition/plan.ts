import { dependentsOf, levelsOf, topologicalOrder } from './dag.js';
import type { WorkflowDefinition } from './workflow-definition.js';

export interface ExecutionPlan {
  /** Keys that can run in parallel at each level, roots first. */
  levels: string[][];
  /** Keys of tasks with a compensation, grouped in the order their compensations would run. */
  compensation: string[][];
}

/** The plan of a valid definition (docs/contract.md#workflow-definitions `validate`). */
export function planOf(definition: WorkflowDefinition): ExecutionPlan {
  const { deps } = indexDefinition(definition);
  const { order } = topologicalOrder(deps);
  const level = levelsOf(deps, order);
  const keys = definition.tasks.map((t) => t.key);
  return {
    levels: group(level, keys, () => true),
    compensation: group(compensationLevels(definition, deps, order), keys, (i) =>
      Boolean(definition.tasks[i]!.compensation),
    ),
  };
}

export function indexDefinition(definition: WorkflowDefinition) {
  const indexOf = new Map(definition.tasks.map((t, i) => [t.key, i]));
  const deps = definition.tasks.map((t) => t.dependsOn.map((d) => indexOf.get(d)!));
  return { indexOf, deps };
}

/**
 * A compensation waits for the compensations of every dependent, direct or transitive, so its
 * level is one more than the deepest compensating dependent's (reverse topological sweep).
 */
function compensationLevels(definition: WorkflowDefinition, deps: number[][], order: number[]): number[] {
  const dependents = dependentsOf(deps);
  const wait = deps.map(() => 0);
  const own = deps.map(() => 0);
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    let w = 0;
    for (const d of dependents[i]!)
      w = Math.max(w, definition.tasks[d]!.compensation ? own[d]! + 1 : wait[d]!);
    wait[i] = w;
    own[i] = w;
  }
  return own;
}

function group(level: number[], keys: string[], include: (i: number) => boolean): string[][] {
  const groups: string[][] = [];
  level.forEach((l, i) => {
    if (!include(i)) return;
    (groups[l] ??= []).push(keys[i]!);
  });
  return groups.filter((g) => g !== undefined && g.length > 0);
}
