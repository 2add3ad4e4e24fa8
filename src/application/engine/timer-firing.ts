import type { RunStore } from '../ports/run-store.js';
import type { RunTracing } from '../ports/run-tracing.js';
import type { DecisionLoop } from './decision-loop.js';
import { DecisionTrace } from './decision-trace.js';

/** Use case: fire durable timers (retry backoff, delays, attempt timeouts) that are due. */
export class TimerFiring {
  constructor(
    private readonly loop: DecisionLoop,
    private readonly store: RunStore,
    private readonly tracing: RunTracing,
  ) {}

  /** Fires the due durable timers of up to `limit` runs; returns how many runs were due. */
  async fireDue(limit: number): Promise<number> {
    const ids = await this.store.runsWithDueTimers(this.loop.clock.now(), limit);
    if (ids.length === 0) return 0;
    // The database says these are due: decide on its state, not on a possibly older cached one.
    this.loop.runs.forget(ids);
    await this.fire(ids, 'sweep');
    return ids.length;
  }

  /** An in-process alarm went off for one run (TimerScheduler). */
  fireRun(runId: string): Promise<void> {
    return this.fire([runId], 'alarm');
  }

  private async fire(ids: string[], source: 'alarm' | 'sweep'): Promise<void> {
    const trace = DecisionTrace.start(this.tracing);
    await this.loop.decide(ids, trace, (runs, ctx) => {
      for (const run of runs.values()) {
        const from = run.pendingDispatchCount;
        if (run.fireDueTimers(ctx)) trace?.timer(run, from, source);
      }
    });
  }
}
