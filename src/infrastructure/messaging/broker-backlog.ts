import type { Channel } from 'amqplib';
import type { Admission, Overload } from '../../application/ports/admission.js';
import type { AmqpConnection } from './amqp-connection.js';
import { describeError, type MessagingLogger } from './logger.js';
import { resultQueueName, taskQueueName } from './names.js';

export interface BrokerBacklogOptions {
  prefix: string;
  shardCount: number;
  /** Messages ready in the task queues and result shards above which starts are refused; 0 never. */
  maxBacklog: number;
  /** How often the queues are counted. */
  sampleMs?: number;
  logger: MessagingLogger;
}

/**
 * Admission by the broker's backlog (docs/operations.md#overload): every `sampleMs` it counts
 * the messages ready in the result shards and in the task queue of every type a run started
 * here uses (a passive `queue.declare` each, on a channel of its own), and refuses starts
 * while the sum is over the limit. The queues are shared, so every api instance sees the same
 * backlog and sheds alike: the coordination is RabbitMQ's, not this process's.
 *
 * What waits in those queues is work the engine has accepted and not yet done; when it grows
 * past what the workers and orchestrators clear in a few seconds, more starts only add latency.
 * Runs parked on a timer (`delay`, backoff) wait in PostgreSQL, not here, and do not count.
 */
export class BrokerBacklog implements Admission {
  private readonly types = new Set<string>();
  private readonly sampleMs: number;
  private backlog = 0;
  private channel: Promise<Channel> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private sampling = false;
  private stopped = false;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly options: BrokerBacklogOptions,
  ) {
    this.sampleMs = options.sampleMs ?? 250;
  }

  /** The backlog at the last count (for metrics and tests). */
  get messages(): number {
    return this.backlog;
  }

  refusal(taskTypes: readonly string[]): Overload | null {
    const { maxBacklog } = this.options;
    if (maxBacklog <= 0) return null;
    for (const type of taskTypes) this.types.add(type);
    // Counting starts with the first start asked about: a process that starts no runs never counts.
    this.start();
    if (this.backlog <= maxBacklog) return null;
    return {
      reason: `${this.backlog} messages wait in the task and result queues (SAGAFLOW_MAX_BACKLOG ${maxBacklog})`,
      // Long enough for the engine to clear a good part of it, short enough not to idle.
      retryAfterSeconds: 1,
    };
  }

  private start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.sample(), this.sampleMs);
    this.timer.unref();
  }

  /** Counts the queues once now (the interval's work; tests call it to skip the wait). */
  async sample(): Promise<void> {
    if (this.sampling || !this.connection.isReady()) return;
    this.sampling = true;
    try {
      const queues = [
        ...Array.from({ length: this.options.shardCount }, (_, shard) =>
          resultQueueName(this.options.prefix, shard),
        ),
        ...[...this.types].map((type) => taskQueueName(this.options.prefix, type)),
      ];
      let total = 0;
      for (const queue of queues) total += await this.count(queue);
      this.backlog = total;
    } catch (error) {
      // Keep the last count: a broker outage shows in readiness and in publishes, not here. A
      // count cut short by shutdown is not worth a line.
      if (!this.stopped) {
        this.options.logger.warn('could not count the broker backlog', { error: describeError(error) });
      }
    } finally {
      this.sampling = false;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const channel = this.channel;
    this.channel = null;
    void channel?.then((c) => c.close()).catch(() => undefined);
  }

  private async count(queue: string): Promise<number> {
    const channel = await this.openChannel();
    try {
      return (await channel.checkQueue(queue)).messageCount;
    } catch (error) {
      // A 404 closes the channel: that type's queue is not declared yet (nothing waits in it).
      this.channel = null;
      if ((error as { code?: number }).code === 404) return 0;
      throw error;
    }
  }

  private openChannel(): Promise<Channel> {
    if (this.channel) return this.channel;
    const opening = this.connection.whenReady().then(async (model) => {
      const channel = await model.createChannel();
      const forget = () => {
        if (this.channel === opening) this.channel = null;
      };
      channel.on('close', forget);
      channel.on('error', forget);
      return channel;
    });
    opening.catch(() => {
      if (this.channel === opening) this.channel = null;
    });
    this.channel = opening;
    return opening;
  }
}
