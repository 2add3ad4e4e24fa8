import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { RunEvent } from '../../domain/run/run-events.js';
import type {
  CompensationSnapshot,
  Json,
  RunSnapshot,
  TaskError,
  TaskRunSnapshot,
} from '../../domain/run/run-snapshot.js';
import type { RunStatus } from '../../domain/run/run-status.js';
import type { TaskStatus } from '../../domain/run/task-status.js';

/** Row shapes of `runs` and `task_runs` and their mapping to the domain's snapshots. */
export interface RunRow {
  id: string;
  namespace: string;
  definition_name: string;
  definition_version: number | null;
  inline_definition: WorkflowDefinition | null;
  status: string;
  input: Json;
  output: Json | null;
  error: RunSnapshot['error'];
  priority: number | null;
  idempotency_key: string | null;
  request_hash: string | null;
  cancel_requested: boolean;
  cancel_reason: string | null;
  last_seq: number;
  version: number;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

export interface TaskRow {
  run_id: string;
  key: string;
  idx: number;
  status: string;
  attempt: number;
  budget_base: number;
  output: Json | null;
  error: TaskError | null;
  queued_at: Date | string | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  timer_at: Date | string | null;
  compensation: StoredCompensation | null;
}

type StoredCompensation = Omit<CompensationSnapshot, 'queuedAt' | 'startedAt' | 'finishedAt' | 'timerAt'> & {
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  timerAt: string | null;
};

export const RUN_COLUMNS = `id, namespace, definition_name, definition_version, inline_definition, status, input, output, error,
  priority, idempotency_key, request_hash, cancel_requested, cancel_reason, last_seq, version, created_at,
  started_at, finished_at`;

export function toSnapshot(run: RunRow, tasks: TaskRow[]): RunSnapshot {
  return {
    id: run.id,
    namespace: run.namespace,
    definitionRef: {
      name: run.definition_name,
      version: run.definition_version,
      inline: run.inline_definition !== null,
    },
    status: run.status as RunStatus,
    input: run.input,
    output: run.output,
    error: run.error,
    priority: run.priority,
    idempotencyKey: run.idempotency_key,
    requestHash: run.request_hash,
    cancelRequested: run.cancel_requested,
    cancelReason: run.cancel_reason,
    lastSeq: run.last_seq,
    version: run.version,
    createdAt: toDate(run.created_at)!,
    startedAt: toDate(run.started_at),
    finishedAt: toDate(run.finished_at),
    tasks: tasks.sort((a, b) => a.idx - b.idx).map(toTaskSnapshot),
  };
}

function toTaskSnapshot(row: TaskRow): TaskRunSnapshot {
  const c = row.compensation;
  return {
    key: row.key,
    index: row.idx,
    status: row.status as TaskStatus,
    attempt: row.attempt,
    budgetBase: row.budget_base,
    output: row.output,
    error: row.error,
    queuedAt: toDate(row.queued_at),
    startedAt: toDate(row.started_at),
    finishedAt: toDate(row.finished_at),
    timerAt: toDate(row.timer_at),
    compensation: c
      ? {
          ...c,
          queuedAt: toDate(c.queuedAt),
          startedAt: toDate(c.startedAt),
          finishedAt: toDate(c.finishedAt),
          timerAt: toDate(c.timerAt),
        }
      : null,
  };
}

/** MikroORM's pg setup returns timestamps as strings; stored JSON holds ISO strings too. */
export const toDate = (value: string | Date | null): Date | null =>
  value === null ? null : value instanceof Date ? value : new Date(value);

/** The columns an update may change: never the input or the definition. */
export function runUpdateRecord(run: RunSnapshot, expectedVersion: number) {
  return {
    id: run.id,
    status: run.status,
    output: run.output,
    error: run.error,
    cancel_requested: run.cancelRequested,
    cancel_reason: run.cancelReason,
    last_seq: run.lastSeq,
    version: run.version,
    expected_version: expectedVersion,
    started_at: run.startedAt?.toISOString() ?? null,
    finished_at: run.finishedAt?.toISOString() ?? null,
  };
}

/** A new run as one JSON record for `jsonb_to_recordset` (dates as ISO strings). */
export function runRecord(run: RunSnapshot, inline: WorkflowDefinition | null) {
  return {
    id: run.id,
    namespace: run.namespace,
    definition_name: run.definitionRef.name,
    definition_version: run.definitionRef.version,
    inline_definition: inline,
    status: run.status,
    input: run.input,
    output: run.output,
    error: run.error,
    priority: run.priority,
    idempotency_key: run.idempotencyKey,
    request_hash: run.requestHash,
    cancel_requested: run.cancelRequested,
    cancel_reason: run.cancelReason,
    last_seq: run.lastSeq,
    version: run.version,
    created_at: run.createdAt.toISOString(),
    started_at: run.startedAt?.toISOString() ?? null,
    finished_at: run.finishedAt?.toISOString() ?? null,
  };
}

export function taskRecord(runId: string, task: TaskRunSnapshot) {
  const c = task.compensation;
  return {
    run_id: runId,
    key: task.key,
    idx: task.index,
    status: task.status,
    attempt: task.attempt,
    budget_base: task.budgetBase,
    output: task.output,
    error: task.error,
    queued_at: task.queuedAt?.toISOString() ?? null,
    started_at: task.startedAt?.toISOString() ?? null,
    finished_at: task.finishedAt?.toISOString() ?? null,
    timer_at: task.timerAt?.toISOString() ?? null,
    compensation: c
      ? {
          ...c,
          queuedAt: c.queuedAt?.toISOString() ?? null,
          startedAt: c.startedAt?.toISOString() ?? null,
          finishedAt: c.finishedAt?.toISOString() ?? null,
          timerAt: c.timerAt?.toISOString() ?? null,
        }
      : null,
    comp_timer_at: c?.timerAt?.toISOString() ?? null,
  };
}

export function eventRecord(runId: string, event: RunEvent) {
  return {
    run_id: runId,
    seq: event.seq,
    type: event.type,
    task_key: event.taskKey,
    attempt: event.attempt,
    at: event.at.toISOString(),
    data: event.data,
  };
}
