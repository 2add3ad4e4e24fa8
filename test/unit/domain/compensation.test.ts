import { describe, expect, it } from '@jest/globals';

import { InvalidStateError } from '../../../src/domain/shared/domain-error.js';
import { definitionOf, isGapless, permanent, retryable, RunDriver, saga, task } from './support/builders.js';

describe('compensation order', () => {
  it('compensates a chain in reverse dependency order after a permanent failure', () => {
    // Given a → b → c completed and d failing for good
    const run = RunDriver.start(
      definitionOf({ tasks: [saga('a'), saga('b', ['a']), saga('c', ['b']), task('d', ['c'])] }),
    );
    run.complete('a');
    run.complete('b');
    run.complete('c');
    // When d fails non-retryably
    run.fail('d', permanent('card declined'));
    // Then the run compensates, starting with the deepest task only
    expect(run.status).toBe('COMPENSATING');
    expect(run.snapshot().error).toEqual({ taskKey: 'd', message: 'card declined' });
    expect(run.lastDispatched()).toEqual(['c~comp#1']);
    expect(run.task('c')).toMatchObject({ status: 'COMPENSATING', compensation: { status: 'QUEUED' } });
    run.compensated('c');
    expect(run.lastDispatched()).toEqual(['b~comp#1']);
    run.compensated('b');
    expect(run.lastDispatched()).toEqual(['a~comp#1']);
    run.compensated('a');
    expect(run.status).toBe('COMPENSATED');
    expect(run.statuses()).toEqual({ a: 'COMPENSATED', b: 'COMPENSATED', c: 'COMPENSATED', d: 'FAILED' });
    expect(run.lastEventTypes()).toEqual([
      'CompensationStarted:a',
      'CompensationCompleted:a',
      'RunCompensated',
    ]);
    expect(run.last.events.at(-1)?.data).toEqual({ error: { taskKey: 'd', message: 'card declined' } });
    expect(isGapless(run.events)).toBe(true);
  });

  it('compensates independent branches in parallel, in the same decision', () => {
    // root → left, root → right, and fail depends on both
    const run = RunDriver.start(
      definitionOf({
        tasks: [
          saga('root'),
          saga('left', ['root']),
          saga('right', ['root']),
          task('fail', ['left', 'right']),
        ],
      }),
    );
    run.complete('root');
    run.complete('left');
    run.complete('right');
    run.fail('fail', permanent());
    expect(run.lastDispatched().sort()).toEqual(['left~comp#1', 'right~comp#1']);
    run.compensated('right');
    expect(run.lastDispatched()).toEqual([]);
    run.compensated('left');
    expect(run.lastDispatched()).toEqual(['root~comp#1']);
  });

  it('looks through tasks without a compensation to their dependents', () => {
    // a(saga) → b(no compensation) → c(saga) and e fails
    const run = RunDriver.start(
      definitionOf({ tasks: [saga('a'), task('b', ['a']), saga('c', ['b']), task('e', ['c'])] }),
    );
    run.complete('a');
    run.complete('b');
    run.complete('c');
    run.fail('e', permanent());
    expect(run.lastDispatched()).toEqual(['c~comp#1']);
    run.compensated('c');
    expect(run.lastDispatched()).toEqual(['a~comp#1']);
    run.compensated('a');
    expect(run.statuses()).toEqual({ a: 'COMPENSATED', b: 'COMPLETED', c: 'COMPENSATED', e: 'FAILED' });
    expect(run.status).toBe('COMPENSATED');
  });

  it('holds back a compensation while a dependent is still on a worker, then compensates the late task', () => {
    // a → b and a → c; c fails for good while b is still on a worker
    const run = RunDriver.start(definitionOf({ tasks: [saga('a'), saga('b', ['a']), task('c', ['a'])] }));
    run.complete('a');
    run.started('b');
    run.fail('c', permanent());
    expect(run.status).toBe('COMPENSATING');
    expect(run.lastDispatched()).toEqual([]);
    expect(run.task('b').status).toBe('RUNNING');
    // When b completes late, it is compensated, and only then a
    run.complete('b', { id: 1 });
    expect(run.lastDispatched()).toEqual(['b~comp#1']);
    run.compensated('b');
    expect(run.lastDispatched()).toEqual(['a~comp#1']);
    run.compensated('a');
    expect(run.status).toBe('COMPENSATED');
  });

  it('releases the ancestors when the late task fails instead', () => {
    const run = RunDriver.start(definitionOf({ tasks: [saga('a'), saga('b', ['a']), task('c', ['a'])] }));
    run.complete('a');
    run.fail('c', permanent());
    expect(run.lastDispatched()).toEqual([]);
    run.fail('b', retryable());
    // no retry while compensating: b fails for good
    expect(run.task('b').status).toBe('FAILED');
    expect(run.lastDispatched()).toEqual(['a~comp#1']);
  });

  it('ends FAILED when there was nothing to compensate', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('a'), task('b', ['a']), task('c', ['b'])] }));
    run.complete('a');
    run.fail('b', permanent());
    expect(run.status).toBe('FAILED');
    expect(run.statuses()).toEqual({ a: 'COMPLETED', b: 'FAILED', c: 'SKIPPED' });
    expect(run.lastEventTypes()).toEqual(['TaskStarted:b', 'TaskFailed:b', 'TaskSkipped:c', 'RunFailed']);
  });
});

describe('compensation attempts', () => {
  it('dispatches the compensation with its own input, idempotency key and defaults', () => {
    const run = RunDriver.start(
      definitionOf({
        tasks: [
          task('reserve', [], {
            priority: 9,
            timeoutMs: 1000,
            compensation: {
              type: 'echo',
              input: { release: '${tasks.reserve.output.id}', sku: '${input.sku}' },
            },
          }),
          task('charge', ['reserve']),
        ],
      }),
      { id: 'r-7', input: { sku: 'S' } },
    );
    run.complete('reserve', { id: 'res-1' });
    run.fail('charge', permanent());
    expect(run.last.dispatches).toEqual([
      expect.objectContaining({
        taskKey: 'reserve',
        kind: 'compensation',
        attempt: 1,
        type: 'echo',
        input: { release: 'res-1', sku: 'S' },
        idempotencyKey: 'r-7:reserve:compensate',
        timeoutMs: 300000,
        priority: 5,
      }),
    ]);
    run.started('reserve', 'compensation');
    expect(run.task('reserve').compensation?.status).toBe('RUNNING');
    expect(run.lastEventTypes()).toEqual(['CompensationStarted:reserve']);
    run.compensated('reserve');
    expect(run.task('reserve').compensation).toMatchObject({ status: 'COMPLETED', output: {} });
  });

  it("retries a compensation with the default policy, not its task's", () => {
    const run = RunDriver.start(
      definitionOf({
        tasks: [saga('a', [], { retry: { maxAttempts: 1, initialIntervalMs: 5 } }), task('b', ['a'])],
      }),
    );
    run.complete('a');
    run.fail('b', permanent());
    run.fail('a', retryable(), 'compensation');
    expect(run.task('a').compensation?.status).toBe('RETRYING');
    expect(run.task('a').compensation?.timerAt).not.toBeNull();
    expect(run.last.events.find((e) => e.type === 'TaskRetryScheduled')?.data).toEqual({
      kind: 'compensation',
      delayMs: 1000,
      nextAttempt: 2,
    });
    run.fireNextTimer();
    expect(run.lastDispatched()).toEqual(['a~comp#2']);
    run.fail('a', retryable(), 'compensation');
    run.fireNextTimer();
    expect(run.lastDispatched()).toEqual(['a~comp#3']);
    run.fail('a', retryable(), 'compensation');
    expect(run.task('a')).toMatchObject({
      status: 'COMPENSATION_FAILED',
      compensation: { status: 'FAILED' },
    });
    expect(run.status).toBe('COMPENSATION_FAILED');
  });

  it('fires the safety timer of a compensation on a lost worker', () => {
    const run = RunDriver.start(definitionOf({ tasks: [saga('a'), task('b', ['a'])] }));
    run.complete('a');
    run.fail('b', permanent());
    run.fireNextTimer();
    expect(run.task('a').compensation).toMatchObject({ status: 'RETRYING', error: { code: 'timeout' } });
    run.fireNextTimer();
    expect(run.lastDispatched()).toEqual(['a~comp#2']);
    expect(run.complete('a', {}, 'compensation', 1)).toBe(false);
    expect(run.compensated('a')).toBe(true);
    expect(run.status).toBe('COMPENSATED');
  });

  it('ignores a duplicate compensation result', () => {
    const run = RunDriver.start(definitionOf({ tasks: [saga('a'), task('b', ['a'])] }));
    run.complete('a');
    run.fail('b', permanent());
    run.compensated('a');
    expect(run.status).toBe('COMPENSATED');
    expect(run.complete('a', {}, 'compensation', 1)).toBe(false);
    expect(run.last.events).toEqual([]);
  });
});

describe('COMPENSATION_FAILED and operator retry', () => {
  const chain = () =>
    RunDriver.start(definitionOf({ tasks: [saga('a'), saga('b', ['a']), task('c', ['b'])] }));

  it('stops at COMPENSATION_FAILED, leaving ancestors uncompensated, and resumes on retry', () => {
    const run = chain();
    run.complete('a');
    run.complete('b');
    run.fail('c', permanent());
    run.fail('b', permanent('cannot undo'), 'compensation');
    // Then b's compensation failed for good, a is not compensated and the run waits for an operator
    expect(run.status).toBe('COMPENSATION_FAILED');
    expect(run.statuses()).toEqual({ a: 'COMPLETED', b: 'COMPENSATION_FAILED', c: 'FAILED' });
    expect(run.lastEventTypes()).toEqual([
      'CompensationStarted:b',
      'CompensationFailed:b',
      'RunCompensationFailed',
    ]);
    expect(() => run.cancel()).toThrow(InvalidStateError);
    // When the operator retries
    run.retry();
    expect(run.status).toBe('COMPENSATING');
    expect(run.lastDispatched()).toEqual(['b~comp#2']);
    expect(run.last.events[0]).toMatchObject({ type: 'RunRetried', data: { from: 'COMPENSATION_FAILED' } });
    run.compensated('b');
    expect(run.lastDispatched()).toEqual(['a~comp#1']);
    run.compensated('a');
    // Then the run ends COMPENSATED
    expect(run.status).toBe('COMPENSATED');
    expect(isGapless(run.events)).toBe(true);
  });

  it('gives a retried compensation a fresh budget with growing attempt numbers', () => {
    const run = RunDriver.start(definitionOf({ tasks: [saga('a'), task('b', ['a'])] }));
    run.complete('a');
    run.fail('b', permanent());
    for (let i = 0; i < 3; i++) {
      run.fail('a', retryable(), 'compensation');
      run.fireNextTimer();
    }
    expect(run.status).toBe('COMPENSATION_FAILED');
    run.retry();
    expect(run.lastDispatched()).toEqual(['a~comp#4']);
    run.fail('a', retryable(), 'compensation');
    expect(run.task('a').compensation?.status).toBe('RETRYING');
    run.fireNextTimer();
    expect(run.lastDispatched()).toEqual(['a~comp#5']);
  });

  it('returns a cancelled run to CANCELLING on retry and ends CANCELLED', () => {
    const run = RunDriver.start(definitionOf({ tasks: [saga('a'), task('b', ['a'])] }));
    run.complete('a');
    run.started('b');
    run.cancel();
    // b is still on a worker: a's compensation waits for it
    expect(run.lastDispatched()).toEqual([]);
    run.complete('b');
    expect(run.lastDispatched()).toEqual(['a~comp#1']);
    run.fail('a', permanent(), 'compensation');
    expect(run.status).toBe('COMPENSATION_FAILED');
    expect(run.snapshot().cancelRequested).toBe(true);
    run.retry();
    expect(run.status).toBe('CANCELLING');
    run.compensated('a');
    expect(run.status).toBe('CANCELLED');
  });

  it('keeps a compensation whose input cannot resolve in COMPENSATION_FAILED, also after a retry', () => {
    const run = RunDriver.start(
      definitionOf({
        tasks: [
          task('a', [], { compensation: { type: 'noop', input: { id: '${tasks.a.output.id}' } } }),
          task('b', ['a']),
        ],
      }),
    );
    run.complete('a', {});
    run.fail('b', permanent());
    expect(run.task('a')).toMatchObject({
      status: 'COMPENSATION_FAILED',
      compensation: { status: 'FAILED', error: { code: 'template' } },
    });
    expect(run.task('a').compensation?.error?.message).toContain('tasks.a.output.id');
    expect(run.status).toBe('COMPENSATION_FAILED');
    // When the operator retries, the template still cannot resolve: the run goes back to waiting
    run.retry();
    expect(run.status).toBe('COMPENSATION_FAILED');
    expect(run.lastEventTypes()).toEqual(['RunRetried', 'CompensationFailed:a', 'RunCompensationFailed']);
    expect(isGapless(run.events)).toBe(true);
  });
});
