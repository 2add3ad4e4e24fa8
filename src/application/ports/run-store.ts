import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { RunChanges, RunEvent } from '../../domain/run/run-events.js';
import type { Json, RunSnapshot } from '../../domain/run/run-snapshot.js';

export const RUN_STORE = Symbol('RunStore');

/** A message to publish, written to the outbox in the transaction that caused it. */
export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  messageId: string;
  headers: Record<string, string | number>;
  body: Json;
  priority: number | null;
}

export interface StoredOutgoingMessage extends OutgoingMessage {
  id: string;
}

export interface RunWrite {
  snapshot: RunSnapshot;
  /** Version the row had when loaded; the write fails if it moved meanwhile. */
  expectedVersion: number;
  changes: RunChanges;
}

export interface LoadedRun {
  snapshot: RunSnapshot;
  /** Set for inline runs; registered runs name their definition in `snapshot.definitionRef`. */
  inlineDefinition: WorkflowDefinition | null;
}

/** Thrown when a run changed under a writer (optimistic lock): reload and decide again. */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  constructor(readonly runIds: string[]) {
    super(`runs changed concurrently: ${runIds.join(', ')}`);
  }
}

/** Thrown when a run with the same idempotency key was inserted concurrently. */
export class DuplicateIdempotencyKeyError extends Error {
  override readonly name = 'DuplicateIdempotencyKeyError';
}

export interface RunTransaction {
  loadRuns(ids: readonly string[]): Promise<LoadedRun[]>;
  findRunByIdempotencyKey(key: string): Promise<LoadedRun | null>;
  insertRun(run: RunSnapshot, inlineDefinition: WorkflowDefinition | null, changes: RunChanges): Promise<void>;
  /** Saves changed runs with their events; throws ConcurrencyError when a version moved. */
  updateRuns(writes: readonly RunWrite[]): Promise<void>;
  insertOutbox(messages: readonly OutgoingMessage[]): Promise<StoredOutgoingMessage[]>;
  /** Ids of runs with a due timer, locked for this transaction (others skip them). */
  lockRunsWithDueTimers(now: Date, limit: number): Promise<string[]>;
}

export interface RunStore {
  transaction<T>(work: (tx: RunTransaction) => Promise<T>): Promise<T>;
}

export type { RunEvent };
