import { InvalidStateError } from '../shared/domain-error.js';
import type { DecisionContext } from './run-events.js';
import { beginUnwinding, type EndingHost } from './run-unwinding.js';

/** What the operator commands need from their run; the aggregate implements it. */
export interface CommandHost extends EndingHost {
  queueReadyTasks(ctx: DecisionContext): void;
  progress(ctx: DecisionContext): void;
}

/**
 * An operator's cancel: stops forward progress and unwinds, like a failure but ending CANCELLED.
 * Asking twice is harmless; asking once the run has ended is an error.
 */
export function cancelRun(run: CommandHost, reason: string | null, ctx: DecisionContext): boolean {
  const state = run.state;
  if (state.status === 'CANCELLING') return false;
  if (state.status !== 'RUNNING') {
    throw new InvalidStateError(`run ${state.id} is ${state.status}; only a RUNNING run can be cancelled`);
  }
  state.cancelRequested = true;
  state.cancelReason = reason;
  run.setStatus('CANCELLING');
  run.record(ctx, 'RunCancelRequested', null, null, { reason });
  beginUnwinding(run, ctx);
  return true;
}

/**
 * An operator's retry resumes where the run stopped, with a fresh retry budget for what failed:
 * a FAILED run re-queues its failed, skipped and cancelled tasks; a COMPENSATION_FAILED run
 * re-queues its failed compensations and keeps unwinding.
 */
export function retryRun(run: CommandHost, ctx: DecisionContext): void {
  const state = run.state;
  const from = state.status;
  if (from === 'FAILED') {
    run.setStatus('RUNNING');
    state.error = null;
    state.finishedAt = null;
    run.record(ctx, 'RunRetried', null, null, { from });
    state.tasks.forEach((t, i) => {
      if (t.status === 'FAILED') t.budgetBase = t.attempt;
      if (t.status === 'FAILED' || t.status === 'SKIPPED' || t.status === 'CANCELLED') {
        run.setTaskStatus(i, 'PENDING');
        t.error = null;
      }
    });
    run.queueReadyTasks(ctx);
    return;
  }
  if (from === 'COMPENSATION_FAILED') {
    run.setStatus(state.cancelRequested ? 'CANCELLING' : 'COMPENSATING');
    state.finishedAt = null;
    run.record(ctx, 'RunRetried', null, null, { from });
    state.tasks.forEach((t, i) => {
      if (t.status !== 'COMPENSATION_FAILED' || !t.compensation) return;
      t.compensation.budgetBase = t.compensation.attempt;
      run.queueCompensation(i, ctx);
    });
    run.progress(ctx);
    return;
  }
  throw new InvalidStateError(
    `run ${state.id} is ${from}; only FAILED or COMPENSATION_FAILED runs can be retried`,
  );
}
