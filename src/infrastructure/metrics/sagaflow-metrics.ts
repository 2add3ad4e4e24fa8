import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import type { CommittedListener } from '../../application/engine/run-orchestrator.js';
import type { RedisRunViewCache } from '../cache/redis-run-view-cache.js';
import type { AmqpConnection } from '../messaging/amqp-connection.js';
import type { ReplicatedRunReadModel } from '../persistence/replicated-run-read-model.js';
import type { GuardedRedis } from '../redis/guarded-redis.js';
import { BreakerMetrics } from './breaker-metrics.js';
import { knownQueues } from './known-queues.js';
import { createMetricsRegistry } from './metrics-registry.js';
import { OutboxMetrics } from './outbox-metrics.js';
import { registerDeadLetterMetrics } from './dead-letter-metrics.js';
import { QueueMetrics } from './queue-metrics.js';
import { registerReadSideMetrics } from './read-side-metrics.js';
import { RunMetrics } from './run-metrics.js';
import { WorkerMetrics } from './worker-metrics.js';

/** The built-in worker types: their queues exist as soon as a worker starts. */
const BUILTIN_TYPES = ['noop', 'echo', 'http'];

/** What the metrics observe; SagaflowRuntime is one. */
export interface MetricSources {
  config: { amqpPrefix: string; shardCount: number };
  orchestrator: { onCommitted(listener: CommittedListener): void };
  db(): Kysely<unknown>;
  amqp: AmqpConnection;
  readSide: {
    redis: GuardedRedis;
    cache: RedisRunViewCache;
    replicated: ReplicatedRunReadModel | null;
  };
  outboxPublisher: { readonly published: number };
}

/**
 * Every Sagaflow metric of one process, in its own registry (docs/operations.md, "Metrics").
 * Counters are bumped in memory where things happen; gauges that need I/O (outbox, queues) are
 * collected when Prometheus scrapes, with bounded waits.
 */
export class SagaflowMetrics {
  readonly registry: Registry = createMetricsRegistry();
  readonly runs = new RunMetrics(this.registry);
  readonly breakers = new BreakerMetrics(this.registry);
  readonly worker = new WorkerMetrics(this.registry);
  readonly outbox: OutboxMetrics;

  constructor(sources: MetricSources) {
    sources.orchestrator.onCommitted((committed) => this.runs.committed(committed));
    this.outbox = new OutboxMetrics(this.registry, {
      db: () => sources.db(),
      inlinePublished: () => sources.outboxPublisher.published,
    });
    registerDeadLetterMetrics(this.registry, () => sources.db());
    new QueueMetrics(this.registry, sources.amqp, () =>
      knownQueues({
        prefix: sources.config.amqpPrefix,
        shardCount: sources.config.shardCount,
        db: () => sources.db(),
        seenTypes: () => [...BUILTIN_TYPES, ...this.runs.types.values()],
      }),
    );
    const { redis, cache, replicated } = sources.readSide;
    registerReadSideMetrics(this.registry, {
      cacheStats: cache.stats,
      replicaStats: () => replicated?.stats ?? null,
    });
    this.breakers.track('redis', {
      notClosed: () => (redis.breakerClosed ? 0 : 1),
      onOpen: (listener) => redis.onBreakerOpen(listener),
    });
    if (replicated) {
      this.breakers.track('replica', {
        notClosed: () => (replicated.breakerClosed ? 0 : 1),
        onOpen: (listener) => replicated.onBreakerOpen(listener),
      });
    }
  }
}
