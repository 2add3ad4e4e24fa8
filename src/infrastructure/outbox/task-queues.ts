import type { ChannelModel } from 'amqplib';
import type { AmqpConnection } from '../messaging/amqp-connection.js';
import { withChannel } from '../messaging/channels.js';
import { declareTaskQueue, type QueueType } from '../messaging/topology.js';

/**
 * Declares `<prefix>.tasks.<type>` before the first publish of a type on each connection: a
 * message sent to an exchange with no bound queue is confirmed and silently dropped, and a
 * run may reach a type before any worker for it has started.
 */
export class TaskQueueDeclarer {
  private declared = new WeakMap<ChannelModel, Map<string, Promise<void>>>();

  constructor(
    private readonly connection: AmqpConnection,
    private readonly prefix: string,
    private readonly queueType: QueueType = 'classic',
  ) {}

  async ensure(types: Iterable<string>): Promise<void> {
    const model = await this.connection.whenReady();
    let known = this.declared.get(model);
    if (!known) {
      known = new Map();
      this.declared.set(model, known);
    }
    const waits: Promise<void>[] = [];
    for (const type of types) {
      let pending = known.get(type);
      if (!pending) {
        pending = this.declare(model, type);
        known.set(type, pending);
        pending.catch(() => known.delete(type));
      }
      waits.push(pending);
    }
    await Promise.all(waits);
  }

  private async declare(model: ChannelModel, type: string): Promise<void> {
    await withChannel(model, (channel) => declareTaskQueue(channel, this.prefix, type, this.queueType));
  }
}
