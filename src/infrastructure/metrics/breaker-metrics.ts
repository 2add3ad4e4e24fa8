import { Gauge, type Registry } from 'prom-client';

/** Counts the open breakers of one kind; called at scrape time. */
export type OpenBreakers = () => number;

/**
 * How many circuit breakers of each kind are not closed (open, or half-open waiting for a trial
 * call to succeed). Labelled by kind, never by what a breaker guards: the `http` handler keeps
 * one breaker per host, and hosts come from users' task inputs.
 */
export class BreakerMetrics {
  private readonly kinds = new Map<string, OpenBreakers>();

  constructor(registry: Registry) {
    const kinds = this.kinds;
    new Gauge({
      name: 'sagaflow_breakers_open',
      help: 'Circuit breakers not closed (open or half-open), by kind: redis, replica (0 or 1), http (one per host)',
      labelNames: ['breaker'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [breaker, open] of kinds) this.set({ breaker }, open());
      },
    });
  }

  /** Reports the breakers of `kind` from now on (the latest registration of a kind wins). */
  track(kind: string, open: OpenBreakers): void {
    this.kinds.set(kind, open);
  }
}
