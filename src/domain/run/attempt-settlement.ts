import { addMs, decideRetry, START_GRACE_MS } from './execution.js';
import type { AttemptFailure, AttemptOutcome, DecisionContext } from './run-events.js';
import type { RunHost } from './run-host.js';
import type { CompensationSnapshot, ExecutionSnapshot } from './run-snapshot.js';
import { setExecutionStatus, type Step } from './attempt-step.js';

/**
 * Applies what became of an attempt — started, completed or failed — and, on failure, decides
 * between a retry after backoff and failing for good. Queueing and timers both end up here.
 */
export function settleAttempt(
  run: RunHost,
  i: number,
  exec: ExecutionSnapshot,
  step: Step,
  outcome: AttemptOutcome,
  ctx: DecisionContext,
): void {
  const key = run.taskAt(i).task.key;
  const status = step.kind === 'task' ? run.taskAt(i).task.status : (exec as CompensationSnapshot).status;
  if (status === 'QUEUED') {
    setExecutionStatus(run, i, exec, step.kind, 'RUNNING');
    exec.startedAt = outcome.startedAt;
    run.record(ctx, step.kind === 'task' ? 'TaskStarted' : 'CompensationStarted', key, exec.attempt, {});
  }
  if (outcome.outcome === 'started') {
    exec.timerAt = addMs(outcome.startedAt, step.config.timeoutMs + START_GRACE_MS);
    return;
  }
  if (outcome.outcome === 'completed') {
    exec.finishedAt = outcome.finishedAt;
    exec.timerAt = null;
    exec.output = outcome.output;
    exec.error = null;
    if (step.kind === 'task') run.setTaskStatus(i, 'COMPLETED');
    else {
      setExecutionStatus(run, i, exec, 'compensation', 'COMPLETED');
      run.setTaskStatus(i, 'COMPENSATED');
    }
    run.record(ctx, step.kind === 'task' ? 'TaskCompleted' : 'CompensationCompleted', key, exec.attempt, {});
    return;
  }
  settleFailure(run, i, exec, step, outcome.error, outcome.finishedAt, ctx);
}

/**
 * A failed attempt — reported by a worker, or timed out by the orchestrator (then possibly before
 * any worker took it): a retry after backoff or failing for good.
 */
export function settleFailure(
  run: RunHost,
  i: number,
  exec: ExecutionSnapshot,
  step: Step,
  failure: AttemptFailure,
  finishedAt: Date,
  ctx: DecisionContext,
): void {
  const key = run.taskAt(i).task.key;
  exec.finishedAt = finishedAt;
  exec.timerAt = null;
  const error = { message: failure.message, ...(failure.code ? { code: failure.code } : {}) };
  exec.error = error;
  // Tasks retry only while the run still accepts work; compensations retry while unwinding.
  const decision =
    step.kind === 'task' && !run.isAcceptingWork()
      ? ({ outcome: 'fail' } as const)
      : decideRetry(exec, step.retry, failure, ctx.random());
  if (decision.outcome === 'retry') {
    setExecutionStatus(run, i, exec, step.kind, 'RETRYING');
    exec.timerAt = addMs(ctx.now, decision.delayMs);
    const failed = step.kind === 'task' ? 'TaskFailed' : 'CompensationFailed';
    run.record(ctx, failed, key, exec.attempt, { final: false, error });
    run.record(ctx, 'TaskRetryScheduled', key, exec.attempt, {
      kind: step.kind,
      delayMs: decision.delayMs,
      nextAttempt: exec.attempt + 1,
    });
    return;
  }
  failForGood(run, i, exec, step, failure, ctx);
}

/** Fails the step with no retry left; a failed task then fails the run, a compensation its unwinding. */
export function failForGood(
  run: RunHost,
  i: number,
  exec: ExecutionSnapshot,
  step: Step,
  failure: AttemptFailure,
  ctx: DecisionContext,
): void {
  const key = run.taskAt(i).task.key;
  const error = { message: failure.message, ...(failure.code ? { code: failure.code } : {}) };
  exec.error = error;
  exec.timerAt = null;
  if (step.kind === 'task') run.setTaskStatus(i, 'FAILED');
  else {
    // Already FAILED when an operator retry finds the compensation's input still unresolvable.
    if ((exec as CompensationSnapshot).status !== 'FAILED')
      setExecutionStatus(run, i, exec, 'compensation', 'FAILED');
    run.setTaskStatus(i, 'COMPENSATION_FAILED');
  }
  const failed = step.kind === 'task' ? 'TaskFailed' : 'CompensationFailed';
  run.record(ctx, failed, key, exec.attempt, { final: true, error });
}
