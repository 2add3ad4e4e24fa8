import type { RunStatus } from '../../../domain/run/run-status.js';
import type { CompensationStatus, TaskStatus } from '../../../domain/run/task-status.js';

/**
 * The parts of the REST shapes (docs/contracts/openapi.json: `Run`, `TaskRun`, `RunEvent`) that
 * `sagaflow runs watch` reads. They are wire types, kept apart from the server's own views: the CLI
 * may talk to another version of the API, so the renderer treats every status it does not know as
 * plain text rather than trusting these unions.
 */
export interface RunJson {
  id: string;
  namespace?: string;
  definition: { name: string; version: number | null; inline?: boolean };
  status: RunStatus;
  error: { taskKey: string | null; message: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  tasks: TaskJson[];
}

export interface TaskJson {
  key: string;
  type: string | null;
  /** Always present in the runs this API answers; filled from the definition when it is not. */
  dependsOn?: string[];
  status: TaskStatus;
  /** The highest attempt number used so far (0: never attempted). */
  attempts: number;
  error: { message: string; code?: string } | null;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Null for a task without a compensation. */
  compensation: CompensationJson | null;
}

export interface CompensationJson {
  status: CompensationStatus;
  attempts: number;
  error: { message: string; code?: string } | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** One run event, as `GET /v1/runs/{id}/events` and `/ws` `event` frames carry it (docs/events.md). */
export interface EventJson {
  seq: number;
  type: string;
  taskKey: string | null;
  attempt: number | null;
  at: string;
  data: Record<string, unknown>;
}

/** `GET /v1/definitions/{name}/versions/{version}`: only what the task graph needs. */
export interface DefinitionJson {
  tasks: { key: string; dependsOn?: string[] }[];
}

/** The run statuses after which `/ws` sends `end` (docs/events.md#events-that-end-a-run). */
const TERMINAL_RUN_STATUSES: ReadonlySet<string> = new Set([
  'COMPLETED',
  'COMPENSATED',
  'FAILED',
  'CANCELLED',
  'COMPENSATION_FAILED',
]);

export function isTerminalRunStatus(status: string): boolean {
  return TERMINAL_RUN_STATUSES.has(status);
}

/** The exit status of `sagaflow runs watch` for a run that ended in `status`: 0 only for `COMPLETED`. */
export function watchExitCode(status: string): number {
  return status === 'COMPLETED' ? 0 : 3;
}
