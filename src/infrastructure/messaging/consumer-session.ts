import type { ConfirmChannel, ConsumeMessage } from 'amqplib';

import type { Delivery } from './delivery.js';
import type { MessagingLogger } from './logger.js';
import type { RedeliveryMode } from './redelivery.js';

/**
 * The parts of a consumer's configuration that settling, retrying and batching need. Passed to
 * the helper modules as a plain value so they never import consumer.ts (which imports them).
 */
export interface ConsumerPolicy {
  readonly queue: string;
  readonly redelivery: RedeliveryMode;
  /** Handler attempts before a message is dead-lettered (already clamped to ≥ 1). */
  readonly maxAttempts: number;
  readonly failureDelayMs: (failures: number) => number;
  readonly logger: MessagingLogger;
}

/** Work queued for the batch loop, which alone settles messages in batch mode (see consumer.ts `deliver`). */
export type BufferedItem<T> =
  { kind: 'deliver'; delivery: Delivery<T> } | { kind: 'recount'; message: ConsumeMessage };

/** One channel and its consumer; a reconnect or channel failure replaces it with a new one. */
export interface ConsumerSession<T> {
  channel: ConfirmChannel;
  consumerTag: string;
  open: boolean;
  inFlight: Set<Promise<void>>;
  buffer: Array<BufferedItem<T>>;
  batchLoop: Promise<void> | undefined;
  /** Cuts failure delays short when the consumer is cancelled or the channel closes. */
  abort: AbortController;
}

/** Waits for every running handler and the batch loop, including work they start meanwhile. */
export async function idle<T>(session: ConsumerSession<T>): Promise<void> {
  while (session.inFlight.size > 0 || session.batchLoop !== undefined) {
    await Promise.allSettled([...session.inFlight, session.batchLoop]);
  }
}

/** {@link idle}, but for at most `ms`: true when the session went idle in time. */
export async function idleWithin<T>(session: ConsumerSession<T>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([idle(session).then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

export async function closeQuietly<T>(session: ConsumerSession<T>): Promise<void> {
  if (!session.open) return;
  session.open = false;
  session.abort.abort();
  try {
    await session.channel.close();
  } catch {
    // Already closed by the broker or the connection: nothing to release.
  }
}
