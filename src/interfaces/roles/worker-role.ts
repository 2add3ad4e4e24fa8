import type { TaskMessage, ResultMessage } from '../../application/ports/messages.js';
import { consume, type QueueConsumer } from '../../infrastructure/messaging/consumer.js';
import { withChannel } from '../../infrastructure/messaging/channels.js';
import { declareTaskQueue, taskQueueName } from '../../infrastructure/messaging/topology.js';
import type { SagaflowRuntime } from '../../infrastructure/runtime/sagaflow-runtime.js';
import { createDefaultRegistry, type HandlerRegistry } from '../worker/handler-registry.js';
import { loadHandlerModules, parseHandlerSpecifiers } from '../worker/handlers/handler-modules.js';
import { TaskExecutor } from '../worker/task-executor.js';

const PREFETCH_PER_TYPE = 64;

/**
 * The worker role: consumes the queue of every task type it has a handler for, runs the
 * handler, publishes the result (confirmed) to the run's shard and only then acks the task.
 * A worker that dies mid-task leaves it unacked, so the broker hands it to another worker.
 */
export class WorkerRole {
  private readonly consumers: QueueConsumer<TaskMessage>[] = [];

  constructor(
    private readonly runtime: SagaflowRuntime,
    readonly registry: HandlerRegistry = createDefaultRegistry({
      http: { allow: runtime.config.httpAllow.join(',') },
      observeHttpBreakers: (open) => runtime.metrics.breakers.track('http', open),
    }),
  ) {}

  async start(): Promise<void> {
    await loadHandlerModules(this.registry, parseHandlerSpecifiers(process.env.SAGAFLOW_HANDLERS));
    const executor = new TaskExecutor({ registry: this.registry });
    const prefix = this.runtime.config.amqpPrefix;
    await this.runtime.amqp.whenReady();
    for (const type of this.registry.types()) {
      // The queue must exist before the consumer subscribes, on every (re)connect.
      await this.runtime.amqp.addSetup(async (model) => {
        await withChannel(model, (channel) => declareTaskQueue(channel, prefix, type));
      }).ready;
      const consumer = consume<TaskMessage>(
        this.runtime.amqp,
        {
          queue: taskQueueName(prefix, type),
          prefetch: PREFETCH_PER_TYPE,
          redelivery: 'republish',
          decode: decodeTaskMessage,
          logger: this.runtime.logger,
        },
        async (delivery) => {
          const result = await executor.execute(delivery.body, {
            onStarted: (report) => this.publish(report),
          });
          await this.publish(result);
        },
      );
      this.consumers.push(consumer);
      await consumer.ready;
    }
  }

  private publish(result: ResultMessage): Promise<void> {
    const { routing } = this.runtime;
    return this.runtime.publisher.publish(
      routing.resultExchange,
      routing.resultRoutingKey(result.runId),
      result,
      {
        messageId: `${result.runId}:${result.taskKey}:${result.kind}:${result.attempt}:${result.outcome}`,
        runId: result.runId,
        taskKey: result.taskKey,
        attempt: result.attempt,
        kind: result.kind,
      },
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.cancel()));
    await this.registry.close();
  }
}

function decodeTaskMessage(value: unknown): TaskMessage {
  const m = value as Partial<TaskMessage> | null;
  if (
    typeof m !== 'object' ||
    m === null ||
    typeof m.runId !== 'string' ||
    typeof m.taskKey !== 'string' ||
    (m.kind !== 'task' && m.kind !== 'compensation') ||
    !Number.isInteger(m.attempt) ||
    typeof m.type !== 'string' ||
    typeof m.idempotencyKey !== 'string'
  ) {
    throw new Error('not a task message');
  }
  return m as TaskMessage;
}
