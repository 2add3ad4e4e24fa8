import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type ChannelModel } from 'amqplib';

import { AmqpConnection } from '../../../src/infrastructure/messaging/amqp-connection.js';
import { ConfirmPublisher } from '../../../src/infrastructure/messaging/confirm-publisher.js';
import { consume, consumeBatch } from '../../../src/infrastructure/messaging/consumer.js';
import {
  declareTaskQueue,
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
const taskTypes = ['work', 'ephemeral'];
const shardCount = 1;
const quickBackoff = { initialMs: 20, maxMs: 200 };

let admin: ChannelModel;

beforeAll(async () => {
  admin = await connect(url);
});

afterAll(async () => {
  const channel = await admin.createChannel();
  await deleteTopology(channel, prefix, taskTypes, shardCount);
  await admin.close();
});

describe('AmqpConnection', () => {
  it('re-runs setups after the connection drops, and publishing and consuming carry on', async () => {
    const connection = new AmqpConnection({ url, backoff: quickBackoff });
    let setups = 0;
    await connection.addSetup(async (model) => {
      setups += 1;
      const channel = await model.createChannel();
      await declareTopology(channel, { prefix, taskTypes, shardCount });
      await channel.close();
    }).ready;
    const publisher = new ConfirmPublisher(connection);
    await publisher.start();
    const tasks: number[] = [];
    const taskConsumer = consume<{ n: number }>(
      connection,
      { queue: taskQueueName(prefix, 'work'), prefetch: 8, redelivery: 'republish' },
      async (delivery) => {
        tasks.push(delivery.body.n);
      },
    );
    const results: number[] = [];
    const resultConsumer = consumeBatch<{ n: number }>(
      connection,
      { queue: resultQueueName(prefix, 0), prefetch: 32, maxBatch: 16, redelivery: 'broker' },
      async (deliveries) => {
        results.push(...deliveries.map((delivery) => delivery.body.n));
      },
    );
    await Promise.all([taskConsumer.ready, resultConsumer.ready]);
    const model = await connection.whenReady();
    expect(connection.isReady()).toBe(true);

    await publisher.publish(tasksExchangeName(prefix), 'work', { n: 1 });
    await publisher.publish(resultsExchangeName(prefix), resultRoutingKey(0), { n: 1 });
    await waitFor(() => tasks.includes(1) && results.includes(1), 'the messages sent before the drop');

    // Close the underlying connection behind the wrapper's back, as a broker restart would.
    await model.close();
    expect(connection.isReady()).toBe(false);
    const reconnected = await connection.whenReady();
    expect(reconnected).not.toBe(model);
    expect(setups).toBe(2);

    await publisher.publish(tasksExchangeName(prefix), 'work', { n: 2 });
    await publisher.publish(resultsExchangeName(prefix), resultRoutingKey(0), { n: 2 });
    await waitFor(() => tasks.includes(2) && results.includes(2), 'the messages sent after the reconnect');

    await taskConsumer.cancel();
    await resultConsumer.cancel();
    await publisher.close();
    await connection.close();
    await connection.close();
    expect(connection.isReady()).toBe(false);
    await expect(connection.whenReady()).rejects.toThrow('closed');
  });

  it('rebuilds the publisher channel after a channel-level error while the connection stays up', async () => {
    const connection = new AmqpConnection({ url, backoff: quickBackoff });
    await connection.addSetup(async (model) => {
      const channel = await model.createChannel();
      await declareTopology(channel, { prefix, taskTypes, shardCount });
      await channel.close();
    }).ready;
    const publisher = new ConfirmPublisher(connection);
    await publisher.start();
    const seen: number[] = [];
    const consumer = consume<{ n: number }>(
      connection,
      { queue: taskQueueName(prefix, 'work'), prefetch: 4, redelivery: 'republish' },
      async (delivery) => {
        seen.push(delivery.body.n);
      },
    );
    await consumer.ready;
    // Publishing to a missing exchange makes the broker close the publisher's channel (404);
    // the unconfirmed publish rejects and the connection itself stays up.
    const model = connection.currentModel();
    await expect(publisher.publish(`${prefix}.missing`, 'x', { n: 0 })).rejects.toThrow();
    await publisher.publish(tasksExchangeName(prefix), 'work', { n: 3 });
    await waitFor(() => seen.includes(3), 'delivery through the rebuilt publisher channel');
    expect(connection.currentModel()).toBe(model);
    await consumer.cancel();
    await publisher.close();
    await connection.close();
  });

  it('resubscribes a consumer that the broker cancelled, once its queue is back', async () => {
    const connection = new AmqpConnection({ url, backoff: quickBackoff });
    const channel = await admin.createChannel();
    const queue = await declareTaskQueue(channel, prefix, 'ephemeral');
    const seen: number[] = [];
    const consumer = consume<{ n: number }>(
      connection,
      { queue, prefetch: 4, redelivery: 'republish' },
      async (delivery) => {
        seen.push(delivery.body.n);
      },
    );
    await consumer.ready;
    // Deleting the queue cancels the subscription; resubscribing fails until it is declared again.
    await channel.deleteQueue(queue);
    await waitFor(() => !connection.isReady(), 'the consumer to notice the cancellation');
    await declareTaskQueue(channel, prefix, 'ephemeral');
    await waitFor(() => connection.isReady(), 'the consumer to resubscribe');
    channel.sendToQueue(queue, Buffer.from(JSON.stringify({ n: 4 })));
    await waitFor(() => seen.includes(4), 'delivery to the resubscribed consumer');
    await consumer.cancel();
    await connection.close();
    await channel.close();
  });

  it("connects to the next of a cluster's nodes when one is unreachable", async () => {
    // Port 1 refuses: the node is down. The connection must go on to the one that answers.
    const connection = new AmqpConnection({
      url: `amqp://guest:guest@127.0.0.1:1,${url}`,
      backoff: quickBackoff,
    });
    try {
      const model = await connection.whenReady();
      const channel = await model.createChannel();
      await channel.checkExchange('amq.direct');
      await channel.close();
    } finally {
      await connection.close();
    }
  });

  it('keeps retrying with backoff while the broker is unreachable, and close() stops it', async () => {
    const connection = new AmqpConnection({ url: 'amqp://guest:guest@127.0.0.1:1', backoff: quickBackoff });
    let setups = 0;
    const registration = connection.addSetup(async () => {
      setups += 1;
    });
    const ready = connection.whenReady();
    await sleep(100);
    expect(connection.isReady()).toBe(false);
    await connection.close();
    await expect(ready).rejects.toThrow('closed');
    await expect(registration.ready).rejects.toThrow('closed');
    expect(setups).toBe(0);
  });
});
