import { describe, expect, it } from '@jest/globals';

import { WorkflowRun } from '../../../src/domain/run/workflow-run.js';
import { InvalidStateError } from '../../../src/domain/shared/domain-error.js';
import {
  at,
  definitionOf,
  isGapless,
  permanent,
  retryable,
  RunDriver,
  saga,
  task,
} from './support/builders.js';

describe('WorkflowRun: the happy path', () => {
  it('runs a chain one task at a time and completes with the output of the last task', () => {
    // Given a chain a → b → c
    const run = RunDriver.start(definitionOf({ tasks: [task('a'), task('b', ['a']), task('c', ['b'])] }));
    // Then only the root is dispatched, and the run is RUNNING
    expect(run.status).toBe('RUNNING');
    expect(run.lastDispatched()).toEqual(['a#1']);
    expect(run.statuses()).toEqual({ a: 'QUEUED', b: 'PENDING', c: 'PENDING' });
    // When each task completes, the next one is queued
    run.complete('a', { n: 1 });
    expect(run.lastDispatched()).toEqual(['b#1']);
    run.complete('b', { n: 2 });
    expect(run.lastDispatched()).toEqual(['c#1']);
    run.complete('c', { n: 3 });
    // Then the run is COMPLETED with the default output: the tasks nothing depends on
    expect(run.status).toBe('COMPLETED');
    expect(run.snapshot().output).toEqual({ c: { n: 3 } });
    expect(run.lastEventTypes()).toEqual(['TaskStarted:c', 'TaskCompleted:c', 'RunCompleted']);
    expect(run.snapshot().finishedAt).toEqual(at(run.clock));
  });

  it('fans out in parallel and fans in once every dependency has completed', () => {
    const run = RunDriver.start(
      definitionOf({
        tasks: [task('root'), task('l', ['root']), task('r', ['root']), task('join', ['l', 'r'])],
      }),
    );
    run.complete('root');
    expect(run.lastDispatched()).toEqual(['l#1', 'r#1']);
    run.complete('l');
    expect(run.lastDispatched()).toEqual([]);
    expect(run.task('join').status).toBe('PENDING');
    run.complete('r');
    expect(run.lastDispatched()).toEqual(['join#1']);
    run.complete('join', 'done');
    expect(run.status).toBe('COMPLETED');
    expect(run.snapshot().output).toEqual({ join: 'done' });
  });

  it('dispatches independent roots together and keeps several leaves in the default output', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('x'), task('y')] }));
    expect(run.lastDispatched()).toEqual(['x#1', 'y#1']);
    run.complete('y', 2);
    run.complete('x', 1);
    expect(run.snapshot().output).toEqual({ x: 1, y: 2 });
  });

  it('resolves the run output template', () => {
    const run = RunDriver.start(
      definitionOf({
        tasks: [task('a'), task('b', ['a'])],
        output: { first: '${tasks.a.output.v}', all: '${tasks.b.output}', sku: 'sku-${input.sku}' },
      }),
      { input: { sku: 'X' } },
    );
    run.complete('a', { v: 1 });
    run.complete('b', [1, 2]);
    expect(run.snapshot().output).toEqual({ first: 1, all: [1, 2], sku: 'sku-X' });
  });

  it('fails the run when its output template resolves to nothing, naming the path', () => {
    const run = RunDriver.start(
      definitionOf({ tasks: [saga('a')], output: { v: '${tasks.a.output.missing}' } }),
    );
    run.complete('a', {});
    expect(run.status).toBe('COMPENSATING');
    expect(run.snapshot().error).toEqual({
      taskKey: null,
      message: expect.stringContaining('tasks.a.output.missing'),
    });
    run.compensated('a');
    expect(run.status).toBe('COMPENSATED');
  });

  it('builds the dispatch from the definition: resolved input, idempotency key, timeout, priority', () => {
    const run = RunDriver.start(
      definitionOf({
        tasks: [
          task('a'),
          task('b', ['a'], {
            type: 'echo',
            input: { id: '${tasks.a.output.id}', label: 'a=${tasks.a.output.id}', n: '${input.n}' },
            timeoutMs: 1500,
            priority: 8,
          }),
        ],
      }),
      { id: 'r-9', input: { n: [1] } },
    );
    expect(run.last.dispatches[0]).toMatchObject({
      taskKey: 'a',
      kind: 'task',
      attempt: 1,
      type: 'noop',
      idempotencyKey: 'r-9:a',
      priority: 5,
      timeoutMs: 300000,
      queuedAt: at(0),
    });
    run.complete('a', { id: 42 });
    expect(run.last.dispatches).toEqual([
      {
        taskKey: 'b',
        kind: 'task',
        attempt: 1,
        type: 'echo',
        input: { id: 42, label: 'a=42', n: [1] },
        idempotencyKey: 'r-9:b',
        timeoutMs: 1500,
        priority: 8,
        queuedAt: at(run.clock),
      },
    ]);
  });

  it("lets the run's priority override every task's priority", () => {
    const run = RunDriver.start(
      definitionOf({ tasks: [task('a', [], { priority: 9 }), task('b', [], { priority: 1 })] }),
      { priority: 2 },
    );
    expect(run.last.dispatches.map((d) => d.priority)).toEqual([2, 2]);
  });

  it('records RunStarted as seq 1 and numbers every event without a gap', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('a'), task('b', ['a'])] }));
    expect(run.events[0]).toMatchObject({ seq: 1, type: 'RunStarted', taskKey: null, attempt: null });
    run.complete('a');
    run.complete('b');
    expect(isGapless(run.events)).toBe(true);
    expect(run.snapshot().lastSeq).toBe(run.events.length);
    expect(run.events.map((e) => e.type)).toEqual([
      'RunStarted',
      'TaskQueued',
      'TaskStarted',
      'TaskCompleted',
      'TaskQueued',
      'TaskStarted',
      'TaskCompleted',
      'RunCompleted',
    ]);
  });

  it('hands each change out once', () => {
    const run = WorkflowRun.create(
      {
        id: 'r',
        definition: definitionOf({ tasks: [task('a')] }),
        namespace: 'default',
        definitionRef: { name: 'wf', version: 1, inline: false },
        input: {},
        priority: null,
        idempotencyKey: null,
        requestHash: null,
      },
      { now: at(0), random: () => 0 },
    );
    const first = run.pullChanges();
    expect(first.events.length).toBeGreaterThan(0);
    expect(first.changedTasks).toEqual(['a']);
    expect(run.pullChanges()).toEqual({ events: [], dispatches: [], changedTasks: [] });
  });

  it('counts the dispatches pending since the last pull, so each can be traced to its cause', () => {
    const definition = definitionOf({ tasks: [task('a'), task('b', ['a']), task('c', ['a'])] });
    const { run } = RunDriver.start(definition);
    expect(run.pendingDispatchCount).toBe(0);
    run.applyOutcome(
      {
        taskKey: 'a',
        kind: 'task',
        attempt: 1,
        outcome: 'completed',
        output: {},
        startedAt: at(1),
        finishedAt: at(2),
      },
      { now: at(3), random: () => 0 },
    );
    expect(run.pendingDispatchCount).toBe(2);
    expect(run.pullChanges().dispatches.map((d) => d.taskKey)).toEqual(['b', 'c']);
    expect(run.pendingDispatchCount).toBe(0);
  });

  it('survives a snapshot / restore round trip', () => {
    const definition = definitionOf({ tasks: [task('a'), task('b', ['a'])] });
    const run = RunDriver.start(definition);
    run.complete('a');
    const restored = WorkflowRun.restore(run.snapshot(), definition);
    expect(restored.snapshot()).toEqual(run.snapshot());
    expect(
      restored.applyOutcome(
        {
          taskKey: 'b',
          kind: 'task',
          attempt: 1,
          outcome: 'completed',
          output: 1,
          startedAt: at(5),
          finishedAt: at(6),
        },
        { now: at(7), random: () => 0 },
      ),
    ).toBe(true);
    expect(restored.status).toBe('COMPLETED');
    expect(restored.pullChanges().events[0]?.seq).toBe(run.events.length + 1);
  });
});

describe('WorkflowRun: started reports and stale results', () => {
  it('moves a task from QUEUED to RUNNING on a started report, once', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('a', [], { timeoutMs: 1000 })] }));
    expect(run.started('a')).toBe(true);
    expect(run.task('a')).toMatchObject({ status: 'RUNNING', startedAt: at(1) });
    expect(run.lastEventTypes()).toEqual(['TaskStarted:a']);
    expect(run.started('a')).toBe(false);
    expect(run.last.events).toEqual([]);
    run.complete('a');
    // the start is not recorded twice when the result comes
    expect(run.events.filter((e) => e.type === 'TaskStarted')).toHaveLength(1);
  });

  it('records the start together with the result of a fast task', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('a')] }));
    run.complete('a');
    expect(run.lastEventTypes()).toEqual(['TaskStarted:a', 'TaskCompleted:a', 'RunCompleted']);
  });

  it('ignores a duplicate result, writing no event', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('a'), task('b', ['a'])] }));
    expect(run.complete('a', 1)).toBe(true);
    const seq = run.snapshot().lastSeq;
    expect(run.complete('a', 2, 'task', 1)).toBe(false);
    expect(run.fail('a', permanent(), 'task', 1)).toBe(false);
    expect(run.started('a', 'task', 1)).toBe(false);
    expect(run.last).toEqual({ events: [], dispatches: [] });
    expect(run.snapshot().lastSeq).toBe(seq);
    expect(run.task('a').output).toBe(1);
  });

  it('ignores a result for another attempt, an unknown task or a compensation that never ran', () => {
    const run = RunDriver.start(
      definitionOf({ tasks: [saga('a', [], { retry: { initialIntervalMs: 10 } })] }),
    );
    expect(run.complete('a', {}, 'task', 2)).toBe(false);
    expect(run.complete('a', {}, 'task', 0)).toBe(false);
    expect(run.complete('ghost', {}, 'task', 1)).toBe(false);
    expect(run.complete('a', {}, 'compensation', 1)).toBe(false);
    expect(run.events).toHaveLength(2);
    // a retrying task ignores the late result of its failed attempt
    run.fail('a', retryable());
    expect(run.task('a').status).toBe('RETRYING');
    expect(run.complete('a', {}, 'task', 1)).toBe(false);
    run.fireNextTimer();
    expect(run.complete('a', {}, 'task', 1)).toBe(false);
    expect(run.task('a')).toMatchObject({ status: 'QUEUED', attempt: 2 });
  });
});

describe('WorkflowRun: retries', () => {
  it('retries a retryable failure after the backoff and then succeeds', () => {
    const run = RunDriver.start(
      definitionOf({ tasks: [task('a', [], { retry: { maxAttempts: 3, initialIntervalMs: 100 } })] }),
    );
    run.fail('a', retryable('flaky'));
    expect(run.task('a')).toMatchObject({
      status: 'RETRYING',
      error: { message: 'flaky' },
      timerAt: at(101),
    });
    expect(run.last.events.map((e) => [e.type, e.attempt, e.data])).toEqual([
      ['TaskStarted', 1, {}],
      ['TaskFailed', 1, { final: false, error: { message: 'flaky' } }],
      ['TaskRetryScheduled', 1, { kind: 'task', delayMs: 100, nextAttempt: 2 }],
    ]);
    expect(run.lastDispatched()).toEqual([]);
    // When the backoff timer fires, attempt 2 is dispatched
    run.fireNextTimer();
    expect(run.lastDispatched()).toEqual(['a#2']);
    run.fail('a', retryable());
    expect(run.task('a').timerAt).toEqual(at(run.clock + 200));
    run.fireNextTimer();
    run.complete('a', 'ok');
    expect(run.status).toBe('COMPLETED');
    expect(run.task('a')).toMatchObject({ status: 'COMPLETED', attempt: 3, error: null, output: 'ok' });
  });

  it('fails for good once maxAttempts attempts have failed', () => {
    const run = RunDriver.start(
      definitionOf({ tasks: [task('a', [], { retry: { maxAttempts: 2, initialIntervalMs: 1 } })] }),
    );
    run.fail('a');
    run.fireNextTimer();
    run.fail('a');
    expect(run.task('a')).toMatchObject({ status: 'FAILED', attempt: 2 });
    expect(run.last.events.find((e) => e.type === 'TaskFailed')?.data).toMatchObject({ final: true });
    expect(run.status).toBe('FAILED');
  });

  it('ends a non-retryable failure at once, whatever the budget', () => {
    const run = RunDriver.start(
      definitionOf({ tasks: [task('a', [], { retry: { maxAttempts: 10 } }), task('b', ['a'])] }),
    );
    run.fail('a', permanent('HTTP 400'));
    expect(run.task('a')).toMatchObject({ status: 'FAILED', attempt: 1, timerAt: null });
    expect(run.status).toBe('FAILED');
    expect(run.snapshot().error).toEqual({ taskKey: 'a', message: 'HTTP 400' });
    expect(run.lastEventTypes()).toEqual(['TaskStarted:a', 'TaskFailed:a', 'TaskSkipped:b', 'RunFailed']);
  });

  it('honours retryAfterMs over the policy', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('a')] }));
    run.fail('a', { message: '429', retryable: true, retryAfterMs: 7000 });
    expect(run.task('a').timerAt).toEqual(at(run.clock + 7000));
  });

  it('fires the safety timer of a lost worker as a retryable failure', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('a', [], { timeoutMs: 1000 })] }));
    const queuedTimer = run.task('a').timerAt;
    expect(queuedTimer).not.toBeNull();
    run.started('a');
    // once started, the timer counts from the start
    expect(run.task('a').timerAt!.getTime()).toBeLessThan(queuedTimer!.getTime());
    expect(run.run.fireDueTimers({ now: at(1000), random: () => 0.5 })).toBe(false);
    run.fireNextTimer();
    expect(run.task('a')).toMatchObject({ status: 'RETRYING', error: { code: 'timeout' } });
    expect(run.last.events.find((e) => e.type === 'TaskFailed')?.data).toMatchObject({ final: false });
    run.fireNextTimer();
    expect(run.lastDispatched()).toEqual(['a#2']);
    // the lost worker's late result is ignored
    expect(run.complete('a', {}, 'task', 1)).toBe(false);
    expect(run.complete('a', {}, 'task', 2)).toBe(true);
  });
});

describe('WorkflowRun: timers that fire together', () => {
  it('queues no retry once another timer in the same batch has failed a task for good', () => {
    // Given a (one attempt, on a lost worker) and b (waiting to retry) whose timers are due at once
    const run = RunDriver.start(
      definitionOf({
        tasks: [
          task('a', [], { timeoutMs: 1000, retry: { maxAttempts: 1 } }),
          task('b', [], { retry: { initialIntervalMs: 1000 } }),
        ],
      }),
    );
    run.fail('b');
    const due = run.task('a').timerAt!;
    expect(run.task('b').timerAt!.getTime()).toBeLessThanOrEqual(due.getTime());
    // When both fire in one decision
    run.run.fireDueTimers({ now: due, random: () => 0.5 });
    const changes = run.run.pullChanges();
    // Then a has failed for good, b is cancelled rather than re-queued, and nothing is dispatched
    expect(changes.dispatches).toEqual([]);
    expect(run.statuses()).toEqual({ a: 'FAILED', b: 'CANCELLED' });
    expect(run.status).toBe('FAILED');
  });
});

describe('WorkflowRun: delay tasks', () => {
  const delayed = definitionOf({
    tasks: [
      task('wait', [], { type: 'delay', input: { ms: '${input.ms}' } }),
      task('after', ['wait']),
      saga('other'),
    ],
  });

  it('starts a delay without a dispatch and completes it when its timer fires', () => {
    const run = RunDriver.start(delayed, { input: { ms: 500 } });
    expect(run.lastDispatched()).toEqual(['other#1']);
    expect(run.task('wait')).toMatchObject({ status: 'RUNNING', startedAt: at(0), timerAt: at(500) });
    expect(run.events.filter((e) => e.taskKey === 'wait').map((e) => e.type)).toEqual([
      'TaskQueued',
      'TaskStarted',
    ]);
    expect(run.fireNextTimer()).toBe(true);
    expect(run.task('wait')).toMatchObject({ status: 'COMPLETED', output: {}, finishedAt: at(500) });
    expect(run.lastDispatched()).toEqual(['after#1']);
  });

  it('cancels a running delay when the run fails', () => {
    const run = RunDriver.start(delayed, { input: { ms: 500 } });
    run.fail('other', permanent());
    expect(run.task('wait')).toMatchObject({ status: 'CANCELLED', timerAt: null });
    expect(run.statuses()).toEqual({ wait: 'CANCELLED', after: 'SKIPPED', other: 'FAILED' });
    expect(run.status).toBe('FAILED');
    expect(run.run.nextTimerAt()).toBeNull();
  });

  it('fails a delay whose ms does not resolve to a number, non-retryably', () => {
    const run = RunDriver.start(delayed, { input: { ms: 'soon' } });
    expect(run.task('wait')).toMatchObject({ status: 'FAILED', error: { code: 'template' } });
    expect(run.task('wait').error?.message).toMatch(/ms/);
    expect(run.statuses()).toEqual({ wait: 'FAILED', after: 'SKIPPED', other: 'SKIPPED' });
    expect(run.status).toBe('FAILED');
  });
});

describe('WorkflowRun: unresolvable templates', () => {
  it('fails the task non-retryably at queue time, naming the path', () => {
    const run = RunDriver.start(
      definitionOf({
        tasks: [
          task('a'),
          task('b', ['a'], { input: { id: '${tasks.a.output.body.id}' }, retry: { maxAttempts: 5 } }),
        ],
      }),
    );
    run.complete('a', { body: {} });
    expect(run.task('b')).toMatchObject({
      status: 'FAILED',
      attempt: 1,
      error: { code: 'template', message: expect.stringContaining('tasks.a.output.body.id') },
    });
    expect(run.lastDispatched()).toEqual([]);
    expect(run.status).toBe('FAILED');
    expect(run.snapshot().error).toEqual({
      taskKey: 'b',
      message: expect.stringContaining('tasks.a.output.body.id'),
    });
  });

  it('fails a root task on missing run input', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('a', [], { input: { sku: '${input.sku}' } })] }));
    expect(run.task('a').error?.message).toContain('input.sku');
    expect(run.status).toBe('FAILED');
  });

  it('queues nothing more after a template failure in the same decision', () => {
    const run = RunDriver.start(
      definitionOf({ tasks: [task('bad', [], { input: { v: '${input.nope}' } }), task('good')] }),
    );
    expect(run.lastDispatched()).toEqual([]);
    expect(run.statuses()).toEqual({ bad: 'FAILED', good: 'SKIPPED' });
    expect(run.status).toBe('FAILED');
  });
});

describe('WorkflowRun: operator retry of a FAILED run', () => {
  it('re-runs the failed task with attempt numbers that keep growing, then continues', () => {
    // Given a task that failed its three attempts and a dependent that was skipped
    const run = RunDriver.start(
      definitionOf({
        tasks: [task('a'), task('b', ['a'], { retry: { initialIntervalMs: 1 } }), task('c', ['b'])],
      }),
    );
    run.complete('a');
    for (let i = 0; i < 3; i++) {
      run.fail('b');
      run.fireNextTimer();
    }
    expect(run.status).toBe('FAILED');
    expect(run.statuses()).toEqual({ a: 'COMPLETED', b: 'FAILED', c: 'SKIPPED' });
    // When the operator retries
    run.retry();
    // Then the failed task is dispatched again as attempt 4, with a fresh budget
    expect(run.status).toBe('RUNNING');
    expect(run.lastDispatched()).toEqual(['b#4']);
    expect(run.last.events[0]).toMatchObject({ type: 'RunRetried', data: { from: 'FAILED' } });
    expect(run.snapshot()).toMatchObject({ error: null, finishedAt: null });
    // a late result of an old attempt never matches
    expect(run.complete('b', {}, 'task', 3)).toBe(false);
    run.fail('b');
    run.fireNextTimer();
    expect(run.lastDispatched()).toEqual(['b#5']);
    run.complete('b');
    run.complete('c');
    expect(run.status).toBe('COMPLETED');
    expect(isGapless(run.events)).toBe(true);
  });

  it('rejects retry and cancel in a status that does not allow them', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('a')] }));
    expect(() => run.retry()).toThrow(InvalidStateError);
    run.complete('a');
    expect(() => run.retry()).toThrow(InvalidStateError);
    expect(() => run.cancel()).toThrow(InvalidStateError);
    expect(run.last.events).toEqual([]);
  });
});

describe('WorkflowRun: cancel', () => {
  it('skips pending tasks, lets started ones finish, compensates, and ends CANCELLED', () => {
    const run = RunDriver.start(
      definitionOf({ tasks: [saga('a'), saga('b', ['a']), saga('c', ['b']), saga('d', ['a'])] }),
    );
    run.complete('a');
    expect(run.lastDispatched()).toEqual(['b#1', 'd#1']);
    run.complete('d');
    run.started('b');
    // When the run is cancelled while b runs on a worker
    expect(run.cancel('user asked')).toBe(true);
    expect(run.status).toBe('CANCELLING');
    expect(run.lastEventTypes()).toEqual(['RunCancelRequested', 'TaskSkipped:c', 'CompensationQueued:d']);
    expect(run.last.events[0]?.data).toEqual({ reason: 'user asked' });
    expect(run.snapshot()).toMatchObject({ cancelRequested: true, cancelReason: 'user asked' });
    // cancelling again is a no-op
    expect(run.cancel()).toBe(false);
    expect(run.last.events).toEqual([]);
    // b completes late and is compensated too; a waits for both
    run.complete('b');
    expect(run.lastDispatched()).toEqual(['b~comp#1']);
    run.compensated('d');
    expect(run.lastDispatched()).toEqual([]);
    run.compensated('b');
    expect(run.lastDispatched()).toEqual(['a~comp#1']);
    run.compensated('a');
    expect(run.status).toBe('CANCELLED');
    expect(run.statuses()).toEqual({ a: 'COMPENSATED', b: 'COMPENSATED', c: 'SKIPPED', d: 'COMPENSATED' });
    expect(() => run.cancel()).toThrow(InvalidStateError);
  });

  it('cancels a retrying task at once and ends CANCELLED with nothing to compensate', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('a'), task('b', ['a'])] }));
    run.fail('a');
    run.cancel();
    expect(run.statuses()).toEqual({ a: 'CANCELLED', b: 'SKIPPED' });
    expect(run.status).toBe('CANCELLED');
    expect(run.run.nextTimerAt()).toBeNull();
    expect(run.lastEventTypes()).toEqual([
      'RunCancelRequested',
      'TaskCancelled:a',
      'TaskSkipped:b',
      'RunCancelled',
    ]);
  });

  it('does not retry a task that fails while the run is cancelling', () => {
    const run = RunDriver.start(definitionOf({ tasks: [task('a', [], { retry: { maxAttempts: 5 } })] }));
    run.started('a');
    run.cancel();
    expect(run.status).toBe('CANCELLING');
    run.fail('a', retryable());
    expect(run.task('a')).toMatchObject({ status: 'FAILED' });
    expect(run.status).toBe('CANCELLED');
  });

  it('rejects cancel of a compensating run', () => {
    const run = RunDriver.start(definitionOf({ tasks: [saga('a'), task('b', ['a'])] }));
    run.complete('a');
    run.fail('b', permanent());
    expect(run.status).toBe('COMPENSATING');
    expect(() => run.cancel()).toThrow(InvalidStateError);
  });
});
