import type { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RateBudget } from '../../application/rate-budget.js';
import { PROBLEM_CONTENT_TYPE, httpProblem } from '../http/problem/problem-details.js';

/** The installation's request budgets (docs/security.md#rate-limits). */
export interface RateLimiting {
  /** Per principal, and per client IP before authentication; null: off (an API key's own budget still holds). */
  readonly budget: RateBudget | null;
  /** Shared by every api instance (Redis in production). */
  readonly storage: ThrottlerStorage;
}

export const RATE_LIMITING = Symbol('RateLimiting');

/** The throttler name the budgets are counted under. */
const THROTTLER = 'requests';

/** Trackers: whom a hit is counted against. */
export const principalTracker = (principal: string) => `principal:${principal}`;
export const ipTracker = (request: FastifyRequest) => `ip:${request.ip}`;

/**
 * Counts one request against `tracker`'s budget and writes the `RateLimit-*` headers. Over the
 * budget it answers 429 problem+json with `Retry-After` and returns false; the caller stops.
 * Redis down: the request passes (a warning is logged), since Redis is never the authority.
 */
export async function charge(
  limits: RateLimiting,
  request: FastifyRequest,
  reply: FastifyReply,
  tracker: string,
  budget: RateBudget | null,
): Promise<boolean> {
  if (budget === null) return true;
  let record: Awaited<ReturnType<ThrottlerStorage['increment']>>;
  try {
    record = await limits.storage.increment(
      tracker,
      budget.windowMs,
      budget.limit,
      budget.windowMs,
      THROTTLER,
    );
  } catch (error) {
    request.log.warn({ err: error }, 'rate limit not checked: its storage is unreachable');
    return true;
  }
  void reply
    .header('ratelimit-limit', budget.limit)
    .header('ratelimit-remaining', Math.max(0, budget.limit - record.totalHits))
    .header('ratelimit-reset', record.isBlocked ? record.timeToBlockExpire : record.timeToExpire);
  if (!record.isBlocked) return true;
  void reply
    .code(429)
    .header('retry-after', record.timeToBlockExpire)
    .type(PROBLEM_CONTENT_TYPE)
    .send(
      httpProblem(
        429,
        'Too Many Requests',
        `over the rate limit of ${budget.limit} requests per ${budget.windowMs / 1000} s; retry after ${record.timeToBlockExpire} s`,
      ),
    );
  return false;
}
