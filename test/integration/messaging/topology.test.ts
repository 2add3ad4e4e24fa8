import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Channel, type ChannelModel } from 'amqplib';

import {
  deadLetterExchangeName,
  deadQueueName,
  declareDeadLetter,
  declareTaskQueue,
  declareTopology,
  resultQueueArguments,
  resultQueueName,
  resultRoutingKey,
  resultsExchangeName,
  shardOf,
  taskQueueArguments,
  taskQueueName,
  tasksExchangeName,
} from '../../../src/infrastructure/messaging/topology.js';
import { deleteTopology } from '../support/amqp.js';

const url = 'amqp://guest:guest@127.0.0.1:5672';
const prefix = `sftest_${process.env.JEST_WORKER_ID ?? '0'}_${randomUUID().slice(0, 8)}`;
const taskTypes = ['alpha', 'beta'];
const shardCount = 3;

let model: ChannelModel;
let channel: Channel;

/** A declaration the broker refuses closes the channel, so each probe gets its own. */
async function declarationAccepted(declare: (probe: Channel) => Promise<unknown>): Promise<boolean> {
  const probe = await model.createChannel();
  probe.on('error', () => undefined);
  try {
    await declare(probe);
    await probe.close();
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  model = await connect(url);
  channel = await model.createChannel();
  await declareTopology(channel, { prefix, taskTypes, shardCount });
});

afterAll(async () => {
  const cleanup = await model.createChannel();
  await deleteTopology(cleanup, prefix, [...taskTypes, 'gamma'], shardCount);
  await model.close();
});

describe('shardOf', () => {
  it('is stable, in range, and spreads run ids over the shards', () => {
    expect(shardOf('1b4e28ba-2fa1-11d2-883f-0016d3cca427', 16)).toBe(
      shardOf('1b4e28ba-2fa1-11d2-883f-0016d3cca427', 16),
    );
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i += 1) {
      const shard = shardOf(randomUUID(), 8);
      expect(shard).toBeGreaterThanOrEqual(0);
      expect(shard).toBeLessThan(8);
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(700);
    expect(() => shardOf('x', 0)).toThrow(RangeError);
  });
});

describe('declareTopology', () => {
  it('declares every queue with exactly the documented arguments', async () => {
    for (const type of taskTypes) {
      const queue = taskQueueName(prefix, type);
      await channel.checkQueue(queue);
      expect(
        await declarationAccepted((probe) =>
          probe.assertQueue(queue, { durable: true, arguments: taskQueueArguments(prefix) }),
        ),
      ).toBe(true);
      // RabbitMQ refuses a re-declaration whose arguments differ, which proves what was declared.
      expect(
        await declarationAccepted((probe) =>
          probe.assertQueue(queue, {
            durable: true,
            arguments: { ...taskQueueArguments(prefix), 'x-max-priority': 5 },
          }),
        ),
      ).toBe(false);
    }
    for (let shard = 0; shard < shardCount; shard += 1) {
      const queue = resultQueueName(prefix, shard);
      expect(
        await declarationAccepted((probe) =>
          probe.assertQueue(queue, { durable: true, arguments: resultQueueArguments(prefix, 5) }),
        ),
      ).toBe(true);
      expect(
        await declarationAccepted((probe) =>
          probe.assertQueue(queue, {
            durable: true,
            arguments: { ...resultQueueArguments(prefix, 5), 'x-delivery-limit': 7 },
          }),
        ),
      ).toBe(false);
      expect(
        await declarationAccepted((probe) =>
          probe.assertQueue(queue, { durable: true, arguments: { ...taskQueueArguments(prefix) } }),
        ),
      ).toBe(false);
    }
    await channel.checkQueue(deadQueueName(prefix));
  });

  it('declares quorum task and dead-letter queues for a cluster (SAGAFLOW_QUEUE_TYPE=quorum)', async () => {
    const quorumPrefix = `${prefix}_q`;
    await declareDeadLetter(channel, quorumPrefix, 'quorum');
    const queue = await declareTaskQueue(channel, quorumPrefix, 'alpha', 'quorum');
    try {
      expect(
        await declarationAccepted((probe) =>
          probe.assertQueue(queue, { durable: true, arguments: taskQueueArguments(quorumPrefix, 'quorum') }),
        ),
      ).toBe(true);
      // A classic declaration of the same name is refused: the queue really is a quorum queue.
      expect(
        await declarationAccepted((probe) =>
          probe.assertQueue(queue, { durable: true, arguments: taskQueueArguments(quorumPrefix) }),
        ),
      ).toBe(false);
      expect(
        await declarationAccepted((probe) =>
          probe.assertQueue(deadQueueName(quorumPrefix), {
            durable: true,
            arguments: { 'x-queue-type': 'quorum' },
          }),
        ),
      ).toBe(true);
    } finally {
      await channel.deleteQueue(queue);
      await channel.deleteQueue(deadQueueName(quorumPrefix));
      await channel.deleteExchange(tasksExchangeName(quorumPrefix));
      await channel.deleteExchange(deadLetterExchangeName(quorumPrefix));
    }
  });

  it('is idempotent and lets a worker declare one more task type alone', async () => {
    await declareTopology(channel, { prefix, taskTypes, shardCount });
    expect(await declareTaskQueue(channel, prefix, 'gamma')).toBe(taskQueueName(prefix, 'gamma'));
    await channel.checkQueue(taskQueueName(prefix, 'gamma'));
  });

  it('delivers higher-priority tasks first', async () => {
    const queue = taskQueueName(prefix, 'alpha');
    for (const priority of [1, 9, 5]) {
      channel.publish(tasksExchangeName(prefix), 'alpha', Buffer.from(JSON.stringify({ priority })), {
        priority,
      });
    }
    const seen: number[] = [];
    const deadline = Date.now() + 20_000;
    while (seen.length < 3 && Date.now() < deadline) {
      const message = await channel.get(queue, { noAck: true });
      if (message !== false)
        seen.push((JSON.parse(message.content.toString()) as { priority: number }).priority);
    }
    expect(seen).toEqual([9, 5, 1]);
  });

  it('routes results to the shard queue and rejected tasks to the dead queue', async () => {
    // basic.get is refused on single-active-consumer queues: subscribe twice instead, which also
    // shows that only one consumer is active.
    const received: string[] = [];
    const first = await channel.consume(
      resultQueueName(prefix, 2),
      (m) => m && received.push(`first:${m.content.toString()}`),
      { noAck: true },
    );
    const second = await channel.consume(
      resultQueueName(prefix, 2),
      (m) => m && received.push(`second:${m.content.toString()}`),
      { noAck: true },
    );
    for (const r of [1, 2, 3])
      channel.publish(resultsExchangeName(prefix), resultRoutingKey(2), Buffer.from(`{"r":${r}}`));
    const deadline = Date.now() + 20_000;
    while (received.length < 3 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toEqual(['first:{"r":1}', 'first:{"r":2}', 'first:{"r":3}']);
    await channel.cancel(first.consumerTag);
    await channel.cancel(second.consumerTag);

    channel.publish(tasksExchangeName(prefix), 'beta', Buffer.from('{"t":1}'));
    const task = await pollGet(taskQueueName(prefix, 'beta'), false);
    channel.nack(task, false, false);
    const dead = await pollGet(deadQueueName(prefix));
    expect(dead.content.toString()).toBe('{"t":1}');
  });
});

async function pollGet(queue: string, noAck = true) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const message = await channel.get(queue, { noAck });
    if (message !== false) return message;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no message on ${queue}`);
}
