import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { ref } from './schema-ref.js';

/**
 * What a task does: its `type` and that type's `input`, as a union discriminated by `type`.
 * The built-in handlers (docs/contract.md#workflow-definitions) have fixed inputs; any other type is a handler a worker
 * registers, so its variant is open.
 */
export const TASK_ACTION_SCHEMAS: Record<string, SchemaObject> = {
  TaskAction: {
    oneOf: [ref('NoopAction'), ref('EchoAction'), ref('DelayAction'), ref('HttpAction'), ref('CustomAction')],
    discriminator: {
      propertyName: 'type',
      mapping: {
        noop: '#/components/schemas/NoopAction',
        echo: '#/components/schemas/EchoAction',
        delay: '#/components/schemas/DelayAction',
        http: '#/components/schemas/HttpAction',
      },
    },
  },
  NoopAction: action('noop', 'Completes at once with output `{}`.', {
    type: 'object',
    description: 'ignored',
  }),
  EchoAction: action('echo', 'Output = its resolved input.', { description: 'any JSON; templates allowed' }),
  DelayAction: action(
    'delay',
    'Completes after `ms` on a durable timer, without a worker.',
    ref('DelayInput'),
  ),
  HttpAction: action('http', 'Calls a URL; 2xx completes, 408/429/5xx retry.', ref('HttpInput')),
  CustomAction: {
    type: 'object',
    required: ['type'],
    description: 'A handler registered by a worker under this name (any type but the built-ins).',
    properties: {
      type: { type: 'string', example: 'send-email' },
      input: { description: 'any JSON the handler understands; templates allowed' },
    },
  },
  DelayInput: {
    type: 'object',
    required: ['ms'],
    properties: { ms: { type: 'integer', minimum: 0, example: 1000 } },
  },
  HttpInput: {
    type: 'object',
    required: ['method', 'url'],
    properties: {
      method: { type: 'string', enum: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] },
      url: { type: 'string', format: 'uri', example: 'http://stock/reserve' },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      body: { description: 'any JSON, sent as application/json' },
      timeoutMs: { type: 'integer', minimum: 1 },
    },
  },
  RetryPolicy: {
    type: 'object',
    properties: {
      maxAttempts: { type: 'integer', minimum: 1, default: 3 },
      initialIntervalMs: { type: 'integer', minimum: 0, default: 1000 },
      backoffCoefficient: { type: 'number', minimum: 1, default: 2 },
      maxIntervalMs: { type: 'integer', minimum: 0, default: 60000 },
      jitter: { type: 'number', minimum: 0, maximum: 1, default: 0 },
    },
  },
  CompensationDefinition: {
    allOf: [
      ref('TaskAction'),
      {
        type: 'object',
        properties: {
          retry: ref('RetryPolicy'),
          timeoutMs: { type: 'integer', minimum: 1, default: 300000 },
          queueTimeoutMs: { type: 'integer', minimum: 1, default: 300000 },
          idempotencyKey: { type: 'string', default: '${run.id}:${task.key}:compensate' },
        },
      },
    ],
  },
  TaskDefinition: {
    allOf: [
      ref('TaskAction'),
      {
        type: 'object',
        required: ['key'],
        properties: {
          key: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
          dependsOn: { type: 'array', items: { type: 'string' }, default: [] },
          retry: ref('RetryPolicy'),
          timeoutMs: { type: 'integer', minimum: 1, default: 300000 },
          queueTimeoutMs: { type: 'integer', minimum: 1, default: 300000 },
          priority: { type: 'integer', minimum: 0, maximum: 9, default: 5 },
          idempotencyKey: { type: 'string', default: '${run.id}:${task.key}' },
          compensation: ref('CompensationDefinition'),
        },
      },
    ],
  },
};

function action(type: string, description: string, input: SchemaObject | ReferenceObject): SchemaObject {
  return {
    type: 'object',
    required: type === 'delay' || type === 'http' ? ['type', 'input'] : ['type'],
    description,
    properties: { type: { type: 'string', enum: [type] }, input },
  };
}
