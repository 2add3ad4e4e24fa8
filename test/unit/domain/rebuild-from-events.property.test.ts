import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { dispatchOf } from '../../../src/domain/run/event-dispatch.js';
import { evolve } from '../../../src/domain/run/evolve.js';
import { initialRunState } from '../../../src/domain/run/new-run.js';
import type { RunSnapshot } from '../../../src/domain/run/run-snapshot.js';
import { at, newRunOf } from './support/builders.js';
import { definitionFor, driveScenario, scenarioArb, startOptionsFor } from './support/run-scenarios.js';

/**
 * docs/architecture.md, "The run aggregate decides, the saga persists": the state changes only
 * by events, so folding a run's whole history with `evolve` from the state it was born in gives
 * exactly the snapshot the aggregate holds — after every step, whatever the steps were.
 */
describe('property: a run is the fold of its events', () => {
  it('rebuilds the snapshot from the event history after every step, and the dispatches from it', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const initial = initialRunState(newRunOf(definitionFor(s), startOptionsFor(s)), at(0));
        let rebuilt: RunSnapshot = initial;
        let folded = 0;
        const run = driveScenario(s, (r) => {
          // Incremental: the same left fold as from scratch, one step further each time.
          for (; folded < r.events.length; folded++) rebuilt = evolve(rebuilt, r.events[folded]!);
          expect(rebuilt).toStrictEqual(r.snapshot());
          r.last.events.forEach((e) => seen.add(e.type));
        });
        expect(run.events.reduce(evolve, initial)).toStrictEqual(run.snapshot());
        expect(run.events.map(dispatchOf).filter((d) => d !== null)).toStrictEqual(run.dispatches);
      }),
      { numRuns: 1000 },
    );
    // The generator reaches every kind of event, so the fold is exercised for each of them.
    expect([...seen].sort()).toEqual(
      [
        'CompensationCompleted',
        'CompensationFailed',
        'CompensationQueued',
        'CompensationStarted',
        'RunCancelRequested',
        'RunCancelled',
        'RunCompensated',
        'RunCompensationFailed',
        'RunCompleted',
        'RunFailed',
        'RunRetried',
        'RunStarted',
        'TaskCancelled',
        'TaskCompleted',
        'TaskFailed',
        'TaskQueued',
        'TaskRetryScheduled',
        'TaskSkipped',
        'TaskStarted',
      ].sort(),
    );
  });
});
