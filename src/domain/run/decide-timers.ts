import { DELAY_TYPE } from '../definition/workflow-definition.js';
import { executionOf, stepAt, stepStatus, type StepKind } from './attempt-step.js';
import { queueEvents } from './decide-queue.js';
import { failureEvents, settleEvents } from './decide-settlement.js';
import type { AttemptFailure, DecisionContext } from './run-events.js';
import type { NewRunEvent } from './run-facts.js';
import type { RunPlan } from './run-plan.js';
import type { RunSnapshot } from './run-snapshot.js';

const LOST_WORKER: AttemptFailure = {
  message: 'no result from a worker within the attempt timeout',
  code: 'timeout',
  retryable: true,
};

/** No worker took the attempt within its `queueTimeoutMs` (docs/contract.md#timeouts). */
export const NOT_STARTED: AttemptFailure = {
  message: 'no worker started the attempt within the schedule-to-start timeout (queueTimeoutMs)',
  code: 'timeout',
  retryable: true,
};

/**
 * The events of task i's due timers (its own and its compensation's). What a timer means depends
 * on the status it was armed in: a retry backoff ending, a `delay` completing, the
 * schedule-to-start timeout of an attempt no worker took, or the safety timeout of a started one
 * that never reported. Every due timer yields events, and every one of them clears or moves it.
 */
export function timerEvents(
  state: RunSnapshot,
  plan: RunPlan,
  i: number,
  ctx: DecisionContext,
): NewRunEvent[] {
  const events: NewRunEvent[] = [];
  for (const kind of ['task', 'compensation'] as const) {
    const exec = executionOf(state.tasks[i]!, kind);
    if (exec?.timerAt && exec.timerAt <= ctx.now) events.push(...fire(state, plan, i, kind, ctx));
  }
  return events;
}

function fire(
  state: RunSnapshot,
  plan: RunPlan,
  i: number,
  kind: StepKind,
  ctx: DecisionContext,
): NewRunEvent[] {
  const at = stepAt(state.tasks, plan.definition.tasks, i, kind);
  if (!at) return [];
  const { task, step, exec } = at;
  const base = { taskKey: task.key, kind, attempt: exec.attempt };
  switch (stepStatus(task, kind)) {
    case 'RETRYING':
      // A task waits to retry only in a RUNNING run (an unwinding one cancels it: rule 2).
      return kind === 'compensation' || state.status === 'RUNNING'
        ? queueEvents(state, plan, i, kind, ctx)
        : [];
    case 'QUEUED':
      return failureEvents(state, i, step, NOT_STARTED, ctx.now, ctx);
    case 'RUNNING':
      if (step.type !== DELAY_TYPE) return failureEvents(state, i, step, LOST_WORKER, ctx.now, ctx);
      return settleEvents(
        state,
        plan,
        i,
        step,
        {
          ...base,
          outcome: 'completed',
          output: {},
          startedAt: exec.startedAt ?? ctx.now,
          finishedAt: ctx.now,
        },
        ctx,
      );
    default:
      return [];
  }
}
