import type { RunEvent } from '../../domain/run/run-events.js';
import type { RunSnapshot } from '../../domain/run/run-snapshot.js';
import type { RunStatus } from '../../domain/run/run-status.js';
import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';

export const RUN_READ_MODEL = Symbol('RunReadModel');

export interface RunListFilter {
  definition?: string;
  status?: RunStatus;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** Runs created at or after this time. */
  createdAfter?: Date;
  /** Runs created before this time. */
  createdBefore?: Date;
}

/** A run with the definition it runs (null if that version cannot be found). */
export interface RunWithDefinition {
  run: RunSnapshot;
  definition: WorkflowDefinition | null;
}

/** Where a run stands, for readers that compare versions or follow its events. */
export interface RunHead {
  version: number;
  lastSeq: number;
  definition: string;
}

/**
 * Queries that skip the aggregate entirely and read rows as views. Implementations may read a
 * replica, but a run read back after a change this installation committed is never older than
 * that change (read-your-writes; see docs/read-side.md).
 *
 * Every read is of one namespace and filters by it in SQL: a run of another namespace reads
 * exactly like one that does not exist (docs/contract.md#security-and-tenancy).
 */
export interface RunReadModel {
  /** `minVersion`: the caller already knows the latest committed version (null: unknown). */
  getRun(
    namespace: string,
    id: string,
    minVersion?: number | null,
  ): Promise<{ run: RunSnapshot; definition: WorkflowDefinition | null } | null>;
  listRuns(
    namespace: string,
    filter: RunListFilter,
  ): Promise<{ items: Omit<RunSnapshot, 'tasks'>[]; nextCursor: string | null }>;
  runHead(namespace: string, id: string): Promise<RunHead | null>;
  events(namespace: string, runId: string, after: number, limit: number): Promise<RunEvent[]>;
  /**
   * The runs among `ids` that exist, in no particular order, with their tasks and
   * definitions, in a fixed number of queries however many ids there are (the GraphQL
   * loader batches `Run.tasks` of a whole page through this).
   */
  getRunsByIds(namespace: string, ids: readonly string[]): Promise<RunWithDefinition[]>;
}
