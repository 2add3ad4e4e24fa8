import type { Channel } from 'amqplib';

import {
  deadLetterExchangeName,
  deadQueueName,
  defaultPrefix,
  resultQueueName,
  resultRoutingKey,
  resultsExchangeName,
  taskQueueName,
  tasksExchangeName,
} from './names.js';

export * from './names.js';
export { shardOf } from './shard.js';

/** Highest task priority; RabbitMQ keeps one sub-queue per level, so keep it small. */
export const maxTaskPriority = 9;
/** Deliveries of one result before the broker dead-letters it (a safety net; see consumer.ts). */
export const defaultResultDeliveryLimit = 5;

/**
 * What the task and dead-letter queues are (`SAGAFLOW_QUEUE_TYPE`): `classic` keeps task
 * priorities; `quorum` replicates them over a cluster's nodes so that losing one loses nothing,
 * and RabbitMQ 3.x ignores priorities on it (docs/operations.md#rabbitmq-clusters). Result
 * shards are quorum queues either way.
 */
export const QUEUE_TYPES = ['classic', 'quorum'] as const;
export type QueueType = (typeof QUEUE_TYPES)[number];

export interface TopologyOptions {
  prefix?: string;
  taskTypes: readonly string[];
  shardCount: number;
  resultDeliveryLimit?: number;
}

/**
 * Queue arguments, exported so tests (and anyone re-declaring a queue) use exactly these:
 * RabbitMQ refuses a re-declaration with different arguments (PRECONDITION_FAILED).
 */
export function taskQueueArguments(prefix: string, type: QueueType = 'classic'): Record<string, unknown> {
  if (type === 'quorum') {
    return {
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': deadLetterExchangeName(prefix),
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    };
  }
  return {
    // Classic, because quorum queues reject x-max-priority on RabbitMQ 3.x. Classic queues have
    // no delivery limit, so poison handling on them is the consumer's job (consumer.ts).
    'x-queue-type': 'classic',
    'x-max-priority': maxTaskPriority,
    'x-dead-letter-exchange': deadLetterExchangeName(prefix),
  };
}

export function resultQueueArguments(prefix: string, deliveryLimit: number): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    // Failover only: shards are divided among instances by leases; SAC stops two instances
    // applying one shard at once if leases ever disagree.
    'x-single-active-consumer': true,
    'x-delivery-limit': deliveryLimit,
    'x-dead-letter-exchange': deadLetterExchangeName(prefix),
    // Quorum dead-lettering is at-most-once unless at-least-once, which requires reject-publish.
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

export async function declareDeadLetter(
  channel: Channel,
  prefix: string = defaultPrefix,
  type: QueueType = 'classic',
): Promise<void> {
  const exchange = deadLetterExchangeName(prefix);
  const queue = deadQueueName(prefix);
  // Fanout: every dead letter lands in one queue whatever its original routing key.
  await channel.assertExchange(exchange, 'fanout', { durable: true });
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': type } });
  await channel.bindQueue(queue, exchange, '');
}

/** Declares the tasks exchange and one task type's queue; a worker declares only the types it runs. */
export async function declareTaskQueue(
  channel: Channel,
  prefix: string,
  taskType: string,
  type: QueueType = 'classic',
): Promise<string> {
  const exchange = tasksExchangeName(prefix);
  const queue = taskQueueName(prefix, taskType);
  await channel.assertExchange(exchange, 'direct', { durable: true });
  await channel.assertQueue(queue, { durable: true, arguments: taskQueueArguments(prefix, type) });
  await channel.bindQueue(queue, exchange, taskType);
  return queue;
}

export async function declareResultShards(
  channel: Channel,
  prefix: string,
  shardCount: number,
  deliveryLimit: number = defaultResultDeliveryLimit,
): Promise<string[]> {
  const exchange = resultsExchangeName(prefix);
  await channel.assertExchange(exchange, 'direct', { durable: true });
  const queues: string[] = [];
  for (let shard = 0; shard < shardCount; shard += 1) {
    const queue = resultQueueName(prefix, shard);
    await channel.assertQueue(queue, {
      durable: true,
      arguments: resultQueueArguments(prefix, deliveryLimit),
    });
    await channel.bindQueue(queue, exchange, resultRoutingKey(shard));
    queues.push(queue);
  }
  return queues;
}

/**
 * Declares everything in docs/contract.md#messaging, dead-letter side first so nothing can be dead-lettered into
 * the void. Idempotent: every role may call it at start-up.
 */
export async function declareTopology(channel: Channel, options: TopologyOptions): Promise<void> {
  const prefix = options.prefix ?? defaultPrefix;
  await declareDeadLetter(channel, prefix);
  for (const taskType of options.taskTypes) await declareTaskQueue(channel, prefix, taskType);
  await declareResultShards(channel, prefix, options.shardCount, options.resultDeliveryLimit);
}
