import { describe, expect, it } from '@jest/globals';
import { at, definitionOf, permanent, RunDriver, saga, task } from './support/builders.js';

describe('queueTimeoutMs: validation and defaults (docs/contract.md#task-configuration-and-defaults)', () => {
  it('defaults to 300000 on tasks and compensations', () => {
    const def = definitionOf({ tasks: [saga('a')] });
    expect(def.tasks[0]).toMatchObject({ queueTimeoutMs: 300000, compensation: { queueTimeoutMs: 300000 } });
  });

  it('accepts its own value on a task and on a compensation, independently', () => {
    const def = definitionOf({
      tasks: [task('a', [], { queueTimeoutMs: 1000, compensation: { type: 'noop', queueTimeoutMs: 2000 } })],
    });
    expect(def.tasks[0]).toMatchObject({ queueTimeoutMs: 1000, compensation: { queueTimeoutMs: 2000 } });
  });
});

describe('queueTimeoutMs: the schedule-to-start timer (docs/contract.md#timeouts)', () => {
  const oneTask = (extra: Record<string, unknown> = {}) =>
    definitionOf({ tasks: [task('a', [], { timeoutMs: 60_000, queueTimeoutMs: 5000, ...extra })] });

  it('arms queuedAt + queueTimeoutMs while queued, whatever timeoutMs is', () => {
    const run = RunDriver.start(oneTask());
    expect(run.task('a')).toMatchObject({ status: 'QUEUED', queuedAt: at(0), timerAt: at(5000) });
  });

  it('fails a never-started attempt retryably with code timeout, without a TaskStarted', () => {
    const run = RunDriver.start(oneTask());
    expect(run.fireNextTimer()).toBe(true);
    expect(run.task('a')).toMatchObject({
      status: 'RETRYING',
      startedAt: null,
      finishedAt: at(5000),
      error: { code: 'timeout' },
    });
    expect(run.task('a').error?.message).toContain('schedule-to-start');
    expect(run.lastEventTypes()).toEqual(['TaskFailed:a', 'TaskRetryScheduled:a']);
    expect(run.last.events[0]?.data).toMatchObject({ final: false, error: { code: 'timeout' } });
    // the retry is queued under a fresh schedule-to-start timer
    run.fireNextTimer();
    expect(run.lastDispatched()).toEqual(['a#2']);
    expect(run.task('a').timerAt).toEqual(at(run.clock + 5000));
  });

  it('fails the task for good when the budget is spent, and the run with it', () => {
    const run = RunDriver.start(oneTask({ retry: { maxAttempts: 1 } }));
    run.fireNextTimer();
    expect(run.task('a')).toMatchObject({ status: 'FAILED', error: { code: 'timeout' } });
    expect(run.status).toBe('FAILED');
  });

  it('compensates what completed when a queued task times out for good', () => {
    const run = RunDriver.start(
      definitionOf({
        tasks: [saga('a'), task('b', ['a'], { queueTimeoutMs: 100, retry: { maxAttempts: 1 } })],
      }),
    );
    run.complete('a');
    run.fireNextTimer();
    expect(run.task('b').status).toBe('FAILED');
    expect(run.lastDispatched()).toEqual(['a~comp#1']);
  });

  it('switches to the start-to-close timer once a worker reports the start', () => {
    const run = RunDriver.start(oneTask());
    run.started('a');
    // startedAt + timeoutMs + 30 s of grace
    expect(run.task('a').timerAt).toEqual(at(1 + 60_000 + 30_000));
    expect(run.fireNextTimer()).toBe(true);
    expect(run.task('a').error?.message).toBe('no result from a worker within the attempt timeout');
  });

  it('times out a queued compensation with its own queueTimeoutMs', () => {
    const run = RunDriver.start(
      definitionOf({
        tasks: [task('a', [], { compensation: { type: 'noop', queueTimeoutMs: 700 } }), task('b', ['a'])],
      }),
    );
    run.complete('a');
    run.fail('b', permanent());
    expect(run.task('a').compensation?.timerAt).toEqual(at(run.clock + 700));
    run.fireNextTimer();
    expect(run.task('a').compensation).toMatchObject({
      status: 'RETRYING',
      startedAt: null,
      error: { code: 'timeout' },
    });
  });

  it('ignores a late result of the timed-out attempt', () => {
    const run = RunDriver.start(oneTask());
    run.fireNextTimer();
    expect(run.complete('a', {}, 'task', 1)).toBe(false);
    expect(run.started('a', 'task', 1)).toBe(false);
  });
});

describe('cancel of attempts no worker has started (docs/contract.md#operator-commands-cancel-and-retry)', () => {
  it('cancels queued attempts at once, so the run ends CANCELLED without waiting for a worker', () => {
    // Given a and b queued, never started
    const run = RunDriver.start(definitionOf({ tasks: [saga('a'), task('b'), task('c', ['a'])] }));
    // When the run is cancelled
    expect(run.cancel('no workers')).toBe(true);
    // Then both attempts are cancelled, c is skipped, and the run is CANCELLED
    expect(run.lastEventTypes()).toEqual([
      'RunCancelRequested',
      'TaskCancelled:a',
      'TaskCancelled:b',
      'TaskSkipped:c',
      'RunCancelled',
    ]);
    expect(run.statuses()).toEqual({ a: 'CANCELLED', b: 'CANCELLED', c: 'SKIPPED' });
    expect(run.task('a')).toMatchObject({ timerAt: null, finishedAt: at(run.clock), startedAt: null });
    expect(run.status).toBe('CANCELLED');
    expect(run.run.nextTimerAt()).toBeNull();
    // a worker taking the message later changes nothing
    expect(run.started('a', 'task', 1)).toBe(false);
    expect(run.complete('a', {}, 'task', 1)).toBe(false);
  });

  it('cancels the queued attempts but waits for the started one, then compensates it', () => {
    const run = RunDriver.start(definitionOf({ tasks: [saga('a'), saga('b'), saga('c', ['a', 'b'])] }));
    run.started('a');
    run.cancel();
    expect(run.statuses()).toEqual({ a: 'RUNNING', b: 'CANCELLED', c: 'SKIPPED' });
    expect(run.status).toBe('CANCELLING');
    run.complete('a');
    expect(run.lastDispatched()).toEqual(['a~comp#1']);
    run.compensated('a');
    expect(run.status).toBe('CANCELLED');
  });

  it('keeps queued attempts on a failure (only a cancel stops them)', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('a'), task('b')] }));
    run.fail('b', permanent());
    expect(run.statuses()).toEqual({ a: 'QUEUED', b: 'FAILED' });
    expect(run.status).toBe('COMPENSATING');
  });

  it('ends the run CANCELLED, a final status no retry leaves', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('a'), task('b')] }));
    run.cancel();
    expect(run.status).toBe('CANCELLED');
    expect(() => run.retry()).toThrow();
  });
});
