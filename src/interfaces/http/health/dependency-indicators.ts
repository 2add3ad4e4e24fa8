import type { HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import type { DependencyProbe } from './readiness.js';

/** A probe that hangs must not hang the readiness answer: it counts as down. */
export const PROBE_TIMEOUT_MS = 3000;

/**
 * Terminus indicators for the probes: each runs with a timeout and is `up` or `down` (with the
 * reason and its response time); an optional dependency that is down is shown as terminus's
 * `degraded` instead, which keeps it in `info` and the answer 200.
 */
export function dependencyIndicators(
  indicators: HealthIndicatorService,
  probes: readonly DependencyProbe[],
): HealthIndicatorFunction[] {
  return probes.map((probe) => async () => {
    const session = indicators.check(probe.name);
    const result = await session
      .attempt(async ({ signal }) => {
        if (!(await probe.check(signal))) throw new Error('not ready');
      })
      .withTimeout(PROBE_TIMEOUT_MS);
    const { status, ...detail } = result[probe.name]!;
    return status === 'down' && probe.required === false ? session.degraded(detail) : result;
  });
}
