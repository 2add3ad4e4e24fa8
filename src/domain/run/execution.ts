import type { RetryPolicy } from '../definition/retry-policy.js';
import { retryDelayMs } from '../definition/retry-policy.js';
import type { AttemptFailure } from './run-events.js';
import type { ExecutionSnapshot } from './run-snapshot.js';

/** Extra time the safety timer allows past a started attempt's own timeout. */
export const START_GRACE_MS = 30_000;
const MAX_RETRY_AFTER_MS = 3_600_000;

export function emptyExecution(): ExecutionSnapshot {
  return {
    attempt: 0,
    budgetBase: 0,
    output: null,
    error: null,
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    timerAt: null,
  };
}

/** Outcome of a failed attempt, as a discriminated union rather than flags. */
export type RetryDecision = { outcome: 'retry'; delayMs: number } | { outcome: 'fail' };

export function decideRetry(
  exec: ExecutionSnapshot,
  policy: RetryPolicy,
  failure: AttemptFailure,
  random: number,
): RetryDecision {
  const used = exec.attempt - exec.budgetBase;
  if (!failure.retryable || used >= policy.maxAttempts) return { outcome: 'fail' };
  // A server's Retry-After overrides the policy (as Temporal's nextRetryDelay does), within reason.
  const delayMs =
    failure.retryAfterMs !== undefined
      ? Math.min(Math.max(0, failure.retryAfterMs), MAX_RETRY_AFTER_MS)
      : retryDelayMs(policy, used, random);
  return { outcome: 'retry', delayMs };
}

export function addMs(at: Date, ms: number): Date {
  return new Date(at.getTime() + ms);
}
