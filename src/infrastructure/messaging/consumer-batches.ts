import { setTimeout as sleep } from 'node:timers/promises';

import type { BufferedItem, ConsumerPolicy, ConsumerSession } from './consumer-session.js';
import { deadLetter, recountUnsettled, settle } from './consumer-settlement.js';
import type { Delivery } from './delivery.js';
import { describeError } from './logger.js';
import { UnprocessableMessageError } from '../../application/ports/inbound-messages.js';

/** How a batch consumer hands work over: `maxBatch` already clamped to ≥ 1. */
export interface BatchMode<T> {
  readonly handler: (deliveries: ReadonlyArray<Delivery<T>>) => Promise<void>;
  readonly maxBatch: number;
}

/**
 * Batch mode: buffers the item for the session's batch loop, starting the loop if it is not
 * running. The loop is the only thing that settles messages in batch mode (see consumer.ts
 * `deliver` for why).
 */
export function enqueueBatchItem<T>(
  session: ConsumerSession<T>,
  policy: ConsumerPolicy,
  mode: BatchMode<T>,
  item: BufferedItem<T>,
): void {
  session.buffer.push(item);
  scheduleBatchLoop(session, policy, mode);
}

function scheduleBatchLoop<T>(session: ConsumerSession<T>, policy: ConsumerPolicy, mode: BatchMode<T>): void {
  if (session.batchLoop !== undefined) return;
  // setImmediate: let every delivery already read from the socket join the first batch.
  session.batchLoop = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => runBatches(session, policy, mode))
    .catch((error: unknown) => policy.logger.error(`batch loop on ${policy.queue}: ${describeError(error)}`))
    .finally(() => {
      session.batchLoop = undefined;
      // Not after a cancel: the aborted loop would exit at once and reschedule itself forever.
      if (session.open && !session.abort.signal.aborted && session.buffer.length > 0) {
        scheduleBatchLoop(session, policy, mode);
      }
    });
}

async function runBatches<T>(
  session: ConsumerSession<T>,
  policy: ConsumerPolicy,
  mode: BatchMode<T>,
): Promise<void> {
  while (session.open && !session.abort.signal.aborted && session.buffer.length > 0) {
    const items = session.buffer.splice(0, mode.maxBatch);
    const deliveries: Array<Delivery<T>> = [];
    for (const item of items) {
      if (item.kind === 'recount') await recountUnsettled(session, policy, item.message);
      else deliveries.push(item.delivery);
    }
    if (deliveries.length > 0) await runBatch(session, policy, deliveries, mode.handler);
  }
}

/**
 * A failed batch is retried here, on this channel, after `failureDelayMs` — not returned to
 * the broker: a requeue would let the later messages already prefetched overtake it (breaking
 * per-run order on a result shard) and would spend the delivery count of messages that never
 * failed. After `maxAttempts` failures a batch is split and its messages retried one by one,
 * so one poison message is dead-lettered on its own and the rest go through in order. A handler
 * that knows a message is hopeless throws `UnprocessableMessageError`: that skips the retries
 * (split at once, dead-letter at once). A batch
 * handler should therefore throw only for what is worth retrying, and callers choose
 * `maxAttempts` for the outage they want to ride out (a consumer cancelled, or a channel
 * lost, mid-retry leaves the batch to the broker, which redelivers it).
 */
async function runBatch<T>(
  session: ConsumerSession<T>,
  policy: ConsumerPolicy,
  deliveries: Array<Delivery<T>>,
  handler: BatchMode<T>['handler'],
): Promise<void> {
  const last = deliveries.at(-1);
  if (last === undefined) return;
  const earlier = Math.max(...deliveries.map((delivery) => delivery.previousFailures));
  for (let failures = 1; session.open && !session.abort.signal.aborted; failures += 1) {
    try {
      await handler(deliveries);
      settle(session, policy, (channel) => channel.ack(last.message, true));
      return;
    } catch (error) {
      const total = earlier + failures;
      const unprocessable = error instanceof UnprocessableMessageError;
      if (unprocessable || total >= policy.maxAttempts) {
        if (deliveries.length === 1) {
          const reason = unprocessable ? 'unprocessable' : `failed ${total} times, last`;
          deadLetter(session, policy, last.message, `${reason}: ${describeError(error)}`);
          return;
        }
        policy.logger.warn(
          `batch of ${deliveries.length} on ${policy.queue} ${unprocessable ? 'holds an unprocessable message' : `failed ${total} times`}; retrying one by one`,
        );
        for (const delivery of deliveries) await runBatch(session, policy, [delivery], handler);
        return;
      }
      policy.logger.warn(
        `batch of ${deliveries.length} on ${policy.queue} failed (${total}/${policy.maxAttempts}): ${describeError(error)}`,
      );
      await sleep(policy.failureDelayMs(total), undefined, { signal: session.abort.signal }).catch(
        () => undefined,
      );
    }
  }
}
