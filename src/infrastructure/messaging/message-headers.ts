import type { ExecutionKind } from '../../application/ports/messages.js';

/** AMQP header names carried by every Sagaflow message (docs/contract.md#messaging). */
export const headerNames = {
  runId: 'x-run-id',
  taskKey: 'x-task-key',
  attempt: 'x-attempt',
  kind: 'x-kind',
  idempotencyKey: 'x-idempotency-key',
  traceparent: 'traceparent',
  /** Handler failures so far, written by the consumer when it re-queues a message (consumer.ts). */
  failures: 'x-sagaflow-failures',
} as const;

/** The per-message facts that travel as headers, so they are visible without parsing the body. */
export interface MessageHeaderFields {
  runId?: string;
  taskKey?: string;
  attempt?: number;
  kind?: ExecutionKind;
  idempotencyKey?: string;
  traceparent?: string;
}

export type HeaderValue = string | number | boolean;

export function metaToHeaders(meta: MessageHeaderFields): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = {};
  if (meta.runId !== undefined) headers[headerNames.runId] = meta.runId;
  if (meta.taskKey !== undefined) headers[headerNames.taskKey] = meta.taskKey;
  if (meta.attempt !== undefined) headers[headerNames.attempt] = meta.attempt;
  if (meta.kind !== undefined) headers[headerNames.kind] = meta.kind;
  if (meta.idempotencyKey !== undefined) headers[headerNames.idempotencyKey] = meta.idempotencyKey;
  if (meta.traceparent !== undefined) headers[headerNames.traceparent] = meta.traceparent;
  return headers;
}

/** The `traceparent` a received message carries, if any (tracing on only). */
export function traceparentHeader(headers: Readonly<Record<string, unknown>>): string | undefined {
  const value = headers[headerNames.traceparent];
  return typeof value === 'string' ? value : undefined;
}
