/**
 * Plain-data image of a run, the shape repositories load and save.
 * The aggregate is rebuilt from a snapshot and reports the changed parts back as snapshots,
 * so persistence never reaches into the aggregate's behaviour.
 */
import type { RunStatus } from './run-status.js';
import type { CompensationStatus, TaskStatus } from './task-status.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface TaskError {
  message: string;
  /** Machine-readable reason: `retryable`, `non_retryable`, `timeout`, `template`, ... */
  code?: string;
}

export interface ExecutionSnapshot {
  /** Highest attempt number used so far (0 = never attempted). Attempt numbers only grow. */
  attempt: number;
  /** Attempt number at which the current retry budget began (0 at first; moved by operator retry). */
  budgetBase: number;
  output: Json | null;
  error: TaskError | null;
  queuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** When this execution's durable timer fires: retry backoff, `delay` completion or safety timeout. */
  timerAt: Date | null;
}

export interface CompensationSnapshot extends ExecutionSnapshot {
  status: CompensationStatus;
}

export interface TaskRunSnapshot extends ExecutionSnapshot {
  key: string;
  /** Position of the task in its definition; keeps output order stable. */
  index: number;
  status: TaskStatus;
  compensation: CompensationSnapshot | null;
}

export interface DefinitionRef {
  name: string;
  /** null for an inline definition */
  version: number | null;
  inline: boolean;
}

export interface RunError {
  taskKey: string | null;
  message: string;
}

export interface RunSnapshot {
  id: string;
  /** The namespace the run belongs to, with its definition (docs/contract.md#security-and-tenancy). */
  namespace: string;
  definitionRef: DefinitionRef;
  status: RunStatus;
  input: Json;
  output: Json | null;
  error: RunError | null;
  /** Priority given when the run was started; overrides its tasks' own priorities. */
  priority: number | null;
  idempotencyKey: string | null;
  /** Hash of the start request, to tell an idempotent replay from a conflicting reuse of the key. */
  requestHash: string | null;
  cancelRequested: boolean;
  cancelReason: string | null;
  /** Sequence number of the last event written for this run (gapless from 1). */
  lastSeq: number;
  /** Optimistic-lock version: bumped on every saved change. */
  version: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  tasks: TaskRunSnapshot[];
}
