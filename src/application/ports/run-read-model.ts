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
}

/** A run with the definition it runs (null if that version cannot be found). */
export interface RunWithDefinition {
  run: RunSnapshot;
  definition: WorkflowDefinition | null;
}

/** Queries that skip the aggregate entirely and read rows as views. */
export interface RunReadModel {
  getRun(id: string): Promise<{ run: RunSnapshot; definition: WorkflowDefinition | null } | null>;
  listRuns(
    filter: RunListFilter,
  ): Promise<{ items: Omit<RunSnapshot, 'tasks'>[]; nextCursor: string | null }>;
  runExists(id: string): Promise<boolean>;
  events(runId: string, after: number, limit: number): Promise<RunEvent[]>;
  /**
   * The runs among `ids` that exist, in no particular order, with their tasks and
   * definitions, in a fixed number of queries however many ids there are (the GraphQL
   * loader batches `Run.tasks` of a whole page through this).
   */
  getRunsByIds(ids: readonly string[]): Promise<RunWithDefinition[]>;
}
