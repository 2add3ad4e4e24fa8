import { InvalidStateError } from '../shared/domain-error.js';
import { queueEvents } from './decide-queue.js';
import type { DecisionContext } from './run-events.js';
import { newEvent, RUN_LEVEL, type NewRunEvent } from './run-facts.js';
import { runOutputError } from './run-templates.js';
import type { RunPlan } from './run-plan.js';
import type { RunSnapshot } from './run-snapshot.js';

/**
 * An operator's cancel (docs/contract.md#operator-commands-cancel-and-retry): stops forward progress
 * and unwinds, like a failure but ending CANCELLED. Asking twice is harmless (no events); asking
 * once the run has ended is an error.
 */
export function cancelEvents(state: RunSnapshot, reason: string | null, ctx: DecisionContext): NewRunEvent[] {
  if (state.status === 'CANCELLING') return [];
  if (state.status !== 'RUNNING') {
    throw new InvalidStateError(`run ${state.id} is ${state.status}; only a RUNNING run can be cancelled`);
  }
  return [newEvent('RunCancelRequested', ctx.now, RUN_LEVEL, { reason }, { reason })];
}

/**
 * An operator's retry resumes where the run stopped, with a fresh retry budget for what failed:
 * a FAILED run re-queues its failed, skipped and cancelled tasks (as their dependencies allow,
 * by the progress that follows); a COMPENSATION_FAILED run re-queues its failed compensations at
 * once and keeps unwinding. `RunRetried` changes nothing those queue events read.
 */
export function retryEvents(state: RunSnapshot, plan: RunPlan, ctx: DecisionContext): NewRunEvent[] {
  const from = state.status;
  if (from !== 'FAILED' && from !== 'COMPENSATION_FAILED') {
    throw new InvalidStateError(
      `run ${state.id} is ${from}; only FAILED or COMPENSATION_FAILED runs can be retried`,
    );
  }
  if (from === 'FAILED') {
    // Only a run whose output did not resolve fails with every task completed; it fails again.
    const runError = runOutputError(plan.definition, state, plan.graph.dependents);
    return [newEvent('RunRetried', ctx.now, RUN_LEVEL, { from }, { runError })];
  }
  const retried = newEvent('RunRetried', ctx.now, RUN_LEVEL, { from }, { runError: null });
  const requeued = state.tasks.flatMap((t, i) =>
    t.status === 'COMPENSATION_FAILED' && t.compensation
      ? queueEvents(state, plan, i, 'compensation', ctx)
      : [],
  );
  return [retried, ...requeued];
}
