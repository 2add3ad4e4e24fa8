import { defineEntity, p } from '@mikro-orm/core';

/**
 * MikroORM mapping of registered definitions. Kept here, outside the domain: the domain's
 * `WorkflowDefinition` is the `body`, stored as JSON with every default applied.
 */
export const DefinitionRecord = defineEntity({
  name: 'DefinitionRecord',
  tableName: 'definitions',
  properties: {
    namespace: p.string().primary(),
    name: p.string().primary(),
    version: p.integer().primary(),
    body: p.json<Record<string, unknown>>(),
    canonical: p.text(),
    createdAt: p.datetime().fieldName('created_at'),
  },
});

/** Read-only mapping of run events, for the events query. */
export const RunEventRecord = defineEntity({
  name: 'RunEventRecord',
  tableName: 'run_events',
  properties: {
    runId: p.uuid().primary().fieldName('run_id'),
    seq: p.integer().primary(),
    type: p.string(),
    taskKey: p.string().nullable().fieldName('task_key'),
    attempt: p.integer().nullable(),
    at: p.datetime(),
    data: p.json<Record<string, unknown>>(),
  },
});
