import type { Dispatch } from '../../domain/run/run-events.js';
import { isRunId } from '../../domain/shared/run-id.js';
import type { AttemptOutcome } from '../../domain/run/run-events.js';
import type { ResultMessage, TaskMessage } from '../ports/messages.js';
import type { MessageRouting } from '../ports/message-routing.js';
import type { MessageMeta, OutgoingMessage } from '../ports/run-store.js';

/**
 * The outbox row that sends one decided attempt to the workers of its type; `traceparent` is the
 * span of the decision that queued it, when tracing is on.
 */
export function dispatchMessage(
  runId: string,
  d: Dispatch,
  routing: MessageRouting,
  traceparent?: string,
): OutgoingMessage {
  const body: TaskMessage = {
    runId,
    taskKey: d.taskKey,
    kind: d.kind,
    attempt: d.attempt,
    type: d.type,
    input: d.input,
    idempotencyKey: d.idempotencyKey,
    timeoutMs: d.timeoutMs,
    priority: d.priority,
    queuedAt: d.queuedAt.toISOString(),
  };
  const meta: MessageMeta = {
    runId,
    taskKey: d.taskKey,
    attempt: d.attempt,
    kind: d.kind,
    idempotencyKey: d.idempotencyKey,
  };
  if (traceparent !== undefined) meta.traceparent = traceparent;
  return {
    exchange: routing.taskExchange,
    routingKey: d.type,
    messageId: `${runId}:${d.taskKey}:${d.kind}:${d.attempt}`,
    meta,
    body: body as unknown as OutgoingMessage['body'],
    priority: d.priority,
  };
}

/** A worker's result message as the aggregate's input. */
export function toOutcome(message: ResultMessage): AttemptOutcome {
  const base = {
    taskKey: message.taskKey,
    kind: message.kind,
    attempt: message.attempt,
    startedAt: new Date(message.startedAt),
  };
  switch (message.outcome) {
    case 'started':
      return { ...base, outcome: 'started' };
    case 'completed':
      return {
        ...base,
        outcome: 'completed',
        output: message.output,
        finishedAt: new Date(message.finishedAt),
      };
    case 'failed':
      return { ...base, outcome: 'failed', error: message.error, finishedAt: new Date(message.finishedAt) };
  }
}

/** Structural check of an incoming result; anything else is poison for the dead-letter queue. */
export function isResultMessage(value: unknown): value is ResultMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  const base =
    typeof m.runId === 'string' &&
    isRunId(m.runId) &&
    typeof m.taskKey === 'string' &&
    (m.kind === 'task' || m.kind === 'compensation') &&
    Number.isInteger(m.attempt) &&
    typeof m.startedAt === 'string' &&
    !Number.isNaN(Date.parse(m.startedAt));
  if (!base) return false;
  if (m.outcome === 'started') return true;
  if (typeof m.finishedAt !== 'string' || Number.isNaN(Date.parse(m.finishedAt))) return false;
  if (m.outcome === 'completed') return 'output' in m;
  if (m.outcome === 'failed') {
    const e = m.error as Record<string, unknown> | null;
    return (
      typeof e === 'object' && e !== null && typeof e.message === 'string' && typeof e.retryable === 'boolean'
    );
  }
  return false;
}
