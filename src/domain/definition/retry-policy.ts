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

const MAX_ATTEMPTS_LIMIT = 1000;
const MAX_INTERVAL_LIMIT_MS = 7 * 24 * 3600 * 1000;

/** Checks a raw retry object and returns the policy with defaults applied, or the problems. */
export function parseRetryPolicy(raw: unknown, path: string, issues: ValidationIssue[]): RetryPolicy {
  if (raw === undefined) return DEFAULT_RETRY_POLICY;
  if (!isPlainObject(raw)) {
    issues.push({ path, message: 'must be an object' });
    return DEFAULT_RETRY_POLICY;
  }
  const known = new Set(Object.keys(DEFAULT_RETRY_POLICY));
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) issues.push({ path: `${path}.${key}`, message: 'is not a retry field' });
  }
  const field = (name: keyof RetryPolicy, check: (n: number) => string | null): number => {
    const value = raw[name];
    if (value === undefined) return DEFAULT_RETRY_POLICY[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      issues.push({ path: `${path}.${name}`, message: 'must be a number' });
      return DEFAULT_RETRY_POLICY[name];
    }
    const problem = check(value);
    if (problem) issues.push({ path: `${path}.${name}`, message: problem });
    return value;
  };
  const policy: RetryPolicy = {
    maxAttempts: field('maxAttempts', (n) =>
      Number.isInteger(n) && n >= 1 && n <= MAX_ATTEMPTS_LIMIT
        ? null
        : `must be an integer from 1 to ${MAX_ATTEMPTS_LIMIT}`,
    ),
    initialIntervalMs: field('initialIntervalMs', (n) =>
      Number.isInteger(n) && n >= 0 && n <= MAX_INTERVAL_LIMIT_MS
        ? null
        : 'must be an integer ≥ 0 (ms, at most 7 days)',
    ),
    backoffCoefficient: field('backoffCoefficient', (n) =>
      n >= 1 && n <= 100 ? null : 'must be from 1 to 100',
    ),
    maxIntervalMs: field('maxIntervalMs', (n) =>
      Number.isInteger(n) && n >= 0 && n <= MAX_INTERVAL_LIMIT_MS
        ? null
        : 'must be an integer ≥ 0 (ms, at most 7 days)',
    ),
    jitter: field('jitter', (n) => (n >= 0 && n <= 1 ? null : 'must be a fraction from 0 to 1')),
  };
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
