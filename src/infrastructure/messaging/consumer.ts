import type { ChannelModel, ConsumeMessage } from 'amqplib';

import type { AmqpConnection, SetupRegistration } from './amqp-connection.js';
import { enqueueBatchItem, type BatchMode } from './consumer-batches.js';
import {
  closeQuietly,
  idle,
  idleWithin,
  type BufferedItem,
  type ConsumerPolicy,
  type ConsumerSession,
} from './consumer-session.js';
import { deadLetter, dispatchSingle } from './consumer-settlement.js';
import { decodeDelivery, type Decoder, type Delivery } from './delivery.js';
import { describeError, silentLogger, type MessagingLogger } from './logger.js';
import {
  defaultFailureDelayMs,
  defaultMaxAttempts,
  isUnsettledRedelivery,
  recordedFailures,
  type RedeliveryMode,
} from './redelivery.js';

export type { Decoder, Delivery } from './delivery.js';
export type { RedeliveryMode } from './redelivery.js';

export interface ConsumeOptions<T> {
  queue: string;
  /** Unacked deliveries the broker may push to this consumer; also its handler concurrency. */
  prefetch: number;
  /** `republish` for classic queues (task queues), `broker` for quorum queues (result shards). See redelivery.ts. */
  redelivery: RedeliveryMode;
  /** Validates the parsed JSON; a throw dead-letters the message. Defaults to no validation. */
  decode?: Decoder<T>;
  /** Handler attempts before a message is dead-lettered. */
  maxAttempts?: number;
  /** Hold time before a failed message goes back; default 100 ms doubling to 5 s. */
  failureDelayMs?: (failures: number) => number;
  exclusive?: boolean;
  logger?: MessagingLogger;
}

export interface BatchConsumeOptions<T> extends ConsumeOptions<T> {
  /** Largest batch handed to the handler; keep `prefetch` ≥ this. */
  maxBatch: number;
}

export type MessageHandler<T> = (delivery: Delivery<T>) => Promise<void>;
export type BatchHandler<T> = (deliveries: ReadonlyArray<Delivery<T>>) => Promise<void>;

/** Consumes `options.queue`, one handler call per message, up to `prefetch` at once. */
export function consume<T = unknown>(
  connection: AmqpConnection,
  options: ConsumeOptions<T>,
  handler: MessageHandler<T>,
): QueueConsumer<T> {
  const consumer = new QueueConsumer<T>(connection, options, { kind: 'single', handler });
  consumer.start();
  return consumer;
}

/**
 * Consumes `options.queue` in batches: whatever has arrived (up to `maxBatch`) is handed over
 * at once — no waiting for a batch to fill beyond one turn of the event loop — and the batch
 * is acked with one `ack(last, allUpTo=true)`. That ack covers every outstanding delivery on
 * the channel, which is why each consumer owns its channel. Batches run one after another,
 * so a shard's results are applied in queue order; a failing batch is retried in place (not
 * requeued) so that order survives failures too.
 */
export function consumeBatch<T = unknown>(
  connection: AmqpConnection,
  options: BatchConsumeOptions<T>,
  handler: BatchHandler<T>,
): QueueConsumer<T> {
  const consumer = new QueueConsumer<T>(connection, options, {
    kind: 'batch',
    handler,
    maxBatch: Math.max(1, options.maxBatch),
  });
  consumer.start();
  return consumer;
}

type Mode<T> = { kind: 'single'; handler: MessageHandler<T> } | ({ kind: 'batch' } & BatchMode<T>);

/**
 * A consumer with manual acks on its own confirm channel (confirms are needed to re-publish
 * failed messages safely, see redelivery.ts), rebuilt after every reconnect. Settles every
 * message exactly once per channel and never on a channel other than the one it came on.
 * This class owns the session lifecycle; the single-message path and the failure policy live
 * in consumer-settlement.ts, the batch loop in consumer-batches.ts.
 */
export class QueueConsumer<T> {
  private readonly logger: MessagingLogger;
  private readonly policy: ConsumerPolicy;
  private readonly decode: Decoder<T>;
  private registration: SetupRegistration | undefined;
  private session: ConsumerSession<T> | undefined;
  private cancelling: Promise<void> | undefined;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: ConsumeOptions<T>,
    private readonly mode: Mode<T>,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.policy = {
      queue: options.queue,
      redelivery: options.redelivery,
      maxAttempts: Math.max(1, options.maxAttempts ?? defaultMaxAttempts),
      failureDelayMs: options.failureDelayMs ?? defaultFailureDelayMs,
      logger: this.logger,
    };
    this.decode = options.decode ?? ((value: unknown) => value as T);
  }

  /** Resolves once the consumer is subscribed (on the current connection). */
  get ready(): Promise<void> {
    return this.registration?.ready ?? Promise.reject(new Error('consumer not started'));
  }

  get queue(): string {
    return this.options.queue;
  }

  start(): void {
    this.registration ??= this.connection.addSetup((model) => this.openSession(model));
  }

  /**
   * Stops consuming: cancels the subscription (so single-active-consumer hands the queue to the
   * next consumer), lets handlers already running finish and settle, then closes the channel —
   * which returns anything prefetched but not started to the queue. With `graceMs`, handlers
   * get that long; the channel then closes under the ones still running, so their messages go
   * back to the queue unsettled too. Idempotent.
   */
  cancel(options: { graceMs?: number } = {}): Promise<void> {
    this.cancelling ??= this.doCancel(options.graceMs);
    return this.cancelling;
  }

  private async doCancel(graceMs: number | undefined): Promise<void> {
    this.registration?.remove();
    const session = this.session;
    this.session = undefined;
    if (session === undefined) return;
    try {
      await session.channel.cancel(session.consumerTag);
    } catch (error) {
      this.logger.warn(`cancel of consumer on ${this.options.queue}: ${describeError(error)}`);
    }
    session.abort.abort();
    await (graceMs === undefined ? idle(session) : idleWithin(session, graceMs));
    await closeQuietly(session);
  }

  private async openSession(model: ChannelModel): Promise<void> {
    if (this.cancelling !== undefined) return;
    const previous = this.session;
    this.session = undefined;
    // A rerun after the broker cancelled us leaves the old channel open: release it.
    if (previous !== undefined) await closeQuietly(previous);
    const channel = await model.createConfirmChannel();
    const session: ConsumerSession<T> = {
      channel,
      consumerTag: '',
      open: true,
      inFlight: new Set(),
      buffer: [],
      batchLoop: undefined,
      abort: new AbortController(),
    };
    channel.on('error', (error: Error) =>
      this.logger.error(`consumer channel on ${this.options.queue}: ${error.message}`),
    );
    channel.on('close', () => {
      session.open = false;
      session.abort.abort();
      if (this.session !== session) return;
      this.session = undefined;
      // The channel died while the connection lives (e.g. a 406): rebuild just this consumer.
      if (this.cancelling === undefined && this.connection.currentModel() === model)
        this.registration?.rerun();
    });
    await channel.prefetch(this.options.prefetch);
    const reply = await channel.consume(this.options.queue, (message) => this.onMessage(session, message), {
      noAck: false,
      exclusive: this.options.exclusive ?? false,
    });
    session.consumerTag = reply.consumerTag;
    if (this.cancelling !== undefined) {
      await closeQuietly(session);
      return;
    }
    this.session = session;
  }

  private onMessage(session: ConsumerSession<T>, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled us (queue deleted, or a failover): resubscribe unless we are stopping.
      if (this.cancelling === undefined && this.session === session) {
        this.logger.warn(`consumer on ${this.options.queue} cancelled by the broker; resubscribing`);
        this.registration?.rerun();
      }
      return;
    }
    const mode = this.options.redelivery;
    if (isUnsettledRedelivery(message, mode)) {
      this.deliver(session, { kind: 'recount', message });
      return;
    }
    let delivery: Delivery<T>;
    try {
      delivery = decodeDelivery(message, this.decode, recordedFailures(message, mode));
    } catch (error) {
      // Settling at once is safe in batch mode too: every batch ack to come has a higher tag.
      deadLetter(session, this.policy, message, `cannot be decoded (${describeError(error)})`);
      return;
    }
    this.deliver(session, { kind: 'deliver', delivery });
  }

  /**
   * In batch mode everything that settles asynchronously goes through the batch loop, in
   * arrival order: settling message n after a batch ack(allUpTo) of a later tag would settle
   * an already-acked tag, and the broker closes the channel for that (406).
   */
  private deliver(session: ConsumerSession<T>, item: BufferedItem<T>): void {
    if (this.mode.kind === 'batch') enqueueBatchItem(session, this.policy, this.mode, item);
    else dispatchSingle(session, this.policy, item, this.mode.handler);
  }
}
