import CircuitBreaker from 'opossum';
import { Redis } from 'ioredis';
import { connectionError } from '../config/connection-errors.js';
import type { MessagingLogger } from '../messaging/logger.js';

export interface GuardedRedisOptions {
  url: string;
  /** Prefix of every key and channel (SAGAFLOW_REDIS_PREFIX). */
  prefix: string;
  /** The configuration variable `url` came from (`REDIS_URL`), named in every connection error. */
  configVariable?: string;
  logger: MessagingLogger;
  /** A call slower than this counts as a failure. */
  callTimeoutMs?: number;
  /** How long an open breaker fails fast before it lets a trial call through. */
  resetTimeoutMs?: number;
}

type Call<R> = (redis: Redis) => Promise<R>;

/**
 * The process's Redis command connection behind an opossum breaker. Redis is an accelerator,
 * never the authority: every caller has a PostgreSQL fallback, so calls fail fast (no offline
 * queue, one try per request) and an open breaker skips Redis until a trial call succeeds.
 * `subscriber()` opens the separate connection pub/sub needs (ioredis resubscribes on reconnect).
 */
export class GuardedRedis {
  readonly prefix: string;
  private readonly client: Redis;
  private readonly breaker: CircuitBreaker<[Call<unknown>], unknown>;
  private readonly subscribers: Redis[] = [];
  private closed = false;

  constructor(private readonly options: GuardedRedisOptions) {
    this.prefix = options.prefix;
    this.client = this.connect('commands');
    this.breaker = new CircuitBreaker((call: Call<unknown>) => call(this.client), {
      timeout: options.callTimeoutMs ?? 1000,
      resetTimeout: options.resetTimeoutMs ?? 2000,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      rollingCountTimeout: 10_000,
    });
    this.breaker.on('open', () => options.logger.warn('Redis breaker open; reads use PostgreSQL'));
    this.breaker.on('close', () => options.logger.log('Redis breaker closed'));
  }

  /** Runs `call` on the command connection through the breaker; rejects fast while it is open. */
  run<R>(call: Call<R>): Promise<R> {
    if (this.closed) return Promise.reject(new Error('Redis connection closed'));
    return this.breaker.fire(call) as Promise<R>;
  }

  get isOpen(): boolean {
    return this.breaker.opened;
  }

  /** Calls `listener` each time the breaker opens: for metrics. */
  onBreakerOpen(listener: () => void): void {
    this.breaker.on('open', listener);
  }

  /** False while the breaker is open or half-open (waiting for a trial call): for metrics. */
  get breakerClosed(): boolean {
    return this.breaker.closed;
  }

  /** Calls `listener` when the breaker closes again (Redis usable). */
  onBreakerClose(listener: () => void): void {
    this.breaker.on('close', listener);
  }

  /** A Lua script callable by `name` on the command connection and its pipelines (EVALSHA). */
  defineCommand(name: string, numberOfKeys: number, lua: string): void {
    this.client.defineCommand(name, { numberOfKeys, lua });
  }

  async ping(): Promise<boolean> {
    return (await this.client.ping()) === 'PONG';
  }

  subscriber(): Redis {
    const redis = this.connect('subscriber', true);
    this.subscribers.push(redis);
    return redis;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.breaker.shutdown();
    // A subscriber its owner closed already must not be quit again (ioredis then leaves a timer).
    const open = [this.client, ...this.subscribers].filter((r) => r.status !== 'end');
    await Promise.all(open.map((r) => r.quit().catch(() => r.disconnect())));
  }

  private connect(name: string, offlineQueue = false): Redis {
    const redis = new Redis(this.options.url, {
      connectionName: `sagaflow-${name}`,
      enableOfflineQueue: offlineQueue,
      maxRetriesPerRequest: offlineQueue ? null : 0,
      retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 3000),
      lazyConnect: false,
      // Commands issued in the same tick go out in one write (one syscall, one wake-up of Redis):
      // under load many GETs of the run cache land in one tick (docs/performance.md#read-side).
      enableAutoPipelining: !offlineQueue,
    });
    let down = false;
    redis.on('error', (error: Error) => {
      if (!down) {
        const reason = connectionError('Redis', this.options.url, this.options.configVariable, error);
        this.options.logger.warn(`${reason}; reads use PostgreSQL until it is back`, { connection: name });
      }
      down = true;
    });
    redis.on('ready', () => {
      if (down) this.options.logger.log('Redis connected again', { connection: name });
      down = false;
    });
    return redis;
  }
}
