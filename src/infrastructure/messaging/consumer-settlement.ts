import { setTimeout as sleep } from 'node:timers/promises';

import type { ConfirmChannel, ConsumeMessage } from 'amqplib';

import type { BufferedItem, ConsumerPolicy, ConsumerSession } from './consumer-session.js';
import { copyProperties, stringProperty, type Delivery } from './delivery.js';
import { describeError } from './logger.js';
import { recordedFailures } from './redelivery.js';

/**
 * Single-message mode: each delivery runs its handler concurrently (bounded by prefetch) and is
 * settled on its own. The promise is tracked in `session.inFlight` so a cancel can wait for it.
 */
export function dispatchSingle<T>(
  session: ConsumerSession<T>,
  policy: ConsumerPolicy,
  item: BufferedItem<T>,
  handler: (delivery: Delivery<T>) => Promise<void>,
): void {
  const work =
    item.kind === 'recount'
      ? recountUnsettled(session, policy, item.message)
      : runSingle(session, policy, item.delivery, handler);
  session.inFlight.add(work);
  void work
    .catch((error: unknown) => policy.logger.error(`consumer on ${policy.queue}: ${describeError(error)}`))
    .finally(() => session.inFlight.delete(work));
}

async function runSingle<T>(
  session: ConsumerSession<T>,
  policy: ConsumerPolicy,
  delivery: Delivery<T>,
  handler: (delivery: Delivery<T>) => Promise<void>,
): Promise<void> {
  try {
    await handler(delivery);
  } catch (error) {
    await handleFailure(session, policy, delivery, error);
    return;
  }
  settle(session, policy, (channel) => channel.ack(delivery.message));
}

/** Applies the redelivery policy to a message whose handler threw (redelivery.ts). */
async function handleFailure<T>(
  session: ConsumerSession<T>,
  policy: ConsumerPolicy,
  delivery: Delivery<T>,
  error: unknown,
): Promise<void> {
  const failures = delivery.previousFailures + 1;
  if (failures >= policy.maxAttempts) {
    deadLetter(session, policy, delivery.message, `failed ${failures} times, last: ${describeError(error)}`);
    return;
  }
  const id = delivery.messageId ?? `#${delivery.message.fields.deliveryTag}`;
  policy.logger.warn(
    `handler failed on ${policy.queue} message ${id} (${failures}/${policy.maxAttempts}): ${describeError(error)}`,
  );
  await sleep(policy.failureDelayMs(failures), undefined, { signal: session.abort.signal }).catch(
    () => undefined,
  );
  if (policy.redelivery === 'broker') {
    settle(session, policy, (channel) => channel.nack(delivery.message, false, true));
  } else {
    await republish(session, policy, delivery.message, failures);
  }
}

/** A `redelivered` message on a classic queue: count the unsettled delivery, then re-publish or dead-letter. */
export async function recountUnsettled<T>(
  session: ConsumerSession<T>,
  policy: ConsumerPolicy,
  message: ConsumeMessage,
): Promise<void> {
  const failures = recordedFailures(message, policy.redelivery) + 1;
  if (failures >= policy.maxAttempts) {
    deadLetter(session, policy, message, `came back unsettled ${failures} times`);
    return;
  }
  await republish(session, policy, message, failures);
}

/** Copy to the back of the same queue with the new count; ack the original only once the copy is confirmed. */
async function republish<T>(
  session: ConsumerSession<T>,
  policy: ConsumerPolicy,
  message: ConsumeMessage,
  failures: number,
): Promise<void> {
  if (!session.open) return;
  try {
    await new Promise<void>((resolve, reject) => {
      session.channel.sendToQueue(
        policy.queue,
        message.content,
        copyProperties(message, failures),
        (error: unknown) => (error === null || error === undefined ? resolve() : reject(toError(error))),
      );
    });
  } catch (error) {
    policy.logger.error(`re-publish to ${policy.queue} failed: ${describeError(error)}`);
    // Not copied: hand the original back (it returns flagged redelivered and is counted then).
    settle(session, policy, (channel) => channel.nack(message, false, true));
    return;
  }
  settle(session, policy, (channel) => channel.ack(message));
}

export function deadLetter<T>(
  session: ConsumerSession<T>,
  policy: ConsumerPolicy,
  message: ConsumeMessage,
  reason: string,
): void {
  const id = stringProperty(message.properties.messageId) ?? `#${message.fields.deliveryTag}`;
  policy.logger.error(`dead-lettering ${policy.queue} message ${id}: ${reason}`);
  settle(session, policy, (channel) => channel.nack(message, false, false));
}

/** Settles on the message's own channel; if that channel is gone the broker redelivers it anyway. */
export function settle<T>(
  session: ConsumerSession<T>,
  policy: ConsumerPolicy,
  action: (channel: ConfirmChannel) => void,
): void {
  if (!session.open) return;
  try {
    action(session.channel);
  } catch (error) {
    policy.logger.warn(`settling a message on ${policy.queue}: ${describeError(error)}`);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
