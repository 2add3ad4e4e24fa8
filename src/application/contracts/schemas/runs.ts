import Type, { type Static } from 'typebox';
import { RUN_STATUSES } from '../../../domain/run/run-status.js';
import { COMPENSATION_STATUSES, TASK_STATUSES } from '../../../domain/run/task-status.js';
import { AnyJson, Namespace, NOT_AN_OBJECT, Nullable, Timestamp } from './common.js';
import { InlineDefinitionInput } from './definitions.js';

/** The longest cancel reason kept. */
export const MAX_CANCEL_REASON = 1000;

/** Runs (docs/contract.md#runs and #rest-api): the start and cancel bodies, list filters, and the run JSON. */

export const RunStatus = Type.Enum(RUN_STATUSES, { type: 'string' });
export const TaskStatus = Type.Enum(TASK_STATUSES, { type: 'string' });
export const CompensationStatus = Type.Enum(COMPENSATION_STATUSES, { type: 'string' });

/** The name of a registered definition, as `POST /v1/runs` takes it. */
const DefinitionReference = Type.String({
  minLength: 1,
  description: 'name of a registered definition',
  errorMessage: 'must name a definition',
});

/**
 * The fields of `POST /v1/runs` but `definition`; each `errorMessage` is the issue a bad value
 * gets (src/application/contracts/shape-issues.ts).
 */
export const startRunFields = {
  version: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'only with a definition name; omitted: the latest',
      errorMessage: 'must be a positive integer',
    }),
  ),
  input: Type.Optional(Type.Unknown({ description: 'any JSON value', default: {} })),
  idempotencyKey: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'wins over the Idempotency-Key header',
      errorMessage: 'must be a string of 1 to 255 characters',
    }),
  ),
  priority: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 9,
      description: "overrides the tasks' own",
      errorMessage: 'must be an integer from 0 to 9',
    }),
  ),
};

/** The body of `POST /v1/runs`. */
export const StartRunRequest = Type.Object(
  {
    definition: Type.Union([DefinitionReference, InlineDefinitionInput], {
      errorMessage: 'must be a definition name or an inline definition object',
    }),
    ...startRunFields,
  },
  { additionalProperties: false, errorMessage: NOT_AN_OBJECT },
);
export type StartRunRequest = Static<typeof StartRunRequest>;

export const StartRunHeaders = Type.Object({
  'Idempotency-Key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, description: 'used when the body has no idempotencyKey' }),
  ),
});

/** The optional body of `POST /v1/runs/{id}/cancel`; other fields are ignored. */
export const CancelRunRequest = Type.Object(
  {
    reason: Type.Optional(
      Type.String({
        maxLength: MAX_CANCEL_REASON,
        description: 'recorded in RunCancelRequested',
        errorMessage: `must be a string of at most ${MAX_CANCEL_REASON} characters`,
      }),
    ),
  },
  { errorMessage: NOT_AN_OBJECT },
);
export type CancelRunRequest = Static<typeof CancelRunRequest>;

export const RunIdParams = Type.Object({
  id: Type.String({ format: 'uuid', description: 'an unknown or malformed id is a 404' }),
});

export const RunListQuery = Type.Object({
  definition: Type.Optional(Type.String({ description: 'definition name (registered and inline runs)' })),
  status: Type.Optional(RunStatus),
  limit: Type.Optional(
    Type.Integer({ default: 100, description: 'clamped to 1…1000, never rejected', examples: [100] }),
  ),
  cursor: Type.Optional(Type.String({ description: '`nextCursor` of the previous page' })),
  createdAfter: Type.Optional(
    Type.String({ format: 'date-time', description: 'runs created at or after this time (with a zone)' }),
  ),
  createdBefore: Type.Optional(
    Type.String({ format: 'date-time', description: 'runs created before this time (with a zone)' }),
  ),
});

// ── the run JSON ────────────────────────────────────────────────────────────

export const RegisteredDefinitionRef = Type.Object(
  { name: Type.String(), version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
/**
 * `version` is always null here. It is typed `integer | null` rather than `null` because
 * openapi-fetch's response types drop a property whose type is exactly `null`.
 */
export const InlineDefinitionRef = Type.Object(
  {
    name: Type.String(),
    version: Nullable(Type.Integer({ description: 'always null: an inline definition has no version' })),
    inline: Type.Literal(true),
  },
  { additionalProperties: false },
);

export const RunError = Type.Object(
  {
    taskKey: Nullable(Type.String({ description: 'null: the run output template failed' })),
    message: Type.String(),
  },
  { additionalProperties: false },
);

export const TaskError = Type.Object(
  {
    message: Type.String(),
    code: Type.Optional(
      Type.String({ examples: ['retryable', 'non_retryable', 'retry_after', 'timeout', 'template'] }),
    ),
  },
  { additionalProperties: false },
);

const summaryFields = {
  id: Type.String({ format: 'uuid' }),
  namespace: Namespace,
  definition: Type.Union([RegisteredDefinitionRef, InlineDefinitionRef]),
  status: RunStatus,
  priority: Nullable(Type.Integer({ minimum: 0, maximum: 9 })),
  idempotencyKey: Nullable(Type.String()),
  error: Nullable(RunError),
  createdAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
};

/** A run in a list: without tasks, input and output. */
export const RunSummary = Type.Object(summaryFields, { additionalProperties: false });
export type RunSummary = Static<typeof RunSummary>;

export const CompensationRun = Type.Object(
  {
    status: CompensationStatus,
    attempts: Type.Integer({ minimum: 0 }),
    output: AnyJson,
    error: Nullable(TaskError),
    startedAt: Nullable(Timestamp),
    finishedAt: Nullable(Timestamp),
  },
  { additionalProperties: false },
);

export const TaskRun = Type.Object(
  {
    key: Type.String(),
    type: Nullable(Type.String()),
    dependsOn: Type.Array(Type.String()),
    status: TaskStatus,
    attempts: Type.Integer({ minimum: 0, description: 'the highest attempt number used so far' }),
    output: AnyJson,
    error: Nullable(TaskError),
    queuedAt: Nullable(Timestamp),
    startedAt: Nullable(Timestamp),
    finishedAt: Nullable(Timestamp),
    compensation: Nullable(CompensationRun),
  },
  { additionalProperties: false },
);

/** One run with its tasks. */
export const Run = Type.Object(
  { ...summaryFields, input: AnyJson, output: AnyJson, tasks: Type.Array(TaskRun) },
  { additionalProperties: false },
);
export type Run = Static<typeof Run>;

export const RunList = Type.Object(
  {
    items: Type.Array(RunSummary),
    nextCursor: Nullable(Type.String({ description: 'pass it back as `cursor`; null on the last page' })),
  },
  { additionalProperties: false },
);
export type RunList = Static<typeof RunList>;
