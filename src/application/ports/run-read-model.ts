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

/** Queries that skip the aggregate entirely and read rows as views. */
export interface RunReadModel {
  getRun(id: string): Promise<{ run: RunSnapshot; definition: WorkflowDefinition | null } | null>;
  listRuns(
    filter: RunListFilter,
  ): Promise<{ items: Omit<RunSnapshot, 'tasks'>[]; nextCursor: string | null }>;
  runExists(id: string): Promise<boolean>;
  events(runId: string, after: number, limit: number): Promise<RunEvent[]>;
}
