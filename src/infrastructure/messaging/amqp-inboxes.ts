import type {
  InboundMessage,
  InboundOptions,
  InboundSubscription,
  ResultInbox,
  TaskInbox,
} from '../../application/ports/inbound-messages.js';
import type { ResultMessage, TaskMessage } from '../../application/ports/messages.js';
import type { AmqpConnection } from './amqp-connection.js';
import { withChannel } from './channels.js';
import { consume, consumeBatch } from './consumer.js';
import { traceparentHeader } from './message-headers.js';
import { declareTaskQueue, resultQueueName, taskQueueName, type QueueType } from './topology.js';

function traceparentOf(message: InboundMessage<unknown>): string | undefined {
  return traceparentHeader(message.headers);
}

/**
 * The result shards over RabbitMQ: quorum queues, so a failing batch goes back through the
 * broker's redelivery (see redelivery.ts).
 */
export class AmqpResultInbox implements ResultInbox {
  constructor(
    private readonly amqp: AmqpConnection,
    private readonly prefix: string,
  ) {}

  consumeShard(
    shard: number,
    options: InboundOptions<ResultMessage> & { maxBatch: number },
    handler: (batch: ReadonlyArray<InboundMessage<ResultMessage>>) => Promise<void>,
  ): InboundSubscription {
    return consumeBatch<ResultMessage>(
      this.amqp,
      { queue: resultQueueName(this.prefix, shard), redelivery: 'broker', ...options },
      handler,
    );
  }

  traceparentOf = traceparentOf;
}

/**
 * The task queues over RabbitMQ: classic (priorities) or quorum queues (SAGAFLOW_QUEUE_TYPE);
 * either way a failed delivery is re-published with its count, not requeued.
 */
export class AmqpTaskInbox implements TaskInbox {
  constructor(
    private readonly amqp: AmqpConnection,
    private readonly prefix: string,
    private readonly queueType: QueueType = 'classic',
  ) {}

  async whenReady(): Promise<void> {
    await this.amqp.whenReady();
  }

  queueName(taskType: string): string {
    return taskQueueName(this.prefix, taskType);
  }

  async consumeType(
    taskType: string,
    options: InboundOptions<TaskMessage>,
    handler: (message: InboundMessage<TaskMessage>) => Promise<void>,
  ): Promise<InboundSubscription> {
    const { prefix, queueType } = this;
    // The queue must exist before the consumer subscribes, on every (re)connect.
    await this.amqp.addSetup(async (model) => {
      await withChannel(model, (channel) => declareTaskQueue(channel, prefix, taskType, queueType));
    }).ready;
    return consume<TaskMessage>(
      this.amqp,
      { queue: taskQueueName(prefix, taskType), redelivery: 'republish', ...options },
      handler,
    );
  }

  traceparentOf = traceparentOf;
}
