import { describe, expect, it } from '@jest/globals';

import type { TaskMessage } from '../../../src/application/ports/messages.js';
import { HandlerRegistry, NonRetryableError, RetryAfterError } from '../../../src/interfaces/worker/index.js';
import { finished, TaskExecutor, type StartedReport } from '../../../src/interfaces/worker/task-executor.js';

function message(type: string, overrides: Partial<TaskMessage> = {}): TaskMessage {
  return {
    runId: 'run-1',
    taskKey: 'charge',
    kind: 'task',
    attempt: 2,
    type,
    input: { amount: 5 },
    idempotencyKey: 'run-1:charge',
    timeoutMs: 5000,
    priority: 5,
    queuedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A promise with its resolver, to let a test decide when a handler finishes. */
function latch<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('TaskExecutor', () => {
  it('completes with the output, the context and ISO timestamps', async () => {
    const registry = new HandlerRegistry().register('ctx', async (input, ctx) => ({
      input,
      runId: ctx.runId,
      taskKey: ctx.taskKey,
      kind: ctx.kind,
      attempt: ctx.attempt,
      key: ctx.idempotencyKey,
      aborted: ctx.signal.aborted,
    }));
    const result = await new TaskExecutor({ registry }).execute(message('ctx', { kind: 'compensation' }));
    expect(result).toMatchObject({
      outcome: 'completed',
      runId: 'run-1',
      taskKey: 'charge',
      kind: 'compensation',
      attempt: 2,
      output: {
        input: { amount: 5 },
        runId: 'run-1',
        taskKey: 'charge',
        kind: 'compensation',
        attempt: 2,
        key: 'run-1:charge',
        aborted: false,
      },
    });
    expect(finished(result).startedAt).toMatch(ISO_MS);
    expect(finished(result).finishedAt).toMatch(ISO_MS);
  });

  it('completes with null when the handler returns nothing', async () => {
    const registry = new HandlerRegistry().register('void', async () => undefined);
    expect(await new TaskExecutor({ registry }).execute(message('void'))).toMatchObject({
      outcome: 'completed',
      output: null,
    });
  });

  it('maps thrown errors, sync throws included', async () => {
    const registry = new HandlerRegistry()
      .register('bad', async () => {
        throw new NonRetryableError('card declined');
      })
      .register('later', async () => {
        throw new RetryAfterError(2000, 'busy');
      })
      .register('crash', async () => {
        throw new Error('db down');
      })
      // Not async: it throws before any promise exists.
      .register('sync', () => {
        throw new Error('thrown before any promise');
      });
    const executor = new TaskExecutor({ registry });
    expect(await executor.execute(message('bad'))).toMatchObject({
      outcome: 'failed',
      error: { message: 'card declined', code: 'non_retryable', retryable: false },
    });
    expect(await executor.execute(message('later'))).toMatchObject({
      outcome: 'failed',
      error: { code: 'retry_after', retryable: true, retryAfterMs: 2000 },
    });
    expect(await executor.execute(message('crash'))).toMatchObject({
      outcome: 'failed',
      error: { message: 'db down', code: 'retryable', retryable: true },
    });
    expect(await executor.execute(message('sync'))).toMatchObject({
      outcome: 'failed',
      error: { message: 'thrown before any promise', retryable: true },
    });
  });

  it('fails non-retryably for an unknown type, naming it', async () => {
    const result = await new TaskExecutor({ registry: new HandlerRegistry() }).execute(message('nope'));
    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'non_retryable', retryable: false } });
    expect(result.outcome === 'failed' && result.error.message).toContain('"nope"');
  });

  it('fails non-retryably when the output is not JSON', async () => {
    const registry = new HandlerRegistry()
      .register('nan', async () => ({ total: Number.NaN }))
      .register('map', async () => ({ items: [new Map()] }))
      .register('date', async () => ({ at: new Date(0), skipped: undefined }));
    const executor = new TaskExecutor({ registry });
    const nan = await executor.execute(message('nan'));
    expect(nan).toMatchObject({ outcome: 'failed', error: { code: 'non_retryable' } });
    expect(nan.outcome === 'failed' && nan.error.message).toContain('output.total is NaN');
    const map = await executor.execute(message('map'));
    expect(map.outcome === 'failed' && map.error.message).toContain('output.items[0] is an instance of Map');
    // toJSON is honoured and undefined properties are dropped, as JSON does.
    expect(await executor.execute(message('date'))).toMatchObject({
      outcome: 'completed',
      output: { at: '1970-01-01T00:00:00.000Z' },
    });
  });

  it('times out a handler that ignores its signal and discards its late completion', async () => {
    const finish = latch();
    let lateCompletion: Promise<void> | undefined;
    let signal: AbortSignal | undefined;
    const registry = new HandlerRegistry().register('stubborn', async (_input, ctx) => {
      signal = ctx.signal;
      lateCompletion = finish.promise;
      await finish.promise;
      return { late: true };
    });
    const started: StartedReport[] = [];
    const result = await new TaskExecutor({ registry, startReportAfterMs: 60_000 }).execute(
      message('stubborn', { timeoutMs: 20 }),
      { onStarted: (report) => void started.push(report) },
    );
    expect(result).toMatchObject({
      outcome: 'failed',
      error: { code: 'timeout', retryable: true },
    });
    expect(signal?.aborted).toBe(true);

    finish.open();
    await lateCompletion;
    await new Promise((resolve) => setImmediate(resolve));
    expect(result.outcome).toBe('failed');
    expect(started).toEqual([]);
  });

  it('reports the start of a handler still running after the threshold', async () => {
    const startReported = latch<StartedReport>();
    const registry = new HandlerRegistry().register('slow', async () => {
      // Finishes only once the start report went out: the outcome, not a clock, proves the order.
      await startReported.promise;
      return { done: true };
    });
    const reports: StartedReport[] = [];
    const result = await new TaskExecutor({ registry, startReportAfterMs: 5 }).execute(message('slow'), {
      onStarted: (report) => {
        reports.push(report);
        startReported.open(report);
      },
    });
    expect(result).toMatchObject({ outcome: 'completed', output: { done: true } });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toEqual({
      runId: 'run-1',
      taskKey: 'charge',
      kind: 'task',
      attempt: 2,
      startedAt: finished(result).startedAt,
      outcome: 'started',
    });
  });

  it('sends no start report for a handler that finishes first', async () => {
    const registry = new HandlerRegistry().register('fast', async () => ({ fast: true }));
    const reports: StartedReport[] = [];
    const result = await new TaskExecutor({ registry, startReportAfterMs: 0 }).execute(message('fast'), {
      onStarted: (report) => void reports.push(report),
    });
    expect(result.outcome).toBe('completed');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reports).toEqual([]);
  });

  it('keeps going when the start report callback fails', async () => {
    const reportFailed = latch<unknown>();
    const registry = new HandlerRegistry().register('slow', async () => {
      await reportFailed.promise;
      return 'ok';
    });
    const executor = new TaskExecutor({ registry, startReportAfterMs: 1, onReportError: reportFailed.open });
    const result = await executor.execute(message('slow'), {
      onStarted: async () => {
        throw new Error('broker down');
      },
    });
    expect(result).toMatchObject({ outcome: 'completed', output: 'ok' });
    const reportError = await reportFailed.promise;
    expect(reportError).toBeInstanceOf(Error);
    expect((reportError as Error).message).toBe('broker down');
  });
});
