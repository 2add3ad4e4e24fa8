import type { Dispatch } from './run-events.js';
import type { DomainRunEvent } from './run-facts.js';

/** The attempt a queued event sends to a worker; null for every other event and for a `delay`. */
export function dispatchOf(event: DomainRunEvent): Dispatch | null {
  if (event.type !== 'TaskQueued' && event.type !== 'CompensationQueued') return null;
  const { send, type } = event.facts;
  if (!send || event.taskKey === null || event.attempt === null) return null;
  return {
    taskKey: event.taskKey,
    kind: event.type === 'TaskQueued' ? 'task' : 'compensation',
    attempt: event.attempt,
    type,
    input: send.input,
    idempotencyKey: send.idempotencyKey,
    timeoutMs: send.timeoutMs,
    priority: send.priority,
    queuedAt: event.at,
  };
}
