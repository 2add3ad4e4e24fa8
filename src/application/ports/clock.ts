/**
 * Time and chance as the engine sees them: the system's in production, a manual one in unit tests
 * (test/support/fakes), so retries, backoff and timers can be tested without waiting.
 */
export interface Clock {
  now(): Date;
  /** Uniform in [0, 1), for retry jitter. */
  random(): number;
}

/** The DI token of the application's clock. */
export const CLOCK = Symbol('Clock');

export const systemClock: Clock = {
  now: () => new Date(),
  random: Math.random,
};
