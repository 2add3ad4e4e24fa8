import type { EntityManager } from '@mikro-orm/postgresql';
import type { RunOrchestrator } from '../../application/engine/run-orchestrator.js';
import { RunEventHub } from '../../application/live/run-event-hub.js';
import type { RunReadModel } from '../../application/ports/run-read-model.js';
import type { AppConfig } from '../../infrastructure/config/app-config.js';
import { RedisRunViewCache } from '../../infrastructure/cache/redis-run-view-cache.js';
import { RedisLiveEventBus } from '../../infrastructure/fanout/redis-live-event-bus.js';
import type { MessagingLogger } from '../../infrastructure/messaging/logger.js';
import { ReplicatedRunReadModel } from '../../infrastructure/persistence/replicated-run-read-model.js';
import { SqlRunReadModel } from '../../infrastructure/persistence/sql-run-read-model.js';
import { GuardedRedis } from '../../infrastructure/redis/guarded-redis.js';
import { RedisReadSideUpdater } from '../../infrastructure/redis/redis-read-side-updater.js';

/**
 * The CQRS read side of one process: reads from the replicas (read-your-writes through version
 * markers), the run view cache and the live event feed, all in Redis behind one breaker, and
 * the after-commit updater that keeps them current from the orchestrator's committed writes.
 */
export class ReadSide {
  readonly redis: GuardedRedis;
  readonly cache: RedisRunViewCache;
  readonly bus: RedisLiveEventBus;
  readonly reads: RunReadModel;
  readonly feed: RunEventHub;
  private readonly updater: RedisReadSideUpdater;
  /** The replica-reading model (with its breaker and tallies); null without replicas. */
  readonly replicated: ReplicatedRunReadModel | null;

  constructor(
    config: AppConfig,
    em: EntityManager,
    orchestrator: RunOrchestrator,
    logger: MessagingLogger,
    onError: (error: unknown) => void,
  ) {
    this.redis = new GuardedRedis({
      url: config.redisUrl,
      prefix: config.redisPrefix,
      logger,
      configVariable: 'REDIS_URL',
    });
    this.cache = new RedisRunViewCache(this.redis);
    this.bus = new RedisLiveEventBus(this.redis, logger);
    const primary = new SqlRunReadModel(em, 'write');
    this.replicated =
      config.replicaUrls.length > 0
        ? new ReplicatedRunReadModel(primary, new SqlRunReadModel(em, 'read'), (namespace, id) =>
            this.cache.marker(namespace, id),
          )
        : null;
    this.reads = this.replicated ?? primary;
    this.feed = new RunEventHub(this.bus, this.reads, onError, { pollMs: config.livePollMs });
    this.updater = new RedisReadSideUpdater(this.redis, this.cache, this.bus);
    orchestrator.onCommitted((committed) => this.updater.committed(committed));
  }

  /** Which pool served reads so far (replica vs primary); null without replicas. */
  get replicaStats(): { replicaReads: number; primaryReads: number } | null {
    return this.replicated?.stats ?? null;
  }

  async close(): Promise<void> {
    await this.feed.close();
    this.updater.close();
    this.replicated?.close();
    await this.bus.close();
    await this.redis.close();
  }
}
