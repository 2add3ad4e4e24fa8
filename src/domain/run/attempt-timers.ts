import { DELAY_TYPE } from '../definition/workflow-definition.js';
import type { AttemptFailure, DecisionContext } from './run-events.js';
import type { RunHost } from './run-host.js';
import type { ExecutionSnapshot } from './run-snapshot.js';
import { queueAttempt } from './attempt-queue.js';
import { settleAttempt, settleFailure } from './attempt-settlement.js';
import { compensationStep, taskStep, type Step } from './attempt-step.js';

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
 * Fires the task's and its compensation's durable timers if due. What a timer means depends on
 * the status it was armed in: a retry backoff ending, a `delay` completing, the schedule-to-start
 * timeout of an attempt no worker took, or the safety timeout of a started one that never reported.
 */
export function fireDueTimers(run: RunHost, i: number, ctx: DecisionContext): boolean {
  const { task, definition } = run.taskAt(i);
  let fired = false;
  if (task.timerAt && task.timerAt <= ctx.now) {
    fired = true;
    run.touch(i);
    fire(run, i, task, task.status, taskStep(definition), ctx);
  }
  const comp = task.compensation;
  const compDef = definition.compensation;
  if (comp && compDef && comp.timerAt && comp.timerAt <= ctx.now) {
    fired = true;
    run.touch(i);
    fire(run, i, comp, comp.status, compensationStep(compDef), ctx);
  }
  return fired;
}

function fire(
  run: RunHost,
  i: number,
  exec: ExecutionSnapshot,
  status: string,
  step: Step,
  ctx: DecisionContext,
): void {
  exec.timerAt = null;
  const attempt = exec.attempt;
  const base = { taskKey: run.taskAt(i).task.key, kind: step.kind, attempt };
  if (status === 'RETRYING') {
    if (step.kind === 'compensation' || run.isAcceptingWork()) queueAttempt(run, i, exec, step, ctx);
  } else if (status === 'RUNNING' && step.type === DELAY_TYPE) {
    settleAttempt(
      run,
      i,
      exec,
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
  } else if (status === 'QUEUED') {
    settleFailure(run, i, exec, step, NOT_STARTED, ctx.now, ctx);
  } else if (status === 'RUNNING') {
    settleAttempt(
      run,
      i,
      exec,
      step,
      {
        ...base,
        outcome: 'failed',
        error: LOST_WORKER,
        startedAt: exec.startedAt ?? ctx.now,
        finishedAt: ctx.now,
      },
      ctx,
    );
  }
}
