import type { AttemptOutcome, DecisionContext } from './run-events.js';
import type { RunHost } from './run-host.js';
import { queueAttempt } from './attempt-queue.js';
import { settleAttempt } from './attempt-settlement.js';
import { compensationStep, taskStep } from './attempt-step.js';
import { fireDueTimers } from './attempt-timers.js';

// Kept importable from here, where the aggregate and its readers have always found it.
export type { RunHost } from './run-host.js';

/**
 * The attempt mechanics of one run's tasks and compensations, as the run sees them: queueing an
 * attempt, applying its outcome, and firing durable timers. This class checks that a report is
 * for the attempt in flight; queueing (attempt-queue), settlement and retry (attempt-settlement)
 * and timers (attempt-timers) do the work, for both kinds through one Step.
 */
export class TaskExecutions {
  constructor(private readonly run: RunHost) {}

  queueTask(i: number, ctx: DecisionContext): void {
    const { task, definition } = this.run.taskAt(i);
    this.run.touch(i);
    queueAttempt(this.run, i, task, taskStep(definition), ctx);
  }

  queueCompensation(i: number, ctx: DecisionContext): void {
    const { task, definition } = this.run.taskAt(i);
    const comp = definition.compensation;
    if (!comp || !task.compensation) return;
    this.run.touch(i);
    this.run.setTaskStatus(i, 'COMPENSATING');
    queueAttempt(this.run, i, task.compensation, compensationStep(comp), ctx);
  }

  applyTaskOutcome(i: number, outcome: AttemptOutcome, ctx: DecisionContext): boolean {
    const { task, definition } = this.run.taskAt(i);
    if ((task.status !== 'QUEUED' && task.status !== 'RUNNING') || task.attempt !== outcome.attempt)
      return false;
    if (outcome.outcome === 'started' && task.status === 'RUNNING') return false;
    this.run.touch(i);
    settleAttempt(this.run, i, task, taskStep(definition), outcome, ctx);
    return true;
  }

  applyCompensationOutcome(i: number, outcome: AttemptOutcome, ctx: DecisionContext): boolean {
    const { task, definition } = this.run.taskAt(i);
    const comp = task.compensation;
    if (!comp || !definition.compensation) return false;
    if ((comp.status !== 'QUEUED' && comp.status !== 'RUNNING') || comp.attempt !== outcome.attempt)
      return false;
    if (outcome.outcome === 'started' && comp.status === 'RUNNING') return false;
    this.run.touch(i);
    settleAttempt(this.run, i, comp, compensationStep(definition.compensation), outcome, ctx);
    return true;
  }

  /** Fires the task's and its compensation's timers if due. */
  fireTimers(i: number, ctx: DecisionContext): boolean {
    return fireDueTimers(this.run, i, ctx);
  }
}
