import type { Committed } from '../../application/engine/run-orchestrator.js';
import type { FeedItem } from '../../application/ports/run-event-feed.js';
import { eventView } from '../../application/queries/run-view.js';
import type { RedisRunViewCache } from '../cache/redis-run-view-cache.js';
import type { RedisLiveEventBus } from '../fanout/redis-live-event-bus.js';
import type { GuardedRedis } from './guarded-redis.js';

/** Runs whose marker could not be written are remembered, up to this many, and written later. */
const MAX_PENDING_MARKERS = 100_000;
const RETRY_MS = 1000;

/**
 * After every commit, in one Redis round trip: raise each changed run's version marker and drop
 * its cached view (read-your-writes and invalidation), and publish the committed events to
 * every api instance. Fed only from committed writes, never from a decision in progress.
 * When Redis fails, markers are kept and written once it answers again (the cache entries they
 * invalidate expire by TTL meanwhile); lost event batches are repaired by the feed from history.
 */
export class RedisReadSideUpdater {
  private readonly pendingMarkers = new Map<string, number>();
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: GuardedRedis,
    private readonly cache: RedisRunViewCache,
    private readonly bus: RedisLiveEventBus,
  ) {
    redis.onBreakerClose(() => void this.flushPending());
  }

  /** Never rejects: Redis is not the authority, the commit already happened. */
  async committed(committed: Committed): Promise<void> {
    const markers = new Map<string, number>();
    const items: FeedItem[] = [];
    for (const { snapshot, changes } of committed.writes) {
      markers.set(snapshot.id, snapshot.version);
      for (const event of changes.events) {
        items.push({ runId: snapshot.id, definition: snapshot.definitionRef.name, event: eventView(event) });
      }
    }
    await this.write(markers, items);
  }

  close(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  private async write(markers: Map<string, number>, items: FeedItem[]): Promise<void> {
    try {
      await this.redis.run(async (client) => {
        const pipeline = client.pipeline();
        for (const [runId, version] of markers) this.cache.queueCommitted(pipeline, runId, version);
        if (items.length > 0) pipeline.publish(this.bus.channel, this.bus.encode(items));
        const results = (await pipeline.exec()) ?? [];
        const failed = results.find(([error]) => error)?.[0];
        if (failed) throw failed;
      });
    } catch {
      for (const [runId, version] of markers) this.remember(runId, version);
    }
  }

  private remember(runId: string, version: number): void {
    if (this.pendingMarkers.size >= MAX_PENDING_MARKERS && !this.pendingMarkers.has(runId)) return;
    this.pendingMarkers.set(runId, Math.max(version, this.pendingMarkers.get(runId) ?? 0));
    this.retry ??= setTimeout(() => {
      this.retry = null;
      void this.flushPending();
    }, RETRY_MS);
    this.retry.unref?.();
  }

  private async flushPending(): Promise<void> {
    if (this.pendingMarkers.size === 0) return;
    const markers = new Map(this.pendingMarkers);
    this.pendingMarkers.clear();
    await this.write(markers, []);
  }
}
