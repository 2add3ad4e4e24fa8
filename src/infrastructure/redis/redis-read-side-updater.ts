import type { Committed } from '../../application/engine/run-orchestrator.js';
import type { FeedItem } from '../../application/ports/run-event-feed.js';
import { eventView } from '../../application/queries/run-view.js';
import type { CommittedMarker, RedisRunViewCache } from '../cache/redis-run-view-cache.js';
import type { RedisLiveEventBus } from '../fanout/redis-live-event-bus.js';
import type { GuardedRedis } from './guarded-redis.js';

/** Runs whose marker could not be written are remembered, up to this many, and written later. */
const MAX_PENDING_MARKERS = 100_000;
const RETRY_MS = 1000;

interface PendingBatch {
  markers: CommittedMarker[];
  items: FeedItem[];
  written: Promise<void>;
}

/**
 * After every commit, in one Redis round trip: raise each changed run's version marker and drop
 * its cached view (read-your-writes and invalidation), and publish the committed events to
 * every api instance. Fed only from committed writes, never from a decision in progress.
 * When Redis fails, markers are kept and written once it answers again (the cache entries they
 * invalidate expire by TTL meanwhile); lost event batches are repaired by the feed from history.
 */
export class RedisReadSideUpdater {
  /** Keyed by `<namespace>/<run id>` (neither can hold a slash). */
  private readonly pendingMarkers = new Map<string, CommittedMarker>();
  private retry: NodeJS.Timeout | null = null;
  /** The commits of this turn, written together once it ends. */
  private batch: PendingBatch | null = null;

  constructor(
    private readonly redis: GuardedRedis,
    private readonly cache: RedisRunViewCache,
    private readonly bus: RedisLiveEventBus,
  ) {
    redis.onBreakerClose(() => void this.flushPending());
  }

  /**
   * Never rejects: Redis is not the authority, the commit already happened. Every commit that
   * lands in the same turn of the event loop goes out in one pipeline, written when the turn's
   * I/O callbacks are done (setImmediate): at a few runs per commit that is several commits per
   * write to Redis instead of one each (docs/performance.md#the-per-task-path-step-by-step).
   */
  committed(committed: Committed): Promise<void> {
    let batch = this.batch;
    if (batch === null) {
      const fresh: PendingBatch = { markers: [], items: [], written: Promise.resolve() };
      fresh.written = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.batch = null;
        return this.write(fresh.markers, fresh.items);
      });
      this.batch = batch = fresh;
    }
    for (const { snapshot, changes } of committed.writes) {
      const { namespace, id: runId } = snapshot;
      batch.markers.push({ namespace, runId, version: snapshot.version });
      for (const event of changes.events) {
        batch.items.push({
          namespace,
          runId,
          definition: snapshot.definitionRef.name,
          event: eventView(event),
        });
      }
    }
    return batch.written;
  }

  close(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  private async write(markers: readonly CommittedMarker[], items: FeedItem[]): Promise<void> {
    try {
      await this.redis.run(async (client) => {
        const pipeline = client.pipeline();
        for (const marker of markers) this.cache.queueCommitted(pipeline, marker);
        if (items.length > 0) pipeline.publish(this.bus.channel, this.bus.encode(items));
        const results = (await pipeline.exec()) ?? [];
        const failed = results.find(([error]) => error)?.[0];
        if (failed) throw failed;
      });
    } catch {
      for (const marker of markers) this.remember(marker);
    }
  }

  private remember(marker: CommittedMarker): void {
    const key = `${marker.namespace}/${marker.runId}`;
    if (this.pendingMarkers.size >= MAX_PENDING_MARKERS && !this.pendingMarkers.has(key)) return;
    const version = Math.max(marker.version, this.pendingMarkers.get(key)?.version ?? 0);
    this.pendingMarkers.set(key, { ...marker, version });
    this.retry ??= setTimeout(() => {
      this.retry = null;
      void this.flushPending();
    }, RETRY_MS);
    this.retry.unref?.();
  }

  private async flushPending(): Promise<void> {
    if (this.pendingMarkers.size === 0) return;
    const markers = [...this.pendingMarkers.values()];
    this.pendingMarkers.clear();
    await this.write(markers, []);
  }
}
