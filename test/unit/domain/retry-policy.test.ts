import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import {
  DEFAULT_RETRY_POLICY,
  retryPolicyOf,
  retryDelayMs,
  type RetryPolicy,
} from '../../../src/domain/definition/retry-policy.js';
import { decideRetry, emptyExecution } from '../../../src/domain/run/execution.js';
import type { ValidationIssue } from '../../../src/domain/shared/domain-error.js';

const policy = (p: Partial<RetryPolicy> = {}): RetryPolicy => ({ ...DEFAULT_RETRY_POLICY, ...p });

describe('retryDelayMs', () => {
  it('grows as initial × coefficient^(n−1) up to the maximum, without jitter', () => {
    const p = policy({ initialIntervalMs: 200, backoffCoefficient: 2, maxIntervalMs: 1000 });
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(p, n, 0.9))).toEqual([200, 400, 800, 1000, 1000, 1000]);
  });

  it('uses the defaults: 1 s, 2 s, 4 s … capped at 60 s', () => {
    expect([1, 2, 3, 7, 8].map((n) => retryDelayMs(DEFAULT_RETRY_POLICY, n, 0.3))).toEqual([
      1000, 2000, 4000, 60000, 60000,
    ]);
  });

  it('is constant with coefficient 1', () => {
    const p = policy({ initialIntervalMs: 300, backoffCoefficient: 1 });
    expect([1, 5, 20].map((n) => retryDelayMs(p, n, 0))).toEqual([300, 300, 300]);
  });

  it('adds or removes up to jitter × delay', () => {
    const p = policy({ initialIntervalMs: 1000, backoffCoefficient: 2, jitter: 0.2 });
    expect(retryDelayMs(p, 1, 0)).toBe(800);
    expect(retryDelayMs(p, 1, 0.5)).toBe(1000);
    expect(retryDelayMs(p, 1, 0.999999)).toBe(1200);
    expect(retryDelayMs(p, 2, 0)).toBe(1600);
  });

  it('stays within min(initial × coeff^(n−1), max) × (1 ± jitter)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (initial, coefficient, extra, jitter, n, random) => {
          const p = policy({
            initialIntervalMs: initial,
            backoffCoefficient: coefficient,
            maxIntervalMs: initial + extra,
            jitter,
          });
          const base = Math.min(initial * coefficient ** (n - 1), initial + extra);
          const delay = retryDelayMs(p, n, random);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - jitter)));
          expect(delay).toBeLessThanOrEqual(Math.ceil(base * (1 + jitter)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('decideRetry', () => {
  const exec = (attempt: number, budgetBase = 0) => ({ ...emptyExecution(), attempt, budgetBase });
  const flaky = { message: 'x', retryable: true };

  it('retries while the budget lasts, counting the first attempt', () => {
    const p = policy({ maxAttempts: 3, initialIntervalMs: 10 });
    expect(decideRetry(exec(1), p, flaky, 0.5)).toEqual({ outcome: 'retry', delayMs: 10 });
    expect(decideRetry(exec(2), p, flaky, 0.5)).toEqual({ outcome: 'retry', delayMs: 20 });
    expect(decideRetry(exec(3), p, flaky, 0.5)).toEqual({ outcome: 'fail' });
  });

  it('never retries with maxAttempts 1 or a non-retryable failure', () => {
    expect(decideRetry(exec(1), policy({ maxAttempts: 1 }), flaky, 0.5)).toEqual({ outcome: 'fail' });
    expect(decideRetry(exec(1), policy(), { message: 'x', retryable: false }, 0.5)).toEqual({
      outcome: 'fail',
    });
  });

  it('counts from the budget base after an operator retry', () => {
    const p = policy({ maxAttempts: 3, initialIntervalMs: 10 });
    expect(decideRetry(exec(4, 3), p, flaky, 0.5)).toEqual({ outcome: 'retry', delayMs: 10 });
    expect(decideRetry(exec(6, 3), p, flaky, 0.5)).toEqual({ outcome: 'fail' });
  });

  it("honours a failure's retryAfterMs", () => {
    expect(decideRetry(exec(1), policy(), { ...flaky, retryAfterMs: 12345 }, 0.5)).toEqual({
      outcome: 'retry',
      delayMs: 12345,
    });
  });
});

describe('retryPolicyOf', () => {
  it('fills in the defaults and names a largest delay below the first under the given path', () => {
    const issues: ValidationIssue[] = [];
    expect(retryPolicyOf(undefined, 'p', issues)).toBe(DEFAULT_RETRY_POLICY);
    expect(retryPolicyOf({ maxAttempts: 5 }, 'p', issues)).toEqual({
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: 5,
    });
    expect(issues).toEqual([]);
    retryPolicyOf({ initialIntervalMs: 500, maxIntervalMs: 100 }, 'tasks[3].retry', issues);
    expect(issues).toEqual([
      { path: 'tasks[3].retry.maxIntervalMs', message: 'must be ≥ initialIntervalMs' },
    ]);
  });
});
