import type { RunChanges, RunEvent, RunEventType } from './run-events.js';
import type { Json, RunError, TaskError } from './run-snapshot.js';

/**
 * What each run event carries for `evolve` besides its public `data` (docs/architecture.md, "The run
 * aggregate decides, the saga persists"): the facts the decision fixed — resolved inputs, timer
 * deadlines, outputs — so that folding a run's events rebuilds its state exactly. Facts live in
 * memory only: the views, the stored event rows and the live feed show `data`, as before.
 */
export interface RunFacts {
  RunStarted: NoFacts;
  TaskQueued: QueuedFacts;
  TaskStarted: StartedFacts;
  TaskCompleted: CompletedFacts;
  TaskFailed: FailedFacts;
  TaskRetryScheduled: RetryFacts;
  TaskSkipped: NoFacts;
  TaskCancelled: NoFacts;
  CompensationQueued: QueuedFacts;
  CompensationStarted: StartedFacts;
  CompensationCompleted: CompletedFacts;
  CompensationFailed: FailedFacts;
  RunCompleted: { output: Json };
  RunFailed: NoFacts;
  RunCompensated: NoFacts;
  RunCompensationFailed: NoFacts;
  RunCancelRequested: { reason: string | null };
  RunCancelled: NoFacts;
  /** Set when nothing is left to re-run and the output still does not resolve: the run fails again. */
  RunRetried: { runError: RunError | null };
}

export type NoFacts = Record<string, never>;

/** What the attempt is sent to a worker with; null for a `delay`, which no worker runs. */
export interface SendFacts {
  input: Json;
  idempotencyKey: string;
  timeoutMs: number;
  /** The run's priority if it was started with one, else the step's. */
  priority: number;
}

export interface QueuedFacts {
  type: string;
  /** Schedule-to-start deadline, or for a `delay` the moment it completes. */
  timerAt: Date;
  send: SendFacts | null;
}

export interface StartedFacts {
  startedAt: Date;
  /** The start-to-close safety deadline, or for a `delay` the moment it completes. */
  timerAt: Date;
}

export interface CompletedFacts {
  output: Json;
  finishedAt: Date;
  /** Set when this completion fails the run (its output template did not resolve). */
  runError: RunError | null;
}

export interface FailedFacts {
  final: boolean;
  error: TaskError;
  finishedAt: Date;
  /** The attempt failed before anything was sent (a template did not resolve): it still counts. */
  unsent: boolean;
  /** Set when this failure fails the run (a task failed for good while the run was RUNNING). */
  runError: RunError | null;
}

export interface RetryFacts {
  kind: 'task' | 'compensation';
  timerAt: Date;
}

/** A run event as the aggregate records it: public fields plus the facts of its type. */
export type DomainRunEvent = {
  [K in RunEventType]: Omit<RunEvent, 'type'> & { type: K; facts: RunFacts[K] };
}[RunEventType];

/** An event a decision computed, before the aggregate gives it its `seq`. */
export type NewRunEvent = {
  [K in RunEventType]: Omit<RunEvent, 'type' | 'seq'> & { type: K; facts: RunFacts[K] };
}[RunEventType];

/** Builds one event; `data` is exactly what the contract shows for its type. */
export function newEvent<K extends RunEventType>(
  type: K,
  at: Date,
  where: { taskKey: string | null; attempt: number | null },
  data: RunEvent['data'],
  facts: RunFacts[K],
): NewRunEvent {
  return { type, taskKey: where.taskKey, attempt: where.attempt, at, data, facts } as NewRunEvent;
}

export const RUN_LEVEL = { taskKey: null, attempt: null } as const;
export const NO_FACTS: NoFacts = Object.freeze({});

/** A decision's changes with each event's facts; the application sees them as `RunChanges`. */
export interface RecordedChanges extends RunChanges {
  events: DomainRunEvent[];
}
