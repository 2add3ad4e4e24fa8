import type { ValidationIssue } from '../shared/domain-error.js';

/** How often and how patiently a task (or compensation) attempt is retried (docs/contract.md#workflow-definitions). */
export interface RetryPolicy {
  /** Attempts in one budget, counting the first. @default 3 */
  readonly maxAttempts: number;
  /** Delay before the second attempt, in ms. @default 1000 */
  readonly initialIntervalMs: number;
  /** Factor applied to the delay after each attempt. @default 2 */
  readonly backoffCoefficient: number;
  /** Upper bound of any delay, in ms. @default 60000 */
  readonly maxIntervalMs: number;
  /** Fraction 0–1 of the delay added or removed at random. @default 0 */
  readonly jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  initialIntervalMs: 1000,
  backoffCoefficient: 2,
  maxIntervalMs: 60000,
  jitter: 0,
});

/**
 * A retry object of a well-shaped definition with the defaults filled in; the one rule across
 * its fields is that the largest delay is not below the first.
 */
export function retryPolicyOf(
  draft: Partial<RetryPolicy> | undefined,
  path: string,
  issues: ValidationIssue[],
): RetryPolicy {
  if (draft === undefined) return DEFAULT_RETRY_POLICY;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...draft };
  if (policy.maxIntervalMs < policy.initialIntervalMs) {
    issues.push({ path: `${path}.maxIntervalMs`, message: 'must be ≥ initialIntervalMs' });
  }
  return policy;
}

/**
 * Delay before attempt `failedAttempt + 1` within a budget: min(initial × coeff^(n−1), max) ± jitter.
 * `random` is in [0, 1); injected so the domain stays deterministic under test.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number, random: number): number {
  const base = Math.min(
    policy.initialIntervalMs * Math.pow(policy.backoffCoefficient, Math.max(0, failedAttempt - 1)),
    policy.maxIntervalMs,
  );
  const spread = base * policy.jitter * (random * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
