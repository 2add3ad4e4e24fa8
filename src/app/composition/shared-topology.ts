import type { SetupFn } from '../../infrastructure/messaging/amqp-connection.js';
import { withChannel } from '../../infrastructure/messaging/channels.js';
import {
  declareDeadLetter,
  declareResultShards,
  tasksExchangeName,
  type QueueType,
} from '../../infrastructure/messaging/topology.js';

/**
 * What every process declares on each (re)connect before its roles use the broker: the dead
 * letter exchange and queue, the result shards and the tasks exchange (docs/contract.md#topology).
 */
export function sharedTopology(prefix: string, shardCount: number, queueType: QueueType): SetupFn {
  return (model) =>
    withChannel(model, async (channel) => {
      await declareDeadLetter(channel, prefix, queueType);
      await declareResultShards(channel, prefix, shardCount);
      await channel.assertExchange(tasksExchangeName(prefix), 'direct', { durable: true });
    });
}
