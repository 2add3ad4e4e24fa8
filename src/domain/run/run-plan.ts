import { dependentsOf, topologicalOrder } from '../definition/dag.js';
import { indexDefinition } from '../definition/plan.js';
import type { WorkflowDefinition } from '../definition/workflow-definition.js';
import type { RunGraph } from './compensation-planner.js';

/** What every decision about a run reads besides its state: the definition and its graph. */
export interface RunPlan {
  readonly definition: WorkflowDefinition;
  readonly graph: RunGraph;
  readonly indexOf: ReadonlyMap<string, number>;
}

export function planRun(definition: WorkflowDefinition): RunPlan {
  const { indexOf, deps } = indexDefinition(definition);
  return {
    definition,
    indexOf,
    graph: { deps, order: topologicalOrder(deps).order, dependents: dependentsOf(deps) },
  };
}
