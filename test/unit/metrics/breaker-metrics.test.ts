import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { BreakerMetrics } from '../../../src/infrastructure/metrics/breaker-metrics.js';

/** Breakers a test opens and closes by hand, as an owner's events would. */
class HandBreakers {
  open = 0;
  private readonly listeners: (() => void)[] = [];

  notClosed = () => this.open;
  onOpen = (listener: () => void) => this.listeners.push(listener);

  trip(): void {
    this.open += 1;
    for (const listener of this.listeners) listener();
  }
}

async function sample(registry: Registry, name: string, breaker: string): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.find((v) => v.labels.breaker === breaker)?.value;
}

describe('BreakerMetrics', () => {
  it('exports each kind at 0 once tracked, then its open breakers and every opening', async () => {
    const registry = new Registry();
    const metrics = new BreakerMetrics(registry);
    const http = new HandBreakers();
    metrics.track('http', http);
    expect(await sample(registry, 'sagaflow_breakers_open', 'http')).toBe(0);
    expect(await sample(registry, 'sagaflow_breaker_openings_total', 'http')).toBe(0);

    http.trip();
    http.trip();
    expect(await sample(registry, 'sagaflow_breakers_open', 'http')).toBe(2);
    http.open = 0; // both closed again: the gauge falls, the counter keeps the openings
    expect(await sample(registry, 'sagaflow_breakers_open', 'http')).toBe(0);
    expect(await sample(registry, 'sagaflow_breaker_openings_total', 'http')).toBe(2);
    expect(await sample(registry, 'sagaflow_breaker_openings_total', 'redis')).toBeUndefined();
  });
});
