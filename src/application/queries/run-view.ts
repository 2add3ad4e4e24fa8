import type { RunEvent } from '../../domain/run/run-events.js';
import type { RunSnapshot, ExecutionSnapshot } from '../../domain/run/run-snapshot.js';
import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { StoredDefinition } from '../ports/definition-repository.js';

/** The REST/GraphQL shapes of docs/contract.md#rest-api, built from snapshots (reads skip the aggregate). */
export function runView(run: RunSnapshot, definition: WorkflowDefinition | null) {
  return {
    ...runSummaryView(run),
    input: run.input,
    output: run.output,
    tasks: run.tasks.map((t) => {
      const def = definition?.tasks[t.index];
      return {
        key: t.key,
        type: def?.type ?? null,
        dependsOn: def?.dependsOn ?? [],
        status: t.status,
        attempts: t.attempt,
        output: t.output,
        error: t.error,
        ...times(t),
        compensation: t.compensation
          ? {
              status: t.compensation.status,
              attempts: t.compensation.attempt,
              output: t.compensation.output,
              error: t.compensation.error,
              startedAt: iso(t.compensation.startedAt),
              finishedAt: iso(t.compensation.finishedAt),
            }
          : null,
      };
    }),
  };
}

export type RunView = ReturnType<typeof runView>;

export function runSummaryView(run: Omit<RunSnapshot, 'tasks'>) {
  return {
    id: run.id,
    namespace: run.namespace,
    definition: run.definitionRef.inline
      ? { name: run.definitionRef.name, version: null, inline: true }
      : { name: run.definitionRef.name, version: run.definitionRef.version },
    status: run.status,
    priority: run.priority,
    idempotencyKey: run.idempotencyKey,
    error: run.error,
    createdAt: iso(run.createdAt),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
  };
}

export type RunSummaryView = ReturnType<typeof runSummaryView>;

export type RunEventView = ReturnType<typeof eventView>;

export function eventView(event: RunEvent) {
  return {
    seq: event.seq,
    type: event.type,
    taskKey: event.taskKey,
    attempt: event.attempt,
    at: event.at.toISOString(),
    data: event.data,
  };
}

export function definitionView(stored: StoredDefinition) {
  const d = stored.definition;
  return {
    namespace: stored.namespace,
    name: d.name,
    version: d.version,
    description: d.description,
    tasks: d.tasks,
    output: d.output,
    createdAt: stored.createdAt.toISOString(),
  };
}

function times(e: ExecutionSnapshot) {
  return { queuedAt: iso(e.queuedAt), startedAt: iso(e.startedAt), finishedAt: iso(e.finishedAt) };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export type DefinitionView = ReturnType<typeof definitionView>;
