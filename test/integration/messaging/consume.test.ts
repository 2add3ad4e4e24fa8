import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';

import { AmqpConnection } from '../../../src/infrastructure/messaging/amqp-connection.js';
import { ConfirmPublisher } from '../../../src/infrastructure/messaging/confirm-publisher.js';
import { consume, consumeBatch, type Delivery } from '../../../src/infrastructure/messaging/consumer.js';
import { headerNames } from '../../../src/infrastructure/messaging/message-headers.js';
import {
  deadQueueName,
  declareTopology,
  resultQueueName,
  resultRoutingKey,
  resultsExchangeName,
  taskQueueName,
  tasksExchangeName,
} from '../../../src/infrastructure/messaging/topology.js';
import { waitFor, deleteTopology } from '../support/amqp.js';

const url = 'amqp://guest:guest@127.0.0.1:5672';
const prefix = `sftest_${process.env.JEST_WORKER_ID ?? '0'}_${randomUUID().slice(0, 8)}`;
// One queue per test, so tests cannot see each other's messages.
const taskTypes = ['roundtrip', 'garbage', 'invalid', 'poison', 'flaky', 'crash', 'cancel'];
const shardCount = 4;
const fastRetry = { failureDelayMs: () => 5 };

let connection: AmqpConnection;
let publisher: ConfirmPublisher;
let admin: ChannelModel;
let adminChannel: Channel;

/** Drains the dead queue into `into`; the dead queue is shared, so match messages by id. */
const deadLetters: GetMessage[] = [];
async function deadLetter(messageId: string): Promise<GetMessage> {
  let found: GetMessage | undefined;
  await waitFor(async () => {
    for (;;) {
      const message = await adminChannel.get(deadQueueName(prefix), { noAck: true });
      if (message === false) break;
      deadLetters.push(message);
    }
    found = deadLetters.find((message) => message.properties.messageId === messageId);
    return found !== undefined;
  }, `dead letter ${messageId}`);
  return found as GetMessage;
}

async function queueDepth(queue: string): Promise<number> {
  return (await adminChannel.checkQueue(queue)).messageCount;
}

beforeAll(async () => {
  connection = new AmqpConnection({ url });
  await connection.addSetup(async (model) => {
    const channel = await model.createChannel();
    await declareTopology(channel, { prefix, taskTypes, shardCount });
    await channel.close();
  }).ready;
  publisher = new ConfirmPublisher(connection);
  await publisher.start();
  admin = await connect(url);
  adminChannel = await admin.createChannel();
});

afterAll(async () => {
  await publisher.close();
  await connection.close();
  await deleteTopology(adminChannel, prefix, taskTypes, shardCount);
  await admin.close();
});

describe('ConfirmPublisher + consume', () => {
  it('round-trips a confirmed message with its headers and acks it', async () => {
    const received: Array<Delivery<{ n: number }>> = [];
    const consumer = consume<{ n: number }>(
      connection,
      { queue: taskQueueName(prefix, 'roundtrip'), prefetch: 8, redelivery: 'republish' },
      async (delivery) => {
        received.push(delivery);
      },
    );
    await consumer.ready;
    const runId = randomUUID();
    await publisher.publish(
      tasksExchangeName(prefix),
      'roundtrip',
      { n: 1 },
      {
        messageId: 'msg-1',
        priority: 7,
        runId,
        taskKey: 'a',
        attempt: 2,
        kind: 'task',
        idempotencyKey: `${runId}:a:2`,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    );
    // Pipelined: many outstanding at once, all confirmed.
    await publisher.publishBatch(
      Array.from({ length: 500 }, (_, i) => ({
        exchange: tasksExchangeName(prefix),
        routingKey: 'roundtrip',
        body: { n: i + 2 },
      })),
    );
    await waitFor(() => received.length === 501, '501 deliveries');
    const first = received.find((delivery) => delivery.messageId === 'msg-1');
    expect(first?.body).toEqual({ n: 1 });
    expect(first?.priority).toBe(7);
    expect(first?.previousFailures).toBe(0);
    expect(first?.message.properties.contentType).toBe('application/json');
    expect(first?.message.properties.deliveryMode).toBe(2);
    expect(first?.headers).toMatchObject({
      [headerNames.runId]: runId,
      [headerNames.taskKey]: 'a',
      [headerNames.attempt]: 2,
      [headerNames.kind]: 'task',
      [headerNames.idempotencyKey]: `${runId}:a:2`,
      [headerNames.traceparent]: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    await consumer.cancel();
    // Everything was acked: nothing came back to the queue when the channel closed.
    expect(await queueDepth(taskQueueName(prefix, 'roundtrip'))).toBe(0);
  });

  it('dead-letters a message that is not JSON without calling the handler', async () => {
    let calls = 0;
    const consumer = consume(
      connection,
      { queue: taskQueueName(prefix, 'garbage'), prefetch: 4, redelivery: 'republish' },
      async () => {
        calls += 1;
      },
    );
    await consumer.ready;
    await publisher.publish(tasksExchangeName(prefix), 'garbage', Buffer.from('{not json'), {
      messageId: 'garbage-1',
    });
    const dead = await deadLetter('garbage-1');
    expect(dead.content.toString()).toBe('{not json');
    expect(calls).toBe(0);
    await consumer.cancel();
  });

  it('dead-letters a message that fails the caller-supplied validation', async () => {
    const consumer = consume<{ ok: true }>(
      connection,
      {
        queue: taskQueueName(prefix, 'invalid'),
        prefetch: 4,
        redelivery: 'republish',
        decode: (value) => {
          if (typeof value === 'object' && value !== null && 'ok' in value) return value as { ok: true };
          throw new Error('not a valid message');
        },
      },
      async () => undefined,
    );
    await consumer.ready;
    await publisher.publish(tasksExchangeName(prefix), 'invalid', { wrong: 1 }, { messageId: 'invalid-1' });
    await deadLetter('invalid-1');
    await consumer.cancel();
  });

  it('dead-letters a task whose handler keeps throwing after maxAttempts, counting in a header', async () => {
    let calls = 0;
    const consumer = consume(
      connection,
      {
        queue: taskQueueName(prefix, 'poison'),
        prefetch: 4,
        redelivery: 'republish',
        maxAttempts: 3,
        ...fastRetry,
      },
      async () => {
        calls += 1;
        throw new Error('boom');
      },
    );
    await consumer.ready;
    await publisher.publish(
      tasksExchangeName(prefix),
      'poison',
      { p: 1 },
      { messageId: 'poison-1', priority: 3 },
    );
    const dead = await deadLetter('poison-1');
    expect(calls).toBe(3);
    expect(dead.properties.headers?.[headerNames.failures]).toBe(2);
    expect(dead.properties.priority).toBe(3);
    await consumer.cancel();
    expect(calls).toBe(3);
    expect(await queueDepth(taskQueueName(prefix, 'poison'))).toBe(0);
  });

  it('retries a task whose handler fails once, and then acks it', async () => {
    const seen: number[] = [];
    const consumer = consume(
      connection,
      { queue: taskQueueName(prefix, 'flaky'), prefetch: 4, redelivery: 'republish', ...fastRetry },
      async (delivery) => {
        seen.push(delivery.previousFailures);
        if (delivery.previousFailures === 0) throw new Error('transient');
      },
    );
    await consumer.ready;
    await publisher.publish(tasksExchangeName(prefix), 'flaky', { f: 1 }, { messageId: 'flaky-1' });
    await waitFor(() => seen.length === 2, 'the retry');
    await consumer.cancel();
    expect(seen).toEqual([0, 1]);
    expect(await queueDepth(taskQueueName(prefix, 'flaky'))).toBe(0);
  });

  it('counts a delivery that came back unsettled (its consumer died) as a failure', async () => {
    const queue = taskQueueName(prefix, 'crash');
    // A "worker" that takes the message and dies without settling it.
    const doomed = await connect(url);
    const doomedChannel = await doomed.createChannel();
    await doomedChannel.prefetch(1);
    let taken = false;
    await doomedChannel.consume(queue, () => {
      taken = true;
    });
    await publisher.publish(tasksExchangeName(prefix), 'crash', { c: 1 }, { messageId: 'crash-1' });
    await waitFor(() => taken, 'the doomed consumer to take the message');
    await doomed.close();

    const seen: Array<Delivery<unknown>> = [];
    const consumer = consume(
      connection,
      { queue, prefetch: 4, redelivery: 'republish' },
      async (delivery) => {
        seen.push(delivery);
      },
    );
    await waitFor(() => seen.length === 1, 'the re-published message');
    expect(seen[0]?.messageId).toBe('crash-1');
    expect(seen[0]?.previousFailures).toBe(1);
    expect(seen[0]?.redelivered).toBe(false);
    await consumer.cancel();
    expect(await queueDepth(queue)).toBe(0);
  });

  it('dead-letters a result whose handler keeps throwing, using the quorum delivery count', async () => {
    const runId = randomUUID();
    let calls = 0;
    const consumer = consume(
      connection,
      { queue: resultQueueName(prefix, 0), prefetch: 4, redelivery: 'broker', maxAttempts: 3, ...fastRetry },
      async () => {
        calls += 1;
        throw new Error('boom');
      },
    );
    await consumer.ready;
    await publisher.publish(
      resultsExchangeName(prefix),
      resultRoutingKey(0),
      { runId },
      { messageId: 'result-poison' },
    );
    await deadLetter('result-poison');
    expect(calls).toBe(3);
    await consumer.cancel();
  });

  it('batch-consumes what has arrived and acks every batch', async () => {
    const queue = resultQueueName(prefix, 1);
    // Published before subscribing, so batches fill from what has already arrived.
    await publisher.publishBatch(
      Array.from({ length: 300 }, (_, i) => ({
        exchange: resultsExchangeName(prefix),
        routingKey: resultRoutingKey(1),
        body: { i },
      })),
    );
    const batches: number[][] = [];
    let failOnce = true;
    const consumer = consumeBatch<{ i: number }>(
      connection,
      { queue, prefetch: 64, maxBatch: 32, redelivery: 'broker', ...fastRetry },
      async (deliveries) => {
        // The first batch fails once: it must come back, in order, and nothing may be dead-lettered.
        if (failOnce) {
          failOnce = false;
          throw new Error('database unavailable');
        }
        batches.push(deliveries.map((delivery) => delivery.body.i));
      },
    );
    await waitFor(() => batches.flat().length >= 300, 'all 300 results');
    await consumer.cancel();
    const all = batches.flat();
    expect(all).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(32);
    expect(batches.some((batch) => batch.length > 1)).toBe(true);
    // Per-batch acks covered everything: nothing returns to the queue once the channel is closed.
    await waitFor(async () => (await queueDepth(queue)) === 0, 'an empty shard queue');
  });

  it('isolates a poison message in a failing batch and dead-letters only that one', async () => {
    const queue = resultQueueName(prefix, 3);
    await publisher.publishBatch(
      Array.from({ length: 10 }, (_, i) => ({
        exchange: resultsExchangeName(prefix),
        routingKey: resultRoutingKey(3),
        body: { i },
        options: { messageId: `batch-${i}` },
      })),
    );
    const applied: number[] = [];
    const consumer = consumeBatch<{ i: number }>(
      connection,
      { queue, prefetch: 16, maxBatch: 16, redelivery: 'broker', maxAttempts: 2, ...fastRetry },
      async (deliveries) => {
        if (deliveries.some((delivery) => delivery.body.i === 5)) throw new Error('poison');
        applied.push(...deliveries.map((delivery) => delivery.body.i));
      },
    );
    await deadLetter('batch-5');
    await waitFor(() => applied.length === 9, 'the nine good messages');
    expect(applied).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9]);
    await consumer.cancel();
    expect(await queueDepth(queue)).toBe(0);
  });

  it('cancel() stops one consumer and lets another take over the shard', async () => {
    const queue = resultQueueName(prefix, 2);
    const byFirst: number[] = [];
    const bySecond: number[] = [];
    const first = consumeBatch<{ i: number }>(
      connection,
      { queue, prefetch: 16, maxBatch: 16, redelivery: 'broker' },
      async (deliveries) => {
        byFirst.push(...deliveries.map((delivery) => delivery.body.i));
      },
    );
    await first.ready;
    const second = consumeBatch<{ i: number }>(
      connection,
      { queue, prefetch: 16, maxBatch: 16, redelivery: 'broker' },
      async (deliveries) => {
        bySecond.push(...deliveries.map((delivery) => delivery.body.i));
      },
    );
    await second.ready;
    const send = (i: number) => publisher.publish(resultsExchangeName(prefix), resultRoutingKey(2), { i });
    await send(1);
    await waitFor(() => byFirst.length === 1, 'the active consumer');
    await first.cancel();
    await send(2);
    await waitFor(() => bySecond.length === 1, 'the standby consumer after the cancel');
    expect(byFirst).toEqual([1]);
    expect(bySecond).toEqual([2]);
    await second.cancel();
  });
});
