import type { Channel, ChannelModel } from 'amqplib';
import { Gauge, type Registry } from 'prom-client';
import type { AmqpConnection } from '../messaging/amqp-connection.js';
import { scrapeSample } from './scrape-sample.js';

interface QueueState {
  messages: number;
  consumers: number;
}

/**
 * Depth and consumers of Sagaflow's queues, asked of the broker at scrape time (`checkQueue` on a
 * throwaway channel; nothing is declared). A queue that does not exist yet (a task type no one
 * has published or consumed) has no series. With the broker unreachable there are no series at all.
 */
export class QueueMetrics {
  constructor(registry: Registry, amqp: AmqpConnection, queueNames: () => Promise<string[]>) {
    const registers = [registry];
    const sample = scrapeSample(async () => {
      const model = amqp.isReady() ? amqp.currentModel() : undefined;
      return model ? checkQueues(model, await queueNames()) : new Map<string, QueueState>();
    });
    const collectInto = (gauge: Gauge<'queue'>, pick: (state: QueueState) => number) =>
      sample().then(
        (states) => {
          gauge.reset();
          for (const [queue, state] of states) gauge.set({ queue }, pick(state));
        },
        () => gauge.reset(),
      );
    new Gauge({
      name: 'sagaflow_queue_messages',
      help: 'Messages ready in a task queue, result shard or the dead-letter queue (not counting unacked ones)',
      labelNames: ['queue'],
      registers,
      collect() {
        return collectInto(this, (s) => s.messages);
      },
    });
    new Gauge({
      name: 'sagaflow_queue_consumers',
      help: 'Consumers attached to a task queue, result shard or the dead-letter queue',
      labelNames: ['queue'],
      registers,
      collect() {
        return collectInto(this, (s) => s.consumers);
      },
    });
  }
}

/** A missing queue closes the channel (404), so the next check gets a new one. */
async function checkQueues(model: ChannelModel, names: readonly string[]): Promise<Map<string, QueueState>> {
  const states = new Map<string, QueueState>();
  let channel: Channel | null = null;
  try {
    for (const name of names) {
      channel ??= await openChannel(model);
      try {
        const ok = await channel.checkQueue(name);
        states.set(name, { messages: ok.messageCount, consumers: ok.consumerCount });
      } catch {
        channel = null;
      }
    }
  } finally {
    await channel?.close().catch(() => undefined);
  }
  return states;
}

async function openChannel(model: ChannelModel): Promise<Channel> {
  const channel = await model.createChannel();
  // The broker closes the channel on a missing queue; that is expected here, not an error.
  channel.on('error', () => undefined);
  return channel;
}
