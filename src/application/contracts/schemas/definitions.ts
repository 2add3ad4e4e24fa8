import Type, { type Static, type TProperties } from 'typebox';
import { MAX_TASKS } from '../../../domain/definition/definition-validator.js';
import {
  DEFAULT_COMPENSATION_IDEMPOTENCY_KEY,
  DEFAULT_PRIORITY,
  DEFAULT_QUEUE_TIMEOUT_MS,
  DEFAULT_TASK_IDEMPOTENCY_KEY,
  DEFAULT_TIMEOUT_MS,
  MAX_TIMEOUT_MS,
} from '../../../domain/definition/task-config.js';
import { AnyJson, defaulted, Namespace, Nullable, says, Timestamp, ValidationIssue } from './common.js';
import { DelayInput, HttpInput, OBJECT_MESSAGE, RetryPolicy, RetryPolicyInput } from './task-parts.js';

/**
 * Definitions (docs/contract.md#workflow-definitions): what `POST /v1/definitions` accepts
 * (`*Input`: defaulted fields optional) and what every read answers (defaults applied, every
 * field present). These check shape, and each `errorMessage` is the issue a bad value gets
 * (src/application/contracts/shape-issues.ts); the rules (DAG, templates, ranges that depend
 * on each other, defaults) live once, in `src/domain/definition`.
 */

const BUILT_IN_WITH_INPUT = ['delay', 'http'] as const;

/** The built-in handlers with a fixed input (`noop` and `echo` take any input, like a custom handler). */
const actions = {
  delay: { type: Type.Literal('delay'), input: DelayInput },
  http: { type: Type.Literal('http'), input: HttpInput },
  other: {
    type: Type.String({
      pattern: '^[A-Za-z0-9_.-]{1,64}$',
      not: { enum: [...BUILT_IN_WITH_INPUT] },
      description: '`noop`, `echo`, or a handler a worker registers (any type but `delay` and `http`)',
      examples: ['noop', 'echo', 'send-email'],
      ...says('must be a handler name of 1–64 characters of [A-Za-z0-9_.-]'),
    }),
    input: AnyJson,
  },
};

/** One object per action, so each variant is closed and a generated client gets a plain union. */
function variants<P extends TProperties, R extends TProperties>(
  common: P,
  optionalInput: (input: typeof AnyJson) => R,
) {
  return Type.Union(
    [
      Type.Object({ ...common, type: actions.delay.type, input: actions.delay.input }, closed('delay')),
      Type.Object({ ...common, type: actions.http.type, input: actions.http.input }, closed('http')),
      Type.Object({ ...common, type: actions.other.type, ...optionalInput(actions.other.input) }, closed()),
    ],
    says(OBJECT_MESSAGE),
  );
}

const closed = (type?: string) => ({
  additionalProperties: false,
  title: type ? `${type} task` : 'any other task type',
});

// ── task configuration shared by tasks and compensations ────────────────────

const TIMEOUT_MESSAGE = `must be an integer from 1 to ${MAX_TIMEOUT_MS}`;
const timeoutMs = defaulted(
  (o) =>
    Type.Integer({
      minimum: 1,
      maximum: MAX_TIMEOUT_MS,
      description: 'per attempt, ms',
      ...says(TIMEOUT_MESSAGE),
      ...o,
    }),
  DEFAULT_TIMEOUT_MS,
);
const queueTimeoutMs = defaulted(
  (o) =>
    Type.Integer({
      minimum: 1,
      maximum: MAX_TIMEOUT_MS,
      description:
        'schedule-to-start: a queued attempt no worker started by then fails with code `timeout`, ms',
      ...says(TIMEOUT_MESSAGE),
      ...o,
    }),
  DEFAULT_QUEUE_TIMEOUT_MS,
);
const priority = defaulted(
  (o) =>
    Type.Integer({
      minimum: 0,
      maximum: 9,
      description: 'higher first',
      ...says('must be an integer from 0 to 9'),
      ...o,
    }),
  DEFAULT_PRIORITY,
);
const idempotencyKey = (fallback: string) =>
  defaulted(
    (o) =>
      Type.String({
        minLength: 1,
        maxLength: 512,
        description: 'a template',
        ...says('must be a string of 1 to 512 characters'),
        ...o,
      }),
    fallback,
  );
const taskKey = idempotencyKey(DEFAULT_TASK_IDEMPOTENCY_KEY);
const compensationKey = idempotencyKey(DEFAULT_COMPENSATION_IDEMPOTENCY_KEY);
const inputDefault = (_input: typeof AnyJson) => ({
  input: Type.Optional(Type.Unknown({ description: 'any JSON value', default: {} })),
});
const inputAlways = (input: typeof AnyJson) => ({ input });

export const CompensationInput = variants(
  {
    retry: Type.Optional(RetryPolicyInput),
    timeoutMs: timeoutMs.request,
    queueTimeoutMs: queueTimeoutMs.request,
    priority: priority.request,
    idempotencyKey: compensationKey.request,
  },
  inputDefault,
);

export const CompensationDefinition = variants(
  {
    retry: RetryPolicy,
    timeoutMs: timeoutMs.response,
    queueTimeoutMs: queueTimeoutMs.response,
    priority: priority.response,
    idempotencyKey: compensationKey.response,
  },
  inputAlways,
);

const TaskKey = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  examples: ['reserve'],
  ...says('must be 1–64 characters of [A-Za-z0-9_-]'),
});

export const TaskDefinitionInput = variants(
  {
    key: TaskKey,
    dependsOn: Type.Optional(
      Type.Array(Type.String(), { default: [], ...says('must be an array of task keys') }),
    ),
    retry: Type.Optional(RetryPolicyInput),
    timeoutMs: timeoutMs.request,
    queueTimeoutMs: queueTimeoutMs.request,
    priority: priority.request,
    idempotencyKey: taskKey.request,
    compensation: Type.Optional(CompensationInput),
  },
  inputDefault,
);

export const TaskDefinition = variants(
  {
    key: TaskKey,
    dependsOn: Type.Array(Type.String()),
    retry: RetryPolicy,
    timeoutMs: timeoutMs.response,
    queueTimeoutMs: queueTimeoutMs.response,
    priority: priority.response,
    idempotencyKey: taskKey.response,
    compensation: Nullable(CompensationDefinition),
  },
  inputAlways,
);

// ── definitions ─────────────────────────────────────────────────────────────

const DefinitionName = Type.String({
  pattern: '^[a-z0-9._-]{1,100}$',
  examples: ['order-fulfilment'],
  ...says('must be 1–100 characters of [a-z0-9-_.]'),
});

const definitionContent = {
  name: DefinitionName,
  description: Type.Optional(
    Type.String({ maxLength: 2000, ...says('must be a string of at most 2000 characters') }),
  ),
  tasks: Type.Array(TaskDefinitionInput, {
    minItems: 1,
    maxItems: MAX_TASKS,
    ...says(`must be an array of 1 to ${MAX_TASKS} tasks`),
  }),
  output: Type.Optional(Type.Unknown({ description: 'template of the run output' })),
};

/** The body of `POST /v1/definitions` and `POST /v1/definitions/validate`. */
export const DefinitionInput = Type.Object(
  {
    ...definitionContent,
    version: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'omitted: the next version',
        ...says('must be a positive integer'),
      }),
    ),
  },
  { additionalProperties: false, ...says(OBJECT_MESSAGE) },
);
export type DefinitionInput = Static<typeof DefinitionInput>;

/** An inline definition of `POST /v1/runs`: registers nothing, so it has no version. */
export const InlineDefinitionInput = Type.Object(definitionContent, {
  additionalProperties: false,
  ...says(OBJECT_MESSAGE),
});

export const Definition = Type.Object(
  {
    namespace: Namespace,
    name: DefinitionName,
    version: Type.Integer({ minimum: 1 }),
    description: Nullable(Type.String()),
    tasks: Type.Array(TaskDefinition),
    output: Type.Unknown({ description: 'template of the run output; null: the outputs of the last tasks' }),
    createdAt: Timestamp,
  },
  { additionalProperties: false, description: 'A registered definition with every default applied.' },
);
export type Definition = Static<typeof Definition>;

const Warnings = Type.Array(ValidationIssue, {
  description: 'only when non-empty: tasks whose type no live worker serves',
});

/** The answer of `POST /v1/definitions`: the definition, and the unserved task types if any. */
export const RegisteredDefinition = Type.Object(
  { ...Definition.properties, warnings: Type.Optional(Warnings) },
  { additionalProperties: false, description: 'A registered definition; `warnings` only when non-empty.' },
);
export type RegisteredDefinition = Static<typeof RegisteredDefinition>;

export const DefinitionList = Type.Object({ items: Type.Array(Definition) }, { additionalProperties: false });
export type DefinitionList = Static<typeof DefinitionList>;

export const ExecutionPlan = Type.Object(
  {
    levels: Type.Array(Type.Array(Type.String()), { description: 'tasks of one level run in parallel' }),
    compensation: Type.Array(Type.Array(Type.String()), { description: 'the order compensations run in' }),
  },
  { additionalProperties: false },
);

export const ValidationReport = Type.Object(
  {
    valid: Type.Boolean(),
    errors: Type.Array(ValidationIssue),
    plan: Nullable(ExecutionPlan),
    warnings: Type.Optional(Warnings),
  },
  { additionalProperties: false },
);
export type ValidationReport = Static<typeof ValidationReport>;

export const DefinitionNameParams = Type.Object({ name: Type.String({ examples: ['order-fulfilment'] }) });
export const DefinitionVersionParams = Type.Object({
  name: Type.String({ examples: ['order-fulfilment'] }),
  version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});
