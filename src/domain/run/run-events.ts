import type { Json } from './run-snapshot.js';

export const RUN_EVENT_TYPES = [
  'RunStarted',
  'TaskQueued',
  'TaskStarted',
  'TaskCompleted',
  'TaskFailed',
  'TaskRetryScheduled',
  'TaskSkipped',
  'TaskCancelled',
  'CompensationQueued',
  'CompensationStarted',
  'CompensationCompleted',
  'CompensationFailed',
  'RunCompleted',
  'RunFailed',
  'RunCompensated',
  'RunCompensationFailed',
  'RunCancelRequested',
  'RunCancelled',
  'RunRetried',
] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

/** One recorded state change of a run (docs/contract.md#rest-api); `seq` is gapless per run from 1. */
export interface RunEvent {
  seq: number;
  type: RunEventType;
  taskKey: string | null;
  attempt: number | null;
  at: Date;
  data: { [key: string]: Json };
}

/** A task or compensation attempt to send to a worker, decided by the aggregate. */
export interface Dispatch {
  taskKey: string;
  kind: 'task' | 'compensation';
  attempt: number;
  type: string;
  input: Json;
  idempotencyKey: string;
  timeoutMs: number;
  priority: number;
  queuedAt: Date;
}

/** What a decision changed: persisted and published together by the application layer. */
export interface RunChanges {
  events: RunEvent[];
  dispatches: Dispatch[];
  /** Keys of task rows that changed. */
  changedTasks: string[];
}

/** A worker's report about one attempt, as the aggregate sees it. */
export type AttemptOutcome =
  | (OutcomeBase & { outcome: 'started' })
  | (OutcomeBase & { outcome: 'completed'; output: Json; finishedAt: Date })
  | (OutcomeBase & { outcome: 'failed'; error: AttemptFailure; finishedAt: Date });

interface OutcomeBase {
  taskKey: string;
  kind: 'task' | 'compensation';
  attempt: number;
  startedAt: Date;
}

export interface AttemptFailure {
  message: string;
  code?: string;
  retryable: boolean;
  retryAfterMs?: number;
}

/** Time and randomness of one decision, injected so the aggregate stays pure and testable. */
export interface DecisionContext {
  now: Date;
  /** Uniform in [0, 1), for retry jitter. */
  random: () => number;
}
