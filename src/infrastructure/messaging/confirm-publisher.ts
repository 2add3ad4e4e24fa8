import { randomUUID } from 'node:crypto';

import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';

import type { AmqpConnection, SetupRegistration } from './amqp-connection.js';
import { describeError, silentLogger, type MessagingLogger } from './logger.js';
import { metaToHeaders, type HeaderValue, type MessageHeaderFields } from './message-headers.js';

export interface PublishOptions extends MessageHeaderFields {
  /** Defaults to a fresh UUID; pass the outbox row's id to make duplicates recognisable. */
  messageId?: string;
  /** 0–9 on task queues; ignored by queues without x-max-priority. */
  priority?: number;
  correlationId?: string;
  /** Extra headers, merged over the ones derived from the meta fields. */
  headers?: Record<string, HeaderValue>;
}

export interface PublishItem {
  exchange: string;
  routingKey: string;
  body: Buffer | object;
  options?: PublishOptions;
}

export interface ConfirmPublisherOptions {
  logger?: MessagingLogger;
  /**
   * How long a publish waits for a channel while the connection is down before it rejects.
   * Rejecting beats waiting forever: an outbox row left unsent is swept and retried anyway.
   */
  channelWaitMs?: number;
}

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

/** One confirm channel and what is outstanding on it; replaced wholesale after a reconnect. */
interface PublisherChannel {
  channel: ConfirmChannel;
  pending: Set<Pending>;
  /** Set while the channel's write buffer is full (publish returned false), until `drain`. */
  drained: Promise<void> | undefined;
  wakeDrained: (() => void) | undefined;
}

function endDrain(session: PublisherChannel): void {
  const wake = session.wakeDrained;
  session.drained = undefined;
  session.wakeDrained = undefined;
  wake?.();
}

/**
 * Publishes persistent JSON messages and resolves each publish on the broker's confirm.
 * Pipelined: any number of publishes may be outstanding (awaiting each confirm before the next
 * publish costs an order of magnitude in throughput, see docs/architecture.md#toolchain-facts), with back-pressure
 * from the socket honoured by pausing on `drain`. If the channel closes, every unconfirmed
 * publish rejects — the broker may or may not have the message, so callers retry and
 * consumers deduplicate (message id / idempotency key).
 */
export class ConfirmPublisher {
  private readonly logger: MessagingLogger;
  private readonly channelWaitMs: number;
  private session: PublisherChannel | undefined;
  private registration: SetupRegistration | undefined;
  private channelWaiters: Array<() => void> = [];
  private closed = false;
  private published = 0;

  constructor(
    private readonly connection: AmqpConnection,
    options: ConfirmPublisherOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.channelWaitMs = options.channelWaitMs ?? 10_000;
  }

  /** Registers the channel setup with the connection; resolves once a channel exists. */
  start(): Promise<void> {
    this.registration ??= this.connection.addSetup((model) => this.openSession(model));
    return this.registration.ready;
  }

  /** Messages handed to the broker by this publisher since it was created (for metrics and the bench). */
  get publishedCount(): number {
    return this.published;
  }

  /** Publishes are outstanding, not yet confirmed (for metrics and graceful shutdown). */
  get pendingCount(): number {
    return this.session?.pending.size ?? 0;
  }

  publish(
    exchange: string,
    routingKey: string,
    body: Buffer | object,
    options: PublishOptions = {},
  ): Promise<void> {
    if (this.closed) return Promise.reject(new Error('ConfirmPublisher is closed'));
    this.published += 1;
    const content = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const properties = toProperties(options);
    const session = this.session;
    // Fast path stays synchronous so that publishes issued in order hit the wire in order.
    if (session !== undefined && session.drained === undefined) {
      return this.send(session, exchange, routingKey, content, properties);
    }
    return this.sendWhenWritable(exchange, routingKey, content, properties);
  }

  /** Resolves when every item is confirmed; rejects (after all have settled) if any was not. */
  async publishBatch(items: readonly PublishItem[]): Promise<void> {
    const results = await this.publishBatchSettled(items);
    const failures = results.filter((result) => result.status === 'rejected');
    if (failures.length > 0) {
      throw new AggregateError(
        failures.map((failure) => failure.reason as unknown),
        `${failures.length} of ${items.length} publishes were not confirmed`,
      );
    }
  }

  /** Per-item outcome, in order, so an outbox can mark exactly the confirmed rows as sent. */
  publishBatchSettled(items: readonly PublishItem[]): Promise<Array<PromiseSettledResult<void>>> {
    return Promise.allSettled(
      items.map((item) => this.publish(item.exchange, item.routingKey, item.body, item.options)),
    );
  }

  /** Waits for outstanding confirms, then closes the channel and stops re-creating it. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.registration?.remove();
    for (const wake of this.channelWaiters.splice(0)) wake();
    const session = this.session;
    this.session = undefined;
    if (session === undefined) return;
    try {
      await session.channel.waitForConfirms();
      await session.channel.close();
    } catch (error) {
      // The channel or connection went first; its close handler has rejected what was pending.
      this.logger.warn('close failed', { error: describeError(error) });
    }
  }

  private async openSession(model: ChannelModel): Promise<void> {
    const channel = await model.createConfirmChannel();
    const session: PublisherChannel = {
      channel,
      pending: new Set(),
      drained: undefined,
      wakeDrained: undefined,
    };
    channel.on('error', (error: Error) => this.logger.error('channel error', { error: error.message }));
    channel.on('drain', () => endDrain(session));
    channel.on('close', () => {
      const error = new Error('AMQP channel closed before the broker confirmed the publish');
      for (const pending of session.pending) pending.reject(error);
      session.pending.clear();
      endDrain(session);
      if (this.session !== session) return;
      this.session = undefined;
      // Channel died on a live connection (e.g. publishing to a missing exchange): rebuild it.
      if (!this.closed && this.connection.currentModel() === model) this.registration?.rerun();
    });
    if (this.closed) {
      await channel.close();
      return;
    }
    this.session = session;
    for (const wake of this.channelWaiters.splice(0)) wake();
  }

  private send(
    session: PublisherChannel,
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { resolve, reject };
      session.pending.add(pending);
      let writable: boolean;
      try {
        writable = session.channel.publish(exchange, routingKey, content, properties, (error: unknown) => {
          session.pending.delete(pending);
          if (error === null || error === undefined) resolve();
          else reject(new Error(`broker did not confirm the publish: ${describeError(error)}`));
        });
      } catch (error) {
        // amqplib throws synchronously on a closed channel or an oversized header table.
        session.pending.delete(pending);
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (!writable && session.drained === undefined) {
        // The message is buffered; later publishes wait for `drain` instead of growing the buffer.
        session.drained = new Promise<void>((wake) => {
          session.wakeDrained = wake;
        });
      }
    });
  }

  private async sendWhenWritable(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish,
  ): Promise<void> {
    const deadline = Date.now() + this.channelWaitMs;
    for (;;) {
      if (this.closed) throw new Error('ConfirmPublisher is closed');
      const session = this.session;
      if (session === undefined) {
        await this.waitForChannel(deadline);
      } else if (session.drained !== undefined) {
        await session.drained;
      } else {
        return this.send(session, exchange, routingKey, content, properties);
      }
    }
  }

  private waitForChannel(deadline: number): Promise<void> {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      return Promise.reject(new Error(`no AMQP channel to publish on within ${this.channelWaitMs} ms`));
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(wake, remaining);
      const waiters = this.channelWaiters;
      function wake(): void {
        clearTimeout(timer);
        const index = waiters.indexOf(wake);
        if (index >= 0) waiters.splice(index, 1);
        resolve();
      }
      waiters.push(wake);
    });
  }
}

function toProperties(options: PublishOptions): Options.Publish {
  const properties: Options.Publish = {
    persistent: true,
    contentType: 'application/json',
    messageId: options.messageId ?? randomUUID(),
    timestamp: Math.floor(Date.now() / 1000),
    headers: { ...metaToHeaders(options), ...options.headers },
  };
  if (options.priority !== undefined) properties.priority = options.priority;
  if (options.correlationId !== undefined) properties.correlationId = options.correlationId;
  return properties;
}
