import Type, { type TSchema } from 'typebox';
import { RUN_EVENT_TYPES, type RunEventType } from '../../domain/run/run-events.js';
import { ExecutionKindSchema, Timestamp } from './json.js';

/**
 * One JSON Schema per run event type (docs/events.md#catalogue): the REST/`/ws` event JSON
 * `{ seq, type, taskKey, attempt, at, data }` with that type's `data`. `data` objects allow
 * further fields, so that adding one is not a breaking change.
 */
const RunError = Type.Object({ taskKey: Type.Union([Type.String(), Type.Null()]), message: Type.String() });
const AttemptError = Type.Object({ message: Type.String(), code: Type.Optional(Type.String()) });
const Empty = Type.Object({});
const Queued = Type.Object({ type: Type.String({ description: 'handler type' }) });
const Failed = Type.Object({ final: Type.Boolean(), error: AttemptError });

const DATA: Record<RunEventType, TSchema> = {
  RunStarted: Type.Object({ definition: Type.String(), version: Type.Union([Type.Integer(), Type.Null()]) }),
  TaskQueued: Queued,
  TaskStarted: Empty,
  TaskCompleted: Empty,
  TaskFailed: Failed,
  TaskRetryScheduled: Type.Object({
    kind: ExecutionKindSchema,
    delayMs: Type.Number({ minimum: 0 }),
    nextAttempt: Type.Integer({ minimum: 2 }),
  }),
  TaskSkipped: Empty,
  TaskCancelled: Empty,
  CompensationQueued: Queued,
  CompensationStarted: Empty,
  CompensationCompleted: Empty,
  CompensationFailed: Failed,
  RunCompleted: Empty,
  RunFailed: Type.Object({ error: RunError }),
  RunCompensated: Type.Object({ error: RunError }),
  RunCompensationFailed: Type.Object({ error: Type.Optional(RunError) }),
  RunCancelRequested: Type.Object({ reason: Type.Union([Type.String(), Type.Null()]) }),
  RunCancelled: Empty,
  RunRetried: Type.Object({
    from: Type.Union([Type.Literal('FAILED'), Type.Literal('COMPENSATION_FAILED')]),
  }),
};

const RUN_LEVEL = (type: RunEventType) => type.startsWith('Run');
const NullableAttempt = Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]);

function eventSchema(type: RunEventType): TSchema {
  return Type.Object(
    {
      seq: Type.Integer({ minimum: 1 }),
      type: Type.Literal(type),
      taskKey: RUN_LEVEL(type) ? Type.Null() : Type.String(),
      attempt: RUN_LEVEL(type) || type === 'TaskSkipped' ? Type.Null() : NullableAttempt,
      at: Timestamp,
      data: DATA[type],
    },
    { $id: `${type}Event`, title: type },
  );
}

/** The schema of each run event type, by type. */
export const RUN_EVENT_SCHEMAS = Object.fromEntries(
  RUN_EVENT_TYPES.map((t) => [t, eventSchema(t)]),
) as Record<RunEventType, TSchema>;

/** Any run event: one of the per-type schemas. */
export const RunEventSchema = Type.Union(
  RUN_EVENT_TYPES.map((t) => RUN_EVENT_SCHEMAS[t]),
  { $id: 'RunEvent', title: 'RunEvent' },
);
