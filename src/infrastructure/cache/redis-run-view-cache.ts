import type { Redis } from 'ioredis';
import type { CacheJsonLookup, CacheLookup, RunViewCache } from '../../application/ports/run-view-cache.js';
import type { RunView } from '../../application/queries/run-view.js';
import type { GuardedRedis } from '../redis/guarded-redis.js';

/** How long a version marker is kept: longer than any replica lag we would still serve from. */
export const MARKER_TTL_MS = 3_600_000;
/** Safety net: an entry whose invalidation was lost cannot outlive this. */
export const VIEW_TTL_MS = 300_000;

// Views are stored as "<version>|<json>" so one GET answers both what and how new.
const VERSION_OF = `local function version_of(value)
  if not value then return nil end
  return tonumber(string.match(value, '^(%d+)|'))
end`;

/** Keeps a view only if neither the marker nor the entry is newer (the cache never goes back). */
const PUT = `${VERSION_OF}
local v = tonumber(ARGV[1])
if tonumber(redis.call('GET', KEYS[1]) or '0') > v then return 0 end
local current = version_of(redis.call('GET', KEYS[2]))
if current and current >= v then return 0 end
redis.call('SET', KEYS[2], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
return 1`;

/** After a commit: raise the marker to the committed version and drop any older view. */
const COMMITTED = `${VERSION_OF}
local v = tonumber(ARGV[1])
if tonumber(redis.call('GET', KEYS[1]) or '0') < v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
local current = version_of(redis.call('GET', KEYS[2]))
if redis.call('EXISTS', KEYS[2]) == 1 and (not current or current < v) then redis.call('DEL', KEYS[2]) end
return 1`;

interface CacheCommands {
  sagaflowViewPut(marker: string, view: string, version: number, json: string, ttl: number): Promise<number>;
  sagaflowCommitted(marker: string, view: string, version: number, ttl: number): Promise<number>;
}

/** A run's latest committed version, to be written as its marker. */
export interface CommittedMarker {
  namespace: string;
  runId: string;
  version: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Lookups answered "unknown" because Redis failed or its breaker was open. */
  unavailable: number;
}

/**
 * Run views in Redis, cache-aside, with a per-run version marker written after every commit.
 * The marker is what makes replica reads read-your-writes: a reader that finds the replica
 * older than the marker reads the primary instead.
 */
export class RedisRunViewCache implements RunViewCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, unavailable: 0 };

  constructor(private readonly redis: GuardedRedis) {
    redis.defineCommand('sagaflowViewPut', 2, PUT);
    redis.defineCommand('sagaflowCommitted', 2, COMMITTED);
  }

  /** Keyed by namespace too: a reader of another namespace never finds the view. */
  private keys(namespace: string, runId: string): [marker: string, view: string] {
    const run = `${this.redis.prefix}run:{${namespace}}:${runId}`;
    return [`${run}:v`, `${run}:view`];
  }

  async lookup(namespace: string, runId: string): Promise<CacheLookup> {
    const { json, minVersion } = await this.lookupJson(namespace, runId);
    return { view: json === null ? null : (JSON.parse(json) as RunView), minVersion };
  }

  async lookupJson(namespace: string, runId: string): Promise<CacheJsonLookup> {
    let marker: string | null | undefined;
    let stored: string | null | undefined;
    try {
      [marker, stored] = await this.redis.run((r) => r.mget(...this.keys(namespace, runId)));
    } catch {
      this.stats.unavailable += 1;
      return { json: null, minVersion: null };
    }
    const minVersion = marker ? Number(marker) : 0;
    const bar = stored ? stored.indexOf('|') : -1;
    if (stored && bar > 0 && Number(stored.slice(0, bar)) >= minVersion) {
      this.stats.hits += 1;
      return { json: stored.slice(bar + 1), minVersion };
    }
    this.stats.misses += 1;
    return { json: null, minVersion };
  }

  /** The run's latest committed version (0: none recorded); null when Redis cannot say. */
  async marker(namespace: string, runId: string): Promise<number | null> {
    try {
      const marker = await this.redis.run((r) => r.get(this.keys(namespace, runId)[0]));
      return marker ? Number(marker) : 0;
    } catch {
      return null;
    }
  }

  async store(namespace: string, runId: string, version: number, json: string): Promise<void> {
    try {
      await this.redis.run((r) =>
        (r as unknown as CacheCommands).sagaflowViewPut(
          ...this.keys(namespace, runId),
          version,
          json,
          VIEW_TTL_MS,
        ),
      );
    } catch {
      // A view not cached is read again next time; nothing else depends on it.
    }
  }

  /** Queues the after-commit update of one run on a pipeline (see ReadSideUpdater). */
  queueCommitted(pipeline: ReturnType<Redis['pipeline']>, marker: CommittedMarker): void {
    // Its outcome is read from the pipeline's exec() by the caller.
    const { namespace, runId, version } = marker;
    void (pipeline as unknown as CacheCommands).sagaflowCommitted(
      ...this.keys(namespace, runId),
      version,
      MARKER_TTL_MS,
    );
  }
}
