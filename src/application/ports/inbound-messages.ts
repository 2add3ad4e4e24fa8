import type { AppLogger } from './logger.js';
import type { ExecutionKind, ResultMessage, TaskMessage } from './messages.js';

/**
 * The queues the orchestrator and worker roles consume and the results they publish,
 * implemented over RabbitMQ in src/infrastructure/messaging (bound in src/app/composition).
 */

/** A received message as a role sees it: its parsed body and the headers it came with. */
export interface InboundMessage<T> {
  readonly body: T;
  readonly headers: Readonly<Record<string, unknown>>;
}

/** A running subscription to one queue, rebuilt by the adapter after every reconnect. */
export interface InboundSubscription {
  /** Resolves once subscribed (on the current connection). */
  readonly ready: Promise<void>;
  /**
   * Stops consuming; in-flight messages settle first — for at most `graceMs` when given, after
   * which the channel closes and what is still unsettled goes back to the queue.
   */
  cancel(options?: { graceMs?: number }): Promise<void>;
}

export interface InboundOptions<T> {
  /** Unacked messages held at once; also the handler concurrency of a single-message consumer. */
  prefetch: number;
  /** Validates the parsed JSON; a throw dead-letters the message. */
  decode: (value: unknown) => T;
  /** Handler attempts before a message is dead-lettered (the adapter's default if absent). */
  maxAttempts?: number;
  logger: AppLogger;
}

/** The result shards: what the orchestrator role applies. */
export interface ResultInbox {
  /**
   * Consumes one shard in batches of up to `maxBatch`, one after another, so a shard's results
   * are applied in queue order; a failing batch is retried in place.
   */
  consumeShard(
    shard: number,
    options: InboundOptions<ResultMessage> & { maxBatch: number },
    handler: (batch: ReadonlyArray<InboundMessage<ResultMessage>>) => Promise<void>,
  ): InboundSubscription;
  /** The W3C `traceparent` a received message carries, if any (tracing on only). */
  traceparentOf(message: InboundMessage<unknown>): string | undefined;
}

/** The task queues, one per task type: what the worker role executes. */
export interface TaskInbox {
  /** Resolves once the broker connection is up with the shared topology declared. */
  whenReady(): Promise<void>;
  queueName(taskType: string): string;
  /**
   * Declares the task type's queue (on every reconnect, before subscribing) and consumes it, one
   * handler call per message; resolves once the queue is declared.
   */
  consumeType(
    taskType: string,
    options: InboundOptions<TaskMessage>,
    handler: (message: InboundMessage<TaskMessage>) => Promise<void>,
  ): Promise<InboundSubscription>;
  /** The W3C `traceparent` a received message carries, if any (tracing on only). */
  traceparentOf(message: InboundMessage<unknown>): string | undefined;
}

/** The per-message facts published with a message (as headers, visible without the body). */
export interface OutboundMeta {
  messageId?: string;
  runId?: string;
  taskKey?: string;
  attempt?: number;
  kind?: ExecutionKind;
  traceparent?: string;
}

/** Publishes one message and resolves once the broker confirmed it. */
export interface ConfirmedPublisher {
  publish(exchange: string, routingKey: string, body: object, meta?: OutboundMeta): Promise<void>;
}

/**
 * Thrown by a message handler for a message no retry can cure: the consumer dead-letters it at
 * once instead of retrying it, and a batch holding it is split so the others still go through
 * (docs/contract.md#poison-messages-and-dead-letters).
 */
export class UnprocessableMessageError extends Error {
  override readonly name = 'UnprocessableMessageError';
}
