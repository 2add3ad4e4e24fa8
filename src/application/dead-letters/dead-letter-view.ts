import type { Actor } from '../actor.js';
import type { DeadLetter, DeadLetterScope } from '../ports/dead-letter-store.js';

/** A dead letter as REST and GraphQL show it (docs/contract.md#dead-letters). */
export interface DeadLetterView {
  id: string;
  namespace: string | null;
  queue: string;
  reason: string;
  messageId: string | null;
  runId: string | null;
  taskKey: string | null;
  attempt: number | null;
  deadAt: string;
  headers: Record<string, unknown>;
  /** `json`: `body` is the message's JSON value; `base64`: its bytes, which are not JSON. */
  bodyEncoding: 'json' | 'base64';
  body: unknown;
}

export function deadLetterView(letter: DeadLetter): DeadLetterView {
  return {
    id: letter.id,
    namespace: letter.namespace,
    queue: letter.queue,
    reason: letter.reason,
    messageId: letter.messageId,
    runId: letter.runId,
    taskKey: letter.taskKey,
    attempt: letter.attempt,
    deadAt: letter.deadAt.toISOString(),
    headers: { ...letter.headers },
    ...bodyOf(letter.body),
  };
}

function bodyOf(bytes: Buffer): Pick<DeadLetterView, 'body' | 'bodyEncoding'> {
  const text = new TextDecoder('utf-8', { fatal: true });
  try {
    return { bodyEncoding: 'json', body: JSON.parse(text.decode(bytes)) as unknown };
  } catch {
    return { bodyEncoding: 'base64', body: bytes.toString('base64') };
  }
}

/**
 * A caller sees the letters of its namespace; letters that belong to no namespace only a caller
 * granted every namespace sees (docs/security.md#roles).
 */
export function deadLetterScope(actor: Actor): DeadLetterScope {
  return { namespace: actor.namespace, unowned: actor.grants === '*' };
}
