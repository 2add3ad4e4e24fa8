/**
 * How a consumer bounds the attempts on a message whose handler keeps failing, so that it ends
 * in `<prefix>.dead` instead of circling forever (docs/contract.md#messaging).
 *
 * - `broker` — for quorum queues (the result shards). The broker counts deliveries itself and
 *   puts the count of earlier deliveries in the `x-delivery-count` header; a failed message is
 *   nacked with requeue, and once `maxAttempts` deliveries have failed the consumer nacks it
 *   without requeue (dead-letter). The queue's `x-delivery-limit` is the backstop for messages
 *   that fail without the consumer seeing it (a process crashing mid-handler).
 *
 * - `republish` — for classic queues (the task queues: priorities need classic queues on
 *   RabbitMQ 3.x, and classic queues count nothing and have no delivery limit). The count
 *   travels in the message: on failure the consumer publishes a copy of the message to the
 *   same queue (default exchange, confirm channel, same properties and priority) with the
 *   header `x-sagaflow-failures` incremented, waits for the confirm, and only then acks the
 *   original; once the count reaches `maxAttempts` it nacks without requeue instead. Because
 *   the count lives in the broker, it survives restarts and holds across competing consumers
 *   on different instances, which an in-memory map keyed by message id cannot (a message
 *   that crashes its process would loop forever, each instance starting from zero).
 *   A delivery flagged `redelivered` was handed out before and never settled — its consumer
 *   died or lost its channel, possibly *because of* this message — so it counts as a failure
 *   too: the consumer re-publishes it with the count incremented before running any handler.
 *   A crash between confirm and ack duplicates the message; duplicates are expected anyway
 *   (at-least-once) and absorbed by idempotency keys and attempt numbers.
 *   Costs: a re-published message goes to the back of its priority level; an unsettled
 *   redelivery (e.g. prefetched messages of a worker that stopped) costs one extra publish
 *   and one of its attempts.
 *
 * In both modes a failed message is held for `failureDelayMs(failures)` before it goes back,
 * so a failing dependency (a database outage) does not turn into a hot redelivery loop that
 * burns through the attempts in milliseconds.
 *
 * Batch consumers (the orchestrator's result shards) differ: a failed batch is retried in
 * place on its channel, never requeued, because a requeue would let later prefetched messages
 * overtake it and break per-run ordering; after `maxAttempts` it is split and retried message
 * by message so only a poison message is dead-lettered (see `QueueConsumer.runBatch`). The
 * broker's `x-delivery-count` still seeds the count, so a batch that crashes its process on
 * every delivery is bounded too (and `x-delivery-limit` backs that up).
 */
import type { ConsumeMessage } from 'amqplib';

import { headersOf, numberHeader } from './delivery.js';
import { headerNames } from './message-headers.js';

export type RedeliveryMode = 'broker' | 'republish';

/** Header a quorum queue sets on redelivery: how many times the message was delivered before. */
export const brokerDeliveryCountHeader = 'x-delivery-count';

export const defaultMaxAttempts = 5;

export function defaultFailureDelayMs(failures: number): number {
  return Math.min(5_000, 100 * 2 ** Math.max(0, failures - 1));
}

/** Failures recorded before this delivery (0 on a first delivery). */
export function recordedFailures(message: ConsumeMessage, mode: RedeliveryMode): number {
  const headers = headersOf(message);
  const name = mode === 'broker' ? brokerDeliveryCountHeader : headerNames.failures;
  return Math.max(0, Math.floor(numberHeader(headers, name) ?? 0));
}

/**
 * In `republish` mode, a delivery that came back unsettled must be counted (and re-published
 * with the new count) before any handler runs; see the module comment.
 */
export function isUnsettledRedelivery(message: ConsumeMessage, mode: RedeliveryMode): boolean {
  return mode === 'republish' && message.fields.redelivered;
}
