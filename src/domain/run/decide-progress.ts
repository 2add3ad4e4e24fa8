import { queueEvents } from './decide-queue.js';
import { unwindingEvents } from './decide-unwinding.js';
import type { DecisionContext } from './run-events.js';
import { newEvent, RUN_LEVEL, type NewRunEvent } from './run-facts.js';
import type { RunPlan } from './run-plan.js';
import type { RunSnapshot } from './run-snapshot.js';
import { isUnwinding } from './run-status.js';
import { runOutputOf } from './run-templates.js';

/**
 * What the run does next on its own, given its state: queue the tasks whose dependencies are
 * done, complete, or take the next unwinding step. The aggregate applies these events and asks
 * again until the answer is empty, so each step sees the state the last one left.
 */
export function nextEvents(state: RunSnapshot, plan: RunPlan, ctx: DecisionContext): NewRunEvent[] {
  if (state.status === 'RUNNING') return forwardEvents(state, plan, ctx);
  if (isUnwinding(state.status)) return unwindingEvents(state, plan, ctx);
  return [];
}

/** docs/contract.md#runs rule 1, or the completion once every task has completed. */
function forwardEvents(state: RunSnapshot, plan: RunPlan, ctx: DecisionContext): NewRunEvent[] {
  if (state.tasks.every((t) => t.status === 'COMPLETED')) {
    const output = runOutputOf(plan.definition, state, plan.graph.dependents);
    // An output that does not resolve failed the run with its last completion (decide-settlement).
    if (!output.ok)
      throw new Error(`run ${state.id}: output failed after its last completion: ${output.message}`);
    return [newEvent('RunCompleted', ctx.now, RUN_LEVEL, {}, { output: output.value })];
  }
  const events: NewRunEvent[] = [];
  for (const i of plan.graph.order) {
    if (state.tasks[i]!.status !== 'PENDING') continue;
    if (!plan.graph.deps[i]!.every((d) => state.tasks[d]!.status === 'COMPLETED')) continue;
    const queued = queueEvents(state, plan, i, 'task', ctx);
    events.push(...queued);
    // Its input did not resolve, which fails the run: queue nothing more (rule 2).
    if (queued.some((e) => e.type === 'TaskFailed')) break;
  }
  return events;
}
