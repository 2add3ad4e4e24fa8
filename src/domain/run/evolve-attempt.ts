import type { DomainRunEvent } from './run-facts.js';
import type { CompensationSnapshot, ExecutionSnapshot, RunError, TaskRunSnapshot } from './run-snapshot.js';
import {
  assertCompensationTransition,
  assertTaskTransition,
  type CompensationStatus,
  type TaskStatus,
} from './task-status.js';

type Kind = 'task' | 'compensation';
type AttemptEvent = Extract<DomainRunEvent, { type: `Task${string}` | `Compensation${string}` }>;

/**
 * Applies a task or compensation event to its row, in place. A compensation's status lives on
 * its own execution and the task's mirrors it (COMPENSATING, COMPENSATED, COMPENSATION_FAILED).
 * Returns the run's error when the event fails the run.
 */
export function evolveAttempt(task: TaskRunSnapshot, e: AttemptEvent): RunError | null {
  switch (e.type) {
    case 'TaskQueued':
    case 'CompensationQueued': {
      const kind = kindOf(e.type);
      const exec = beginAttempt(task, kind, e.attempt);
      exec.error = null;
      exec.finishedAt = null;
      exec.queuedAt = e.at;
      exec.timerAt = e.facts.timerAt;
      setStep(task, kind, 'QUEUED');
      return null;
    }
    case 'TaskStarted':
    case 'CompensationStarted': {
      const kind = kindOf(e.type);
      setStep(task, kind, 'RUNNING');
      const exec = executionOf(task, kind);
      exec.startedAt = e.facts.startedAt;
      exec.timerAt = e.facts.timerAt;
      return null;
    }
    case 'TaskCompleted':
    case 'CompensationCompleted': {
      const kind = kindOf(e.type);
      const exec = executionOf(task, kind);
      exec.output = e.facts.output;
      exec.error = null;
      exec.finishedAt = e.facts.finishedAt;
      exec.timerAt = null;
      setStep(task, kind, 'COMPLETED');
      if (kind === 'compensation') setTask(task, 'COMPENSATED');
      return e.facts.runError;
    }
    case 'TaskFailed':
    case 'CompensationFailed': {
      const kind = kindOf(e.type);
      // Failed before anything was sent: the attempt still counts, like a queued one.
      const exec = e.facts.unsent ? beginAttempt(task, kind, e.attempt) : executionOf(task, kind);
      exec.error = { ...e.facts.error };
      exec.finishedAt = e.facts.finishedAt;
      exec.timerAt = null;
      if (e.facts.final) failForGood(task, kind);
      return e.facts.runError;
    }
    case 'TaskRetryScheduled': {
      setStep(task, e.facts.kind, 'RETRYING');
      executionOf(task, e.facts.kind).timerAt = e.facts.timerAt;
      return null;
    }
    case 'TaskSkipped':
      setTask(task, 'SKIPPED');
      return null;
    case 'TaskCancelled':
      setTask(task, 'CANCELLED');
      task.timerAt = null;
      task.finishedAt = e.at;
      return null;
  }
}

function kindOf(type: AttemptEvent['type']): Kind {
  return type.startsWith('Compensation') ? 'compensation' : 'task';
}

function executionOf(task: TaskRunSnapshot, kind: Kind): ExecutionSnapshot {
  return kind === 'task' ? task : compensationOf(task);
}

function compensationOf(task: TaskRunSnapshot): CompensationSnapshot {
  if (!task.compensation) throw new Error(`task ${task.key} has no compensation`);
  return task.compensation;
}

/** A new attempt of the step: numbered by the event, nothing of the last one kept. */
function beginAttempt(task: TaskRunSnapshot, kind: Kind, attempt: number | null): ExecutionSnapshot {
  // Queueing a compensation is what starts the task's compensating.
  if (kind === 'compensation' && task.status !== 'COMPENSATING') setTask(task, 'COMPENSATING');
  const exec = executionOf(task, kind);
  exec.attempt = attempt ?? exec.attempt + 1;
  exec.output = null;
  exec.startedAt = null;
  return exec;
}

function failForGood(task: TaskRunSnapshot, kind: Kind): void {
  if (kind === 'task') {
    setTask(task, 'FAILED');
    return;
  }
  // Already FAILED when an operator retry finds the compensation's input still unresolvable.
  if (compensationOf(task).status !== 'FAILED') setStep(task, kind, 'FAILED');
  setTask(task, 'COMPENSATION_FAILED');
}

function setStep(task: TaskRunSnapshot, kind: Kind, to: TaskStatus & CompensationStatus): void {
  if (kind === 'task') {
    setTask(task, to);
    return;
  }
  const comp = compensationOf(task);
  assertCompensationTransition(comp.status, to);
  comp.status = to;
}

function setTask(task: TaskRunSnapshot, to: TaskStatus): void {
  assertTaskTransition(task.status, to);
  task.status = to;
}
