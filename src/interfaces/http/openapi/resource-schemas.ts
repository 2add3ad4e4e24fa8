import type { SchemaObject } from '@nestjs/swagger';
import { RUN_STATUSES } from '../../../domain/run/run-status.js';
import { TASK_STATUSES } from '../../../domain/run/task-status.js';
import { ref } from './schema-ref.js';

const timestamp: SchemaObject = { type: 'string', format: 'date-time', nullable: true };
const anyJson: SchemaObject = { description: 'any JSON', nullable: true };
const issue: SchemaObject = {
  type: 'object',
  required: ['path', 'message'],
  properties: {
    path: { type: 'string', example: 'tasks[0].retry.maxAttempts' },
    message: { type: 'string' },
  },
};
const error: SchemaObject = {
  type: 'object',
  nullable: true,
  properties: { message: { type: 'string' }, code: { type: 'string' } },
};

/** Bodies and responses of docs/contract.md#rest-api, besides the task union of `task-schemas.ts`. */
export const RESOURCE_SCHEMAS: Record<string, SchemaObject> = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details; every error is answered as application/problem+json.',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: { type: 'string', format: 'uri-reference', example: 'https://sagaflow.dev/problems/validation' },
      title: { type: 'string', example: 'Invalid request' },
      status: { type: 'integer', example: 400 },
      detail: { type: 'string' },
      errors: { type: 'array', items: ref('ValidationIssue') },
    },
  },
  ValidationIssue: issue,
  DefinitionInput: {
    type: 'object',
    required: ['name', 'tasks'],
    properties: {
      name: { type: 'string', pattern: '^[a-z0-9-_.]{1,100}$', example: 'order-fulfilment' },
      version: { type: 'integer', minimum: 1, description: 'omitted: the next version' },
      description: { type: 'string' },
      tasks: { type: 'array', minItems: 1, maxItems: 1000, items: ref('TaskDefinition') },
      output: { description: 'template of the run output' },
    },
  },
  Definition: {
    type: 'object',
    description: 'A registered definition with every default applied.',
    properties: {
      name: { type: 'string' },
      version: { type: 'integer' },
      description: { type: 'string', nullable: true },
      tasks: { type: 'array', items: ref('TaskDefinition') },
      output: anyJson,
      createdAt: { type: 'string', format: 'date-time' },
    },
  },
  RegisteredDefinition: {
    allOf: [
      ref('Definition'),
      {
        type: 'object',
        properties: {
          warnings: {
            type: 'array',
            items: ref('ValidationIssue'),
            description:
              'only when non-empty: tasks whose type no live worker serves (registered all the same)',
          },
        },
      },
    ],
  },
  DefinitionList: { type: 'object', properties: { items: { type: 'array', items: ref('Definition') } } },
  ValidationReport: {
    type: 'object',
    properties: {
      valid: { type: 'boolean' },
      errors: { type: 'array', items: ref('ValidationIssue') },
      plan: {
        type: 'object',
        nullable: true,
        properties: {
          levels: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
          compensation: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
        },
      },
      warnings: {
        type: 'array',
        items: ref('ValidationIssue'),
        description: 'only when non-empty: tasks whose type no live worker serves (still valid)',
      },
    },
  },
  StartRunRequest: {
    type: 'object',
    required: ['definition'],
    properties: {
      definition: {
        oneOf: [{ type: 'string', description: 'name of a registered definition' }, ref('DefinitionInput')],
      },
      version: { type: 'integer', minimum: 1, description: 'only with a definition name; default latest' },
      input: { description: 'any JSON', default: {} },
      idempotencyKey: { type: 'string', minLength: 1, maxLength: 255 },
      priority: { type: 'integer', minimum: 0, maximum: 9 },
    },
  },
  CancelRequest: { type: 'object', properties: { reason: { type: 'string', maxLength: 1000 } } },
  RunSummary: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      definition: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          version: { type: 'integer', nullable: true },
          inline: { type: 'boolean', description: 'present (true) for inline definitions' },
        },
      },
      status: { type: 'string', enum: [...RUN_STATUSES] },
      priority: { type: 'integer', nullable: true },
      idempotencyKey: { type: 'string', nullable: true },
      error: {
        type: 'object',
        nullable: true,
        properties: { taskKey: { type: 'string', nullable: true }, message: { type: 'string' } },
      },
      createdAt: { type: 'string', format: 'date-time' },
      startedAt: timestamp,
      finishedAt: timestamp,
    },
  },
  Run: {
    allOf: [
      ref('RunSummary'),
      {
        type: 'object',
        properties: { input: anyJson, output: anyJson, tasks: { type: 'array', items: ref('TaskRun') } },
      },
    ],
  },
  TaskRun: {
    type: 'object',
    properties: {
      key: { type: 'string' },
      type: { type: 'string', nullable: true },
      dependsOn: { type: 'array', items: { type: 'string' } },
      status: { type: 'string', enum: [...TASK_STATUSES] },
      attempts: { type: 'integer' },
      output: anyJson,
      error,
      queuedAt: timestamp,
      startedAt: timestamp,
      finishedAt: timestamp,
      compensation: {
        type: 'object',
        nullable: true,
        properties: {
          status: { type: 'string' },
          attempts: { type: 'integer' },
          output: anyJson,
          error,
          startedAt: timestamp,
          finishedAt: timestamp,
        },
      },
    },
  },
  RunList: {
    type: 'object',
    properties: {
      items: { type: 'array', items: ref('RunSummary') },
      nextCursor: { type: 'string', nullable: true },
    },
  },
  RunEvent: {
    type: 'object',
    properties: {
      seq: { type: 'integer', minimum: 1 },
      type: { type: 'string', example: 'TaskCompleted' },
      taskKey: { type: 'string', nullable: true },
      attempt: { type: 'integer', nullable: true },
      at: { type: 'string', format: 'date-time' },
      data: { type: 'object' },
    },
  },
  RunEventList: {
    type: 'object',
    properties: {
      items: { type: 'array', items: ref('RunEvent') },
      nextCursor: { type: 'string', nullable: true, description: 'the `after` of the next page' },
    },
  },
  Health: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['ok', 'error'] },
      info: { type: 'object', additionalProperties: ref('HealthIndicator') },
      error: { type: 'object', additionalProperties: ref('HealthIndicator') },
      details: { type: 'object', additionalProperties: ref('HealthIndicator') },
    },
  },
  HealthIndicator: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['up', 'degraded', 'down'] },
      message: { type: 'string' },
      responseTime: { type: 'integer', description: 'milliseconds the check took' },
    },
  },
};
