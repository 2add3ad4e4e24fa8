import Type from 'typebox';
import { DEFAULT_RETRY_POLICY } from '../../../domain/definition/retry-policy.js';
import { AnyJson, defaulted, says, Templated } from './common.js';

/**
 * The parts of a task definition that stand alone (docs/contract.md#workflow-definitions): its
 * retry policy, and the input of the built-in types with a fixed one (`delay`, `http`).
 * `./definitions.ts` builds tasks from them; each `errorMessage` is the issue a bad value gets.
 */

export const OBJECT_MESSAGE = 'must be an object';

const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;
const INTERVAL_MESSAGE = 'must be an integer ≥ 0 (ms, at most 7 days)';

// ── retry policy ────────────────────────────────────────────────────────────

const retryFields = {
  maxAttempts: defaulted(
    (o) =>
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        description: 'attempts in one budget',
        ...says('must be an integer from 1 to 1000'),
        ...o,
      }),
    DEFAULT_RETRY_POLICY.maxAttempts,
  ),
  initialIntervalMs: defaulted(
    (o) =>
      Type.Integer({
        minimum: 0,
        maximum: SEVEN_DAYS_MS,
        description: 'delay before attempt 2',
        ...says(INTERVAL_MESSAGE),
        ...o,
      }),
    DEFAULT_RETRY_POLICY.initialIntervalMs,
  ),
  backoffCoefficient: defaulted(
    (o) => Type.Number({ minimum: 1, maximum: 100, ...says('must be from 1 to 100'), ...o }),
    DEFAULT_RETRY_POLICY.backoffCoefficient,
  ),
  maxIntervalMs: defaulted(
    (o) =>
      Type.Integer({
        minimum: 0,
        maximum: SEVEN_DAYS_MS,
        description: 'at least initialIntervalMs',
        ...says(INTERVAL_MESSAGE),
        ...o,
      }),
    DEFAULT_RETRY_POLICY.maxIntervalMs,
  ),
  jitter: defaulted(
    (o) =>
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: 'fraction of the delay, ±',
        ...says('must be a fraction from 0 to 1'),
        ...o,
      }),
    DEFAULT_RETRY_POLICY.jitter,
  ),
};

export const RetryPolicyInput = Type.Object(
  {
    maxAttempts: retryFields.maxAttempts.request,
    initialIntervalMs: retryFields.initialIntervalMs.request,
    backoffCoefficient: retryFields.backoffCoefficient.request,
    maxIntervalMs: retryFields.maxIntervalMs.request,
    jitter: retryFields.jitter.request,
  },
  { additionalProperties: false, ...says(OBJECT_MESSAGE) },
);

export const RetryPolicy = Type.Object(
  {
    maxAttempts: retryFields.maxAttempts.response,
    initialIntervalMs: retryFields.initialIntervalMs.response,
    backoffCoefficient: retryFields.backoffCoefficient.response,
    maxIntervalMs: retryFields.maxIntervalMs.response,
    jitter: retryFields.jitter.response,
  },
  { additionalProperties: false },
);

// ── what a task does: its type and that type's input ────────────────────────

export const DelayInput = Type.Object(
  {
    ms: Templated(Type.Integer({ minimum: 0, description: 'milliseconds on a durable timer' }), {
      ...says('must be an integer number of milliseconds ≥ 0'),
    }),
  },
  { description: 'Input of a `delay` task.', ...says('must be an object { ms }') },
);

export const HttpInput = Type.Object(
  {
    method: Type.String({
      description:
        'GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS (checked when the task runs), or a template',
      examples: ['POST'],
      ...says('must be an HTTP method'),
    }),
    url: Type.String({
      description: 'an absolute http(s) URL, or a template',
      examples: ['http://stock/reserve'],
      ...says('must be a URL string'),
    }),
    headers: Type.Optional(
      Templated(
        Type.Record(Type.String(), Type.String()),
        says('must be an object of strings, or a template'),
      ),
    ),
    body: Type.Optional(AnyJson),
    timeoutMs: Type.Optional(
      Templated(Type.Integer({ minimum: 1 }), says('must be a positive integer of ms, or a template')),
    ),
  },
  {
    description: 'Input of an `http` task; other fields fail the task when it runs.',
    ...says('must be an object { method, url, headers?, body?, timeoutMs? }'),
  },
);
