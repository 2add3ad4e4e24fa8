export const DEAD_LETTER_STORE = Symbol('DeadLetterStore');
export const DEAD_LETTER_REPUBLISHER = Symbol('DeadLetterRepublisher');

/**
 * A message the broker dead-lettered, as kept in PostgreSQL (docs/operations.md#dead-letters).
 * `namespace` is that of the run it names; null when it names no run this installation knows
 * (garbage, or a run since deleted).
 */
export interface DeadLetter {
  readonly id: string;
  readonly namespace: string | null;
  /** The queue it died on, and where a replay publishes it. */
  readonly queue: string;
  readonly reason: string;
  readonly messageId: string | null;
  readonly runId: string | null;
  readonly taskKey: string | null;
  readonly attempt: number | null;
  readonly deadAt: Date;
  /** Its AMQP headers (the broker's death records included), as JSON. */
  readonly headers: Readonly<Record<string, unknown>>;
  /** Its AMQP properties a replay restores (content type, message id, priority, …). */
  readonly properties: Readonly<Record<string, unknown>>;
  readonly body: Buffer;
}

/** What one caller may see: its namespace's letters, and with every namespace granted, unowned ones too. */
export interface DeadLetterScope {
  readonly namespace: string;
  readonly unowned: boolean;
}

export interface DeadLetterFilter {
  readonly queue?: string;
  readonly limit: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface DeadLetterStore {
  /** Newest first. */
  list(
    scope: DeadLetterScope,
    filter: DeadLetterFilter,
  ): Promise<{ items: DeadLetter[]; nextCursor: string | null }>;
  get(scope: DeadLetterScope, id: string): Promise<DeadLetter | null>;
  /**
   * Removes the letter once `send` resolved, in one transaction that holds the row: a second
   * take of the same letter waits, then finds nothing (false). A `send` that throws leaves it.
   */
  take(scope: DeadLetterScope, id: string, send: (letter: DeadLetter) => Promise<void>): Promise<boolean>;
  delete(scope: DeadLetterScope, id: string): Promise<boolean>;
}

/** Publishes a dead letter back to its queue and resolves once the broker confirmed it. */
export interface DeadLetterRepublisher {
  republish(letter: DeadLetter): Promise<void>;
}
