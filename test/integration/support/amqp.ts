import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel } from 'amqplib';
import {
  deadLetterExchangeName,
  deadQueueName,
  resultQueueName,
  resultsExchangeName,
  taskQueueName,
  tasksExchangeName,
} from '../../../src/infrastructure/messaging/topology.js';

/** Polls until `condition` holds; the only bound is a generous deadline, never a timing assertion. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Deletes every queue and exchange a test declared under its own prefix. */
export async function deleteTopology(
  channel: Channel,
  prefix: string,
  taskTypes: readonly string[],
  shardCount: number,
): Promise<void> {
  for (const type of taskTypes) await channel.deleteQueue(taskQueueName(prefix, type));
  for (let shard = 0; shard < shardCount; shard += 1)
    await channel.deleteQueue(resultQueueName(prefix, shard));
  await channel.deleteQueue(deadQueueName(prefix));
  for (const exchange of [
    tasksExchangeName(prefix),
    resultsExchangeName(prefix),
    deadLetterExchangeName(prefix),
  ]) {
    await channel.deleteExchange(exchange);
  }
}
