import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { cloneRunState } from '../../../src/domain/run/clone-run.js';
import type { RunSnapshot } from '../../../src/domain/run/run-snapshot.js';
import { driveScenario, scenarioArb } from './support/run-scenarios.js';

/** Freezes every object reachable from `value`, so that any write into it throws (ESM is strict). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * The aggregate copies its state with `cloneRunState` (three levels, the rest shared) instead of
 * `structuredClone`. That is only sound if nothing the aggregate does writes below those levels.
 */
describe('property: a run never writes into the snapshot it came from or handed out', () => {
  it('decides every scenario on a state restored from a deeply frozen snapshot, and leaves handed-out snapshots as they were', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const handedOut: Array<{ snapshot: RunSnapshot; copy: RunSnapshot }> = [];
        driveScenario(s, (run) => {
          const snapshot = run.snapshot();
          expect(cloneRunState(snapshot)).toStrictEqual(structuredClone(snapshot));
          handedOut.push({ snapshot, copy: structuredClone(snapshot) });
          // From here on the run decides on a copy of a frozen snapshot: a write that reaches
          // into shared values throws a TypeError and fails the property.
          run.restore(deepFreeze(run.snapshot()));
        });
        for (const { snapshot, copy } of handedOut) expect(snapshot).toStrictEqual(copy);
      }),
      { numRuns: 500 },
    );
  });
});
