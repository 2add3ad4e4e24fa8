import { describe, expect, it } from '@jest/globals';
import Compile from 'typebox/compile';
import { RUN_EVENT_SCHEMAS, RunEventSchema } from '../../../src/application/contracts/run-events.js';
import { eventView } from '../../../src/application/queries/run-view.js';
import { RUN_EVENT_TYPES, type RunEvent } from '../../../src/domain/run/run-events.js';
import { definitionOf, permanent, retryable, RunDriver, saga, task } from '../domain/support/builders.js';

const RUN = '0b7c6a52-2f7e-4d47-9a55-0f3c1d2e4b6a';
const retry2 = { retry: { maxAttempts: 2, initialIntervalMs: 10 } };

/** Runs of the domain aggregate that between them write every event type. */
function recordedEvents(): RunEvent[] {
  const events: RunEvent[] = [];
  // A saga whose second task fails twice: retry, skip, compensation, RunCompensated.
  const compensated = RunDriver.start(
    definitionOf({ name: 's', tasks: [saga('a'), task('b', ['a'], retry2), task('c', ['b'])] }),
    { id: RUN },
  );
  compensated.complete('a');
  compensated.fail('b', retryable());
  compensated.fireNextTimer();
  compensated.fail('b', permanent());
  compensated.compensated('a');
  events.push(...compensated.events);
  // A cancel while a task waits for its retry: TaskCancelled, RunCancelled.
  const cancelled = RunDriver.start(definitionOf({ name: 'c', tasks: [task('a', [], retry2)] }), { id: RUN });
  cancelled.fail('a', retryable());
  cancelled.cancel('enough');
  events.push(...cancelled.events);
  // A compensation that fails for good, retried by an operator; then a plain failure and a success.
  const compFailed = RunDriver.start(
    definitionOf({ name: 'f', tasks: [task('a', [], { compensation: { type: 'noop' } }), task('b', ['a'])] }),
    { id: RUN },
  );
  compFailed.complete('a');
  compFailed.fail('b', permanent());
  compFailed.fail('a', permanent(), 'compensation');
  compFailed.retry();
  events.push(...compFailed.events);
  const failed = RunDriver.start(definitionOf({ name: 'x', tasks: [task('a')] }), { id: RUN });
  failed.fail('a', permanent());
  events.push(...failed.events);
  const completed = RunDriver.start(definitionOf({ name: 'ok', tasks: [task('a')] }), { id: RUN });
  completed.complete('a');
  events.push(...completed.events);
  return events;
}

describe('run event schemas (docs/events.md#catalogue)', () => {
  it('has one schema per event type', () => {
    expect(Object.keys(RUN_EVENT_SCHEMAS).sort()).toEqual([...RUN_EVENT_TYPES].sort());
  });

  it('accepts every event the aggregate writes, each under its own type only', () => {
    const events = recordedEvents().map(eventView);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(RUN_EVENT_TYPES));
    const any = Compile(RunEventSchema);
    for (const event of events) {
      const own = Compile(RUN_EVENT_SCHEMAS[event.type]);
      expect({ type: event.type, errors: own.Errors(event) }).toEqual({ type: event.type, errors: [] });
      expect(any.Check(event)).toBe(true);
      const other = RUN_EVENT_TYPES.find((t) => t !== event.type)!;
      expect(Compile(RUN_EVENT_SCHEMAS[other]).Check(event)).toBe(false);
    }
  });
});
