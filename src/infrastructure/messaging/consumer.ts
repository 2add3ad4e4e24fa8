import { setTimeout as sleep } from 'node:timers/promises';

import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';

import type { AmqpConnection, SetupRegistration } from './amqp-connection.js';
import { copyProperties, decodeDelivery, stringProperty, type Decoder, type Delivery } from './delivery.js';
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

type Mode<T> =
  | { kind: 'single'; handler: MessageHandler<T> }
  | { kind: 'batch'; handler: BatchHandler<T>; maxBatch: number };

/** Work queued for the batch loop, which alone settles messages in batch mode (see `deliver`). */
type BufferedItem<T> =
  { kind: 'deliver'; delivery: Delivery<T> } | { kind: 'recount'; message: ConsumeMessage };

/** One channel and its consumer; a reconnect or channel failure replaces it with a new one. */
interface Session<T> {
  channel: ConfirmChannel;
  consumerTag: string;
  open: boolean;
  inFlight: Set<Promise<void>>;
  buffer: Array<BufferedItem<T>>;
  batchLoop: Promise<void> | undefined;
  /** Cuts failure delays short when the consumer is cancelled or the channel closes. */
  abort: AbortController;
}

/**
 * A consumer with manual acks on its own confirm channel (confirms are needed to re-publish
 * failed messages safely, see redelivery.ts), rebuilt after every reconnect. Settles every
 * message exactly once per channel and never on a channel other than the one it came on.
 */
export class QueueConsumer<T> {
  private readonly logger: MessagingLogger;
  private readonly maxAttempts: number;
  private readonly failureDelayMs: (failures: number) => number;
  private readonly decode: Decoder<T>;
  private registration: SetupRegistration | undefined;
  private session: Session<T> | undefined;
  private cancelling: Promise<void> | undefined;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: ConsumeOptions<T>,
    private readonly mode: Mode<T>,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? defaultMaxAttempts);
    this.failureDelayMs = options.failureDelayMs ?? defaultFailureDelayMs;
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
   * which returns anything prefetched but not started to the queue. Idempotent.
   */
  cancel(): Promise<void> {
    this.cancelling ??= this.doCancel();
    return this.cancelling;
  }

  private async doCancel(): Promise<void> {
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
    await idle(session);
    await closeQuietly(session);
  }

  private async openSession(model: ChannelModel): Promise<void> {
    if (this.cancelling !== undefined) return;
    const previous = this.session;
    this.session = undefined;
    // A rerun after the broker cancelled us leaves the old channel open: release it.
    if (previous !== undefined) await closeQuietly(previous);
    const channel = await model.createConfirmChannel();
    const session: Session<T> = {
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

  private onMessage(session: Session<T>, message: ConsumeMessage | null): void {
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
      this.deadLetter(session, message, `cannot be decoded (${describeError(error)})`);
      return;
    }
    this.deliver(session, { kind: 'deliver', delivery });
  }

  /**
   * In batch mode everything that settles asynchronously goes through the batch loop, in
   * arrival order: settling message n after a batch ack(allUpTo) of a later tag would settle
   * an already-acked tag, and the broker closes the channel for that (406).
   */
  private deliver(session: Session<T>, item: BufferedItem<T>): void {
    if (this.mode.kind === 'batch') {
      session.buffer.push(item);
      this.scheduleBatchLoop(session);
      return;
    }
    const work =
      item.kind === 'recount'
        ? this.recountUnsettled(session, item.message)
        : this.runSingle(session, item.delivery, this.mode.handler);
    session.inFlight.add(work);
    void work
      .catch((error: unknown) =>
        this.logger.error(`consumer on ${this.options.queue}: ${describeError(error)}`),
      )
      .finally(() => session.inFlight.delete(work));
  }

  private async runSingle(
    session: Session<T>,
    delivery: Delivery<T>,
    handler: MessageHandler<T>,
  ): Promise<void> {
    try {
      await handler(delivery);
    } catch (error) {
      await this.handleFailure(session, delivery, error);
      return;
    }
    this.settle(session, (channel) => channel.ack(delivery.message));
  }

  private scheduleBatchLoop(session: Session<T>): void {
    if (session.batchLoop !== undefined || this.mode.kind !== 'batch') return;
    const { handler, maxBatch } = this.mode;
    // setImmediate: let every delivery already read from the socket join the first batch.
    session.batchLoop = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.runBatches(session, handler, maxBatch))
      .catch((error: unknown) =>
        this.logger.error(`batch loop on ${this.options.queue}: ${describeError(error)}`),
      )
      .finally(() => {
        session.batchLoop = undefined;
        // Not after a cancel: the aborted loop would exit at once and reschedule itself forever.
        if (session.open && !session.abort.signal.aborted && session.buffer.length > 0) {
          this.scheduleBatchLoop(session);
        }
      });
  }

  private async runBatches(session: Session<T>, handler: BatchHandler<T>, maxBatch: number): Promise<void> {
    while (session.open && !session.abort.signal.aborted && session.buffer.length > 0) {
      const items = session.buffer.splice(0, maxBatch);
      const deliveries: Array<Delivery<T>> = [];
      for (const item of items) {
        if (item.kind === 'recount') await this.recountUnsettled(session, item.message);
        else deliveries.push(item.delivery);
      }
      if (deliveries.length > 0) await this.runBatch(session, deliveries, handler);
    }
  }

  /**
   * A failed batch is retried here, on this channel, after `failureDelayMs` — not returned to
   * the broker: a requeue would let the later messages already prefetched overtake it (breaking
   * per-run order on a result shard) and would spend the delivery count of messages that never
   * failed. After `maxAttempts` failures a batch is split and its messages retried one by one,
   * so one poison message is dead-lettered on its own and the rest go through in order. A batch
   * handler should therefore throw only for what is worth retrying, and callers choose
   * `maxAttempts` for the outage they want to ride out (a consumer cancelled, or a channel
   * lost, mid-retry leaves the batch to the broker, which redelivers it).
   */
  private async runBatch(
    session: Session<T>,
    deliveries: Array<Delivery<T>>,
    handler: BatchHandler<T>,
  ): Promise<void> {
    const last = deliveries.at(-1);
    if (last === undefined) return;
    const earlier = Math.max(...deliveries.map((delivery) => delivery.previousFailures));
    for (let failures = 1; session.open && !session.abort.signal.aborted; failures += 1) {
      try {
        await handler(deliveries);
        this.settle(session, (channel) => channel.ack(last.message, true));
        return;
      } catch (error) {
        const total = earlier + failures;
        if (total >= this.maxAttempts) {
          if (deliveries.length === 1) {
            this.deadLetter(session, last.message, `failed ${total} times, last: ${describeError(error)}`);
            return;
          }
          this.logger.warn(
            `batch of ${deliveries.length} on ${this.options.queue} failed ${total} times; retrying one by one`,
          );
          for (const delivery of deliveries) await this.runBatch(session, [delivery], handler);
          return;
        }
        this.logger.warn(
          `batch of ${deliveries.length} on ${this.options.queue} failed (${total}/${this.maxAttempts}): ${describeError(error)}`,
        );
        await sleep(this.failureDelayMs(total), undefined, { signal: session.abort.signal }).catch(
          () => undefined,
        );
      }
    }
  }

  /** Applies the redelivery policy to a message whose handler threw (redelivery.ts). */
  private async handleFailure(session: Session<T>, delivery: Delivery<T>, error: unknown): Promise<void> {
    const failures = delivery.previousFailures + 1;
    if (failures >= this.maxAttempts) {
      this.deadLetter(session, delivery.message, `failed ${failures} times, last: ${describeError(error)}`);
      return;
    }
    const id = delivery.messageId ?? `#${delivery.message.fields.deliveryTag}`;
    this.logger.warn(
      `handler failed on ${this.options.queue} message ${id} (${failures}/${this.maxAttempts}): ${describeError(error)}`,
    );
    await sleep(this.failureDelayMs(failures), undefined, { signal: session.abort.signal }).catch(
      () => undefined,
    );
    if (this.options.redelivery === 'broker') {
      this.settle(session, (channel) => channel.nack(delivery.message, false, true));
    } else {
      await this.republish(session, delivery.message, failures);
    }
  }

  /** A `redelivered` message on a classic queue: count the unsettled delivery, then re-publish or dead-letter. */
  private async recountUnsettled(session: Session<T>, message: ConsumeMessage): Promise<void> {
    const failures = recordedFailures(message, this.options.redelivery) + 1;
    if (failures >= this.maxAttempts) {
      this.deadLetter(session, message, `came back unsettled ${failures} times`);
      return;
    }
    await this.republish(session, message, failures);
  }

  /** Copy to the back of the same queue with the new count; ack the original only once the copy is confirmed. */
  private async republish(session: Session<T>, message: ConsumeMessage, failures: number): Promise<void> {
    if (!session.open) return;
    try {
      await new Promise<void>((resolve, reject) => {
        session.channel.sendToQueue(
          this.options.queue,
          message.content,
          copyProperties(message, failures),
          (error: unknown) => (error === null || error === undefined ? resolve() : reject(toError(error))),
        );
      });
    } catch (error) {
      this.logger.error(`re-publish to ${this.options.queue} failed: ${describeError(error)}`);
      // Not copied: hand the original back (it returns flagged redelivered and is counted then).
      this.settle(session, (channel) => channel.nack(message, false, true));
      return;
    }
    this.settle(session, (channel) => channel.ack(message));
  }

  private deadLetter(session: Session<T>, message: ConsumeMessage, reason: string): void {
    const id = stringProperty(message.properties.messageId) ?? `#${message.fields.deliveryTag}`;
    this.logger.error(`dead-lettering ${this.options.queue} message ${id}: ${reason}`);
    this.settle(session, (channel) => channel.nack(message, false, false));
  }

  /** Settles on the message's own channel; if that channel is gone the broker redelivers it anyway. */
  private settle(session: Session<T>, action: (channel: ConfirmChannel) => void): void {
    if (!session.open) return;
    try {
      action(session.channel);
    } catch (error) {
      this.logger.warn(`settling a message on ${this.options.queue}: ${describeError(error)}`);
    }
  }
}

async function idle<T>(session: Session<T>): Promise<void> {
  while (session.inFlight.size > 0 || session.batchLoop !== undefined) {
    await Promise.allSettled([...session.inFlight, session.batchLoop]);
  }
}

async function closeQuietly<T>(session: Session<T>): Promise<void> {
  if (!session.open) return;
  session.open = false;
  session.abort.abort();
  try {
    await session.channel.close();
  } catch {
    // Already closed by the broker or the connection: nothing to release.
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
