import type { Dispatch } from '../../domain/run/run-events.js';
import type { AttemptOutcome } from '../../domain/run/run-events.js';
import Compile from 'typebox/compile';
import type { ResultMessage, TaskMessage } from '../ports/messages.js';
import { ResultMessageSchema } from '../contracts/messages/result-message.js';
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
    body,
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
const resultMessage = Compile(ResultMessageSchema);

/** A result message of docs/contract.md#result-message: its schema, with timestamps that parse. */
export function isResultMessage(value: unknown): value is ResultMessage {
  if (!resultMessage.Check(value)) return false;
  return value.outcome === 'started'
    ? parses(value.startedAt)
    : parses(value.startedAt) && parses(value.finishedAt);
}

const parses = (timestamp: string): boolean => !Number.isNaN(Date.parse(timestamp));
