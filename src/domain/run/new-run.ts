import type { WorkflowDefinition } from '../definition/workflow-definition.js';
import { emptyExecution } from './execution.js';
import type { DefinitionRef, Json, RunSnapshot } from './run-snapshot.js';

/** What starting a run takes: its definition, the caller's input and what identifies the request. */
export interface NewRun {
  id: string;
  namespace: string;
  definition: WorkflowDefinition;
  definitionRef: DefinitionRef;
  input: Json;
  priority: number | null;
  idempotencyKey: string | null;
  requestHash: string | null;
}

/** The state a run is born in, before it starts: PENDING, with every task and compensation unrun. */
export function initialRunState(spec: NewRun, now: Date): RunSnapshot {
  return {
    id: spec.id,
    namespace: spec.namespace,
    definitionRef: spec.definitionRef,
    status: 'PENDING',
    input: spec.input,
    output: null,
    error: null,
    priority: spec.priority,
    idempotencyKey: spec.idempotencyKey,
    requestHash: spec.requestHash,
    cancelRequested: false,
    cancelReason: null,
    lastSeq: 0,
    version: 0,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    tasks: spec.definition.tasks.map((t, index) => ({
      key: t.key,
      index,
      status: 'PENDING',
      ...emptyExecution(),
      compensation: t.compensation ? { status: 'PENDING', ...emptyExecution() } : null,
    })),
  };
}
