import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import type { GuardedRedis } from '../redis/guarded-redis.js';

/** What `@nestjs/throttler` expects back from one `increment`. */
export interface ThrottlerStorageRecord {
  totalHits: number;
  /** Seconds until the window restarts. */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds until a block ends (0 when not blocked). */
  timeToBlockExpire: number;
}

/**
 * One hit of a fixed window, atomically: KEYS[1] counts the window's hits (expiring with the
 * window), KEYS[2] marks a block. While blocked nothing is counted; the hit that goes over the
 * limit starts the block. Both keys share a hash tag, so a Redis Cluster keeps them on one slot.
 */
const HIT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or ARGV[2])
  return {hits, redis.call('PTTL', KEYS[1]), 1, blocked}
end
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  left = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, left, 1, tonumber(ARGV[3])}
end
return {hits, left, 0, 0}
`;

type HitRedis = Redis & {
  sagaflowRateHit(
    hits: string,
    block: string,
    ttlMs: number,
    limit: number,
    blockMs: number,
  ): Promise<[number, number, number, number]>;
};

/**
 * `@nestjs/throttler`'s storage contract over Redis, so every api instance draws on one budget
 * per tracker (docs/security.md#rate-limits). Written here, not taken from
 * `@nest-lab/throttler-storage-redis`, because that package's peer range stops at Nest 11.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly redis: GuardedRedis) {
    redis.defineCommand('sagaflowRateHit', 2, HIT);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const base = `${this.redis.prefix}rate:{${throttlerName}:${key}}`;
    const [totalHits, leftMs, blocked, blockMs] = await this.redis.run((client) =>
      (client as HitRedis).sagaflowRateHit(`${base}:hits`, `${base}:block`, ttl, limit, blockDuration),
    );
    return {
      totalHits,
      timeToExpire: Math.max(0, Math.ceil(leftMs / 1000)),
      isBlocked: blocked === 1,
      timeToBlockExpire: blocked === 1 ? Math.max(1, Math.ceil(blockMs / 1000)) : 0,
    };
  }
}
