import { Counter, Gauge, type Registry } from 'prom-client';

/** What the owner of breakers of one kind shows the metrics. */
export interface ObservedBreakers {
  /** How many are not closed (open, or half-open); called at scrape time. */
  notClosed(): number;
  /** Calls `listener` each time one of them opens. */
  onOpen(listener: () => void): void;
}

/**
 * The circuit breakers of each kind: how many are not closed (open, or half-open waiting for a
 * trial call to succeed) and how often they opened. Labelled by kind, never by what a breaker
 * guards: the `http` handler keeps one breaker per host, and hosts come from users' task inputs.
 */
export class BreakerMetrics {
  private readonly kinds = new Map<string, ObservedBreakers>();
  private readonly openings: Counter<'breaker'>;

  constructor(registry: Registry) {
    const kinds = this.kinds;
    new Gauge({
      name: 'sagaflow_breakers_open',
      help: 'Circuit breakers not closed (open or half-open), by kind: redis, replica (0 or 1), http (one per host)',
      labelNames: ['breaker'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [breaker, observed] of kinds) this.set({ breaker }, observed.notClosed());
      },
    });
    this.openings = new Counter({
      name: 'sagaflow_breaker_openings_total',
      help: 'Times a circuit breaker opened (closed or half-open → open), by kind',
      labelNames: ['breaker'],
      registers: [registry],
    });
  }

  /** Reports the breakers of `kind` from now on (the latest registration of a kind is the gauge's). */
  track(kind: string, breakers: ObservedBreakers): void {
    this.kinds.set(kind, breakers);
    this.openings.inc({ breaker: kind }, 0);
    breakers.onOpen(() => this.openings.inc({ breaker: kind }));
  }
}
