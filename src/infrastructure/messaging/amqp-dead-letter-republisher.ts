import type { DeadLetter, DeadLetterRepublisher } from '../../application/ports/dead-letter-store.js';
import type { ConfirmPublisher } from './confirm-publisher.js';
import type { HeaderValue } from './message-headers.js';

/** Headers the broker or the consumer wrote about the letter's past deliveries: a replay starts afresh. */
const DELIVERY_HISTORY = /^x-(death|first-death-|last-death-|delivery-count|sagaflow-failures)/;

/**
 * Publishes a dead letter to the queue it died on, through the default exchange, with its own
 * bytes, message id and headers (docs/operations.md#dead-letters). Only this installation's
 * queues (`<prefix>.…`) are a destination.
 */
export class AmqpDeadLetterRepublisher implements DeadLetterRepublisher {
  constructor(
    private readonly publisher: ConfirmPublisher,
    private readonly prefix: string,
  ) {}

  async republish(letter: DeadLetter): Promise<void> {
    if (!letter.queue.startsWith(`${this.prefix}.`)) {
      throw new Error(
        `dead letter ${letter.id} names queue ${letter.queue}, which is not one of ${this.prefix}.*`,
      );
    }
    const headers: Record<string, HeaderValue> = { 'x-sagaflow-replayed-from': letter.id };
    for (const [name, value] of Object.entries(letter.headers)) {
      if (DELIVERY_HISTORY.test(name)) continue;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        headers[name] = value;
      }
    }
    const { messageId, priority, correlationId } = letter.properties;
    await this.publisher.publish('', letter.queue, letter.body, {
      ...(typeof messageId === 'string' ? { messageId } : {}),
      ...(typeof priority === 'number' ? { priority } : {}),
      ...(typeof correlationId === 'string' ? { correlationId } : {}),
      headers,
    });
  }
}
