import { DELAY_TYPE } from '../definition/workflow-definition.js';
import { compensationsReady, isQuiescent } from './compensation-planner.js';
import { queueEvents } from './decide-queue.js';
import type { DecisionContext, RunEventType } from './run-events.js';
import { newEvent, NO_FACTS, RUN_LEVEL, type NewRunEvent } from './run-facts.js';
import type { RunPlan } from './run-plan.js';
import type { RunSnapshot } from './run-snapshot.js';

/**
 * The next step of an unwinding run, one at a time so each sees the state the last one left:
 * stop the work that is waiting, then queue every compensation rule 3 allows, then — once
 * nothing is in flight — the final status. Empty when there is nothing to do until a result or
 * a timer comes.
 */
export function unwindingEvents(state: RunSnapshot, plan: RunPlan, ctx: DecisionContext): NewRunEvent[] {
  const stop = stopWorkEvents(state, plan, ctx);
  if (stop.length > 0) return stop;
  const compensations = compensationsReady(plan.graph, plan.definition.tasks, state.tasks).flatMap((i) =>
    queueEvents(state, plan, i, 'compensation', ctx),
  );
  if (compensations.length > 0) return compensations;
  return isQuiescent(state.tasks) ? [finishEvent(state, ctx)] : [];
}

/**
 * docs/contract.md#runs rule 2: once a run fails or is cancelled nothing new is queued; pending work
 * is skipped and waiting work (retry backoffs, `delay` timers) cancelled at once. A cancel also
 * cancels attempts no worker has started yet; started ones are left to report.
 */
function stopWorkEvents(state: RunSnapshot, plan: RunPlan, ctx: DecisionContext): NewRunEvent[] {
  const cancelling = state.status === 'CANCELLING';
  const events: NewRunEvent[] = [];
  state.tasks.forEach((t, i) => {
    if (t.status === 'PENDING') {
      events.push(newEvent('TaskSkipped', ctx.now, { taskKey: t.key, attempt: null }, {}, NO_FACTS));
    } else if (
      t.status === 'RETRYING' ||
      (t.status === 'RUNNING' && plan.definition.tasks[i]!.type === DELAY_TYPE) ||
      (t.status === 'QUEUED' && cancelling)
    ) {
      events.push(newEvent('TaskCancelled', ctx.now, { taskKey: t.key, attempt: t.attempt }, {}, NO_FACTS));
    }
  });
  return events;
}

/**
 * The final status of a quiescent unwinding run: a failed compensation outranks a cancel; a
 * failure ends COMPENSATED if anything was undone, FAILED if not (docs/events.md#how-a-run-ends).
 */
function finishEvent(state: RunSnapshot, ctx: DecisionContext): NewRunEvent {
  const type: RunEventType = state.tasks.some((t) => t.status === 'COMPENSATION_FAILED')
    ? 'RunCompensationFailed'
    : state.status === 'CANCELLING'
      ? 'RunCancelled'
      : state.tasks.some((t) => t.status === 'COMPENSATED')
        ? 'RunCompensated'
        : 'RunFailed';
  return closingEvent(state, type, ctx);
}

/** A run's closing event carries its error, if it has one. */
export function closingEvent(
  state: RunSnapshot,
  type: Exclude<RunEventType, 'RunCompleted'>,
  ctx: DecisionContext,
): NewRunEvent {
  return newEvent(type, ctx.now, RUN_LEVEL, state.error ? { error: { ...state.error } } : {}, NO_FACTS);
}
