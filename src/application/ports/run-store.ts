import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { RunChanges } from '../../domain/run/run-events.js';
import type { ExecutionKind } from './messages.js';
import type { Json, RunSnapshot } from '../../domain/run/run-snapshot.js';

export interface MessageMeta {
  runId: string;
  taskKey: string;
  attempt: number;
  kind: ExecutionKind;
  idempotencyKey: string;
  /** W3C traceparent of the decision that queued the message, when tracing is on (docs/tracing.md). */
  traceparent?: string;
}

/** A message to publish, written to the outbox in the transaction that caused it. */
export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  messageId: string;
  /** What the message is about; the messaging adapter turns it into AMQP headers (docs/contract.md#messaging). */
  meta: MessageMeta;
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

export interface NewRunWrite {
  snapshot: RunSnapshot;
  inlineDefinition: WorkflowDefinition | null;
  changes: RunChanges;
  outbox: readonly OutgoingMessage[];
  checkLatest: boolean;
  /** The run's trace context (the span that started it), stored with the run; null untraced. */
  traceParent: string | null;
}

export interface LoadedRun {
  snapshot: RunSnapshot;
  /** Set for inline runs; registered runs name their definition in `snapshot.definitionRef`. */
  inlineDefinition: WorkflowDefinition | null;
  /** The run's stored trace context, for decisions no message carries one to (timers, commands). */
  traceParent: string | null;
}

/** Thrown when a run changed under a writer (optimistic lock): reload and decide again. */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  constructor() {
    super('a run changed concurrently; reload and decide again');
  }
}

/** Thrown when a run started from a cached "latest" definition, but a newer version exists. */
export class StaleDefinitionError extends Error {
  override readonly name = 'StaleDefinitionError';
}

/** Thrown when a run with the same idempotency key was inserted concurrently. */
export class DuplicateIdempotencyKeyError extends Error {
  override readonly name = 'DuplicateIdempotencyKeyError';
}

/**
 * Persistence of runs. Every write is one atomic statement: a run's new state, its events and
 * the outbox rows it causes commit together or not at all, version-checked per run.
 */
export interface RunStore {
  loadRuns(ids: readonly string[]): Promise<LoadedRun[]>;
  /** Idempotency keys are unique per namespace. */
  findRunByIdempotencyKey(namespace: string, key: string): Promise<LoadedRun | null>;
  /**
   * Inserts new runs, all or none. Throws DuplicateIdempotencyKeyError when a key was taken
   * meanwhile, and StaleDefinitionError when a run with `checkLatest` was built from a
   * definition version that is no longer the latest.
   */
  insertRuns(runs: readonly NewRunWrite[]): Promise<StoredOutgoingMessage[]>;
  /** Throws ConcurrencyError, writing nothing, when any run's version moved since it was loaded. */
  saveRuns(writes: readonly RunWrite[], outbox: readonly OutgoingMessage[]): Promise<StoredOutgoingMessage[]>;
  /** Ids of runs with a durable timer due at `now`, oldest first. */
  runsWithDueTimers(now: Date, limit: number): Promise<string[]>;
}
