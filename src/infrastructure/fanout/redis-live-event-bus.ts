import type { Redis } from 'ioredis';
import type { LiveEventBus, LiveEventBusSubscription } from '../../application/ports/live-event-bus.js';
import type { FeedItem } from '../../application/ports/run-event-feed.js';
import type { GuardedRedis } from '../redis/guarded-redis.js';
import type { MessagingLogger } from '../messaging/logger.js';

type Listener = (items: readonly FeedItem[]) => void;

/**
 * Fan-out of committed events through Redis pub/sub on one channel per installation
 * (`<prefix>events`), one message per committed batch. A process subscribes when something in
 * it first listens (and stays subscribed, so watchers coming and going cost no reconnects);
 * writers that nobody watches pay one PUBLISH per batch.
 */
export class RedisLiveEventBus implements LiveEventBus {
  readonly channel: string;
  private readonly listeners = new Set<Listener>();
  private subscriber: Redis | null = null;
  private subscribing: Promise<void> | null = null;

  constructor(
    private readonly redis: GuardedRedis,
    private readonly logger: MessagingLogger,
  ) {
    this.channel = `${redis.prefix}events`;
  }

  /** The message one committed batch is published as. */
  encode(items: readonly FeedItem[]): string {
    return JSON.stringify(items);
  }

  async subscribe(listener: Listener): Promise<LiveEventBusSubscription> {
    this.listeners.add(listener);
    try {
      await this.ensureSubscribed();
    } catch (error) {
      // Redis is down: the feed still replays history and polls; ioredis subscribes on reconnect.
      this.logger.warn(`sagaflow: live events unavailable (${(error as Error).message})`);
    }
    return {
      unsubscribe: async () => {
        this.listeners.delete(listener);
      },
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const subscriber = this.subscriber;
    this.subscriber = null;
    this.subscribing = null;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  private ensureSubscribed(): Promise<void> {
    if (!this.subscriber) {
      const subscriber = this.redis.subscriber();
      subscriber.on('message', (channel: string, message: string) => {
        if (channel === this.channel) this.dispatch(message);
      });
      this.subscriber = subscriber;
      this.subscribing = subscriber.subscribe(this.channel).then(() => undefined);
    }
    return this.subscribing!;
  }

  private dispatch(message: string): void {
    let items: FeedItem[];
    try {
      items = JSON.parse(message) as FeedItem[];
    } catch {
      this.logger.warn('sagaflow: unreadable live event batch ignored');
      return;
    }
    for (const listener of this.listeners) listener(items);
  }
}
