import { describe, expect, it } from '@jest/globals';
import { evolve } from '../../../src/domain/run/evolve.js';
import { initialRunState } from '../../../src/domain/run/new-run.js';
import { WorkflowRun } from '../../../src/domain/run/workflow-run.js';
import { at, ctxAt, definitionOf, newRunOf, permanent, retryable, saga, task } from './support/builders.js';
import { given, history as h } from './support/given-when-then.js';

const chain = definitionOf({ tasks: [saga('a'), task('b', ['a'])] });
const ok = (at: Date) => ({ startedAt: at, finishedAt: at });

describe('Given events / When command / Then events (docs/architecture.md, "The run aggregate decides")', () => {
  it('start: RunStarted, then the roots queued; their fold is the new run, their dispatches its dispatches', () => {
    const run = WorkflowRun.create(newRunOf(chain), ctxAt(0));
    const { events, dispatches } = run.pullChanges();
    expect(events.map((e) => `${e.type}:${e.taskKey}`)).toEqual(['RunStarted:null', 'TaskQueued:a']);
    expect(events.reduce(evolve, initialRunState(newRunOf(chain), at(0)))).toStrictEqual(run.snapshot());
    expect(dispatches).toEqual([expect.objectContaining({ taskKey: 'a', attempt: 1, queuedAt: at(0) })]);
  });

  it('a completed result completes the task and queues what depended on it', () => {
    given(chain)(h.runStarted(), h.queued('a'))
      .when((run, ctx) =>
        run.applyOutcome(
          { taskKey: 'a', kind: 'task', attempt: 1, outcome: 'completed', output: { id: 7 }, ...ok(ctx.now) },
          ctx,
        ),
      )
      .then(['TaskStarted:a', 'TaskCompleted:a', ['TaskQueued:b', { type: 'noop' }]]);
  });

  it('the dispatch of a queued event carries the resolved input and key', () => {
    const { dispatches, state } = given(chain)(h.runStarted(), h.queued('a'), h.started('a')).when(
      (run, ctx) =>
        run.applyOutcome(
          { taskKey: 'a', kind: 'task', attempt: 1, outcome: 'completed', output: {}, ...ok(ctx.now) },
          ctx,
        ),
    );
    expect(dispatches).toEqual([
      expect.objectContaining({
        taskKey: 'b',
        kind: 'task',
        attempt: 1,
        idempotencyKey: 'run-1:b',
        queuedAt: at(1),
      }),
    ]);
    expect(state.tasks[1]).toMatchObject({ status: 'QUEUED', queuedAt: at(1), timerAt: at(1 + 300_000) });
  });

  it('a retryable failure schedules a retry on a timer', () => {
    given(chain)(h.runStarted(), h.queued('a'), h.started('a'))
      .when((run, ctx) =>
        run.applyOutcome(
          { taskKey: 'a', kind: 'task', attempt: 1, outcome: 'failed', error: retryable(), ...ok(ctx.now) },
          ctx,
        ),
      )
      .then([
        ['TaskFailed:a', { final: false, error: { message: 'boom' } }],
        ['TaskRetryScheduled:a', { kind: 'task', delayMs: 1000, nextAttempt: 2 }],
      ]);
  });

  it('a failure for good fails the run and compensates what completed', () => {
    const { state } = given(chain)(h.runStarted(), h.queued('a'), h.completed('a'), h.queued('b'))
      .when((run, ctx) =>
        run.applyOutcome(
          { taskKey: 'b', kind: 'task', attempt: 1, outcome: 'failed', error: permanent(), ...ok(ctx.now) },
          ctx,
        ),
      )
      .then(['TaskStarted:b', ['TaskFailed:b', { final: true }], 'CompensationQueued:a']);
    expect(state).toMatchObject({ status: 'COMPENSATING', error: { taskKey: 'b', message: 'nope' } });
  });

  it('the last compensation ends the run COMPENSATED, carrying its error', () => {
    given(chain)(
      h.runStarted(),
      h.queued('a'),
      h.completed('a'),
      h.queued('b'),
      h.failed('b', { message: 'nope' }, true),
      h.queued('a', 1, 0, 'compensation'),
    )
      .when((run, ctx) =>
        run.applyOutcome(
          {
            taskKey: 'a',
            kind: 'compensation',
            attempt: 1,
            outcome: 'completed',
            output: {},
            ...ok(ctx.now),
          },
          ctx,
        ),
      )
      .then([
        'CompensationStarted:a',
        'CompensationCompleted:a',
        ['RunCompensated', { error: { taskKey: 'b', message: 'nope' } }],
      ]);
  });

  it('a due retry timer queues the next attempt', () => {
    given(chain)(
      h.runStarted(),
      h.queued('a'),
      h.failed('a', { message: 'x' }, false),
      h.retryScheduled('a', 1000),
    )
      .when((run, ctx) => run.fireDueTimers(ctx), 1000)
      .then([['TaskQueued:a', { type: 'noop' }]]);
  });

  it('a due schedule-to-start timer fails the attempt no worker took (docs/contract.md#timeouts)', () => {
    given(chain)(h.runStarted(), h.queued('a'))
      .when((run, ctx) => run.fireDueTimers(ctx), 300_000)
      .then([
        ['TaskFailed:a', { final: false, error: { code: 'timeout' } }],
        ['TaskRetryScheduled:a', { nextAttempt: 2 }],
      ]);
  });

  it('a cancel cancels the attempts no worker started and ends the run CANCELLED', () => {
    given(chain)(h.runStarted(), h.queued('a'))
      .when((run, ctx) => run.cancel('stop', ctx))
      .then([['RunCancelRequested', { reason: 'stop' }], 'TaskCancelled:a', 'TaskSkipped:b', 'RunCancelled']);
  });

  it('a duplicate result records nothing', () => {
    const { result } = given(chain)(h.runStarted(), h.queued('a'), h.completed('a'), h.queued('b'))
      .when((run, ctx) =>
        run.applyOutcome(
          { taskKey: 'a', kind: 'task', attempt: 1, outcome: 'completed', output: {}, ...ok(ctx.now) },
          ctx,
        ),
      )
      .then([]);
    expect(result).toBe(false);
  });

  it('an operator retry of a FAILED run queues the failed task again with a fresh budget', () => {
    const single = definitionOf({ tasks: [task('a')] });
    const { state } = given(single)(
      h.runStarted(),
      h.queued('a'),
      h.failed('a', { message: 'nope' }, true),
      h.runEnded('RunFailed', { taskKey: 'a', message: 'nope' }),
    )
      .when((run, ctx) => run.retry(ctx))
      .then([['RunRetried', { from: 'FAILED' }], 'TaskQueued:a']);
    expect(state.tasks[0]).toMatchObject({ status: 'QUEUED', attempt: 2, budgetBase: 1 });
  });

  it('an operator retry of a run whose output did not resolve fails it again, rather than leaving it RUNNING', () => {
    const withOutput = definitionOf({ tasks: [task('a')], output: { id: '${tasks.a.output.id}' } });
    const { state } = given(withOutput)(h.runStarted(), h.queued('a'))
      .when((run, ctx) => {
        run.applyOutcome(
          { taskKey: 'a', kind: 'task', attempt: 1, outcome: 'completed', output: {}, ...ok(ctx.now) },
          ctx,
        );
        run.retry(ctx);
      })
      .then([
        'TaskStarted:a',
        'TaskCompleted:a',
        'RunFailed',
        ['RunRetried', { from: 'FAILED' }],
        'RunFailed',
      ]);
    expect(state).toMatchObject({ status: 'FAILED', error: { taskKey: null } });
    expect(state.error?.message).toContain('run output');
  });
});
