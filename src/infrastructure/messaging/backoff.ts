export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  /** Upper bound for any delay, jitter included. */
  maxMs: number;
  factor: number;
  /** Fraction (0–1) of the delay that is randomised, so many instances do not retry in step. */
  jitter: number;
}

export const defaultReconnectBackoff: BackoffOptions = {
  initialMs: 200,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.2,
};

/**
 * Exponential backoff, capped, with jitter taken off the top ("equal jitter"): the result lies
 * in [d·(1−jitter), d] where d = min(maxMs, initialMs·factor^(attempt−1)), so the cap holds
 * and the spread never collapses to zero. `attempt` starts at 1.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** exponent);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(base * (1 - jitter * random()));
}
