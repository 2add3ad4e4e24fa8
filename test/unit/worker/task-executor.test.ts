import { finished } from '../../support/finished-result.js';
import { describe, expect, it } from '@jest/globals';

import type { TaskMessage } from '../../../src/application/ports/messages.js';
import { HandlerRegistry, NonRetryableError, RetryAfterError } from '../../../src/interfaces/worker/index.js';
import {
  TaskExecutor,
  WorkerStoppingError,
  type StartedReport,
} from '../../../src/interfaces/worker/task-executor.js';
import type { AppLogger, LogFields } from '../../../src/application/ports/logger.js';
import type { TaskContext } from '../../../src/interfaces/worker/index.js';
import { SILENT_TASK_LOGGER } from '../../../src/interfaces/worker/test-handler.js';

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

interface LogLine {
  level: 'debug' | 'log' | 'warn' | 'error';
  message: string;
  fields: LogFields | undefined;
  bindings: LogFields;
}

/** An AppLogger that keeps every line with the bindings of the child it was written to. */
class CapturingLogger implements AppLogger {
  children = 0;
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bindings: LogFields = {},
  ) {}
  debug(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'debug', message, fields, bindings: this.bindings });
  }
  log(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'log', message, fields, bindings: this.bindings });
  }
  warn(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'warn', message, fields, bindings: this.bindings });
  }
  error(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', message, fields, bindings: this.bindings });
  }
  child(bindings: LogFields): AppLogger {
    this.children += 1;
    return new CapturingLogger(this.lines, { ...this.bindings, ...bindings });
  }
}

describe('TaskExecutor shutdown and logger', () => {
  it('abandons a running attempt when shutdown aborts, aborting ctx.signal with WorkerStoppingError', async () => {
    const entered = latch<AbortSignal>();
    const never = latch();
    const registry = new HandlerRegistry().register('stuck', async (_input, ctx) => {
      entered.open(ctx.signal);
      // Ignores its signal: only the shutdown can end this attempt.
      await never.promise;
      return { late: true };
    });
    const shutdown = new AbortController();
    const started: StartedReport[] = [];
    const executing = new TaskExecutor({
      registry,
      shutdown: shutdown.signal,
      startReportAfterMs: 60_000,
    }).execute(message('stuck', { timeoutMs: 60_000 }), { onStarted: (report) => void started.push(report) });
    const signal = await entered.promise;
    expect(signal.aborted).toBe(false);

    shutdown.abort();
    // Resolves although the handler never returns: the shutdown, not the handler, settled it.
    expect(await executing).toEqual({ outcome: 'abandoned', runId: 'run-1', taskKey: 'charge', attempt: 2 });
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(WorkerStoppingError);
    expect((signal.reason as Error).name).toBe('WorkerStoppingError');
    expect(started).toEqual([]);
    never.open();
  });

  it('abandons without calling the handler when shutdown was aborted before execute', async () => {
    let calls = 0;
    const registry = new HandlerRegistry().register('never', async () => {
      calls += 1;
      return null;
    });
    const shutdown = new AbortController();
    shutdown.abort();
    const result = await new TaskExecutor({ registry, shutdown: shutdown.signal }).execute(message('never'));
    expect(result).toEqual({ outcome: 'abandoned', runId: 'run-1', taskKey: 'charge', attempt: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(0);
  });

  it('reports an attempt that finished before the shutdown as usual, its signal left alone', async () => {
    let signal: AbortSignal | undefined;
    const registry = new HandlerRegistry().register('quick', async (_input, ctx) => {
      signal = ctx.signal;
      return { quick: true };
    });
    const shutdown = new AbortController();
    const result = await new TaskExecutor({ registry, shutdown: shutdown.signal }).execute(message('quick'));
    shutdown.abort();
    expect(result).toMatchObject({ outcome: 'completed', output: { quick: true }, attempt: 2 });
    expect(signal?.aborted).toBe(false);

    const failing = new HandlerRegistry().register('bad', async () => {
      throw new NonRetryableError('no');
    });
    const other = new AbortController();
    const failed = await new TaskExecutor({ registry: failing, shutdown: other.signal }).execute(
      message('bad'),
    );
    other.abort();
    expect(failed).toMatchObject({ outcome: 'failed', error: { code: 'non_retryable' } });
  });

  it("writes ctx.logger's lines through the AppLogger with the attempt's fields", async () => {
    const logger = new CapturingLogger();
    const registry = new HandlerRegistry().register('logs', async (_input, ctx) => {
      ctx.logger.debug('looking up', { sku: 'A' });
      ctx.logger.info('charged', { amount: 5 });
      ctx.logger.warn('slow callee');
      ctx.logger.error('partial failure', { code: 'E1' });
      return null;
    });
    const result = await new TaskExecutor({ registry, logger }).execute(message('logs'));
    expect(result.outcome).toBe('completed');
    const bindings = { run_id: 'run-1', task_key: 'charge', kind: 'task', attempt: 2, task_type: 'logs' };
    expect(logger.lines).toEqual([
      { level: 'debug', message: 'looking up', fields: { sku: 'A' }, bindings },
      { level: 'log', message: 'charged', fields: { amount: 5 }, bindings },
      { level: 'warn', message: 'slow callee', fields: undefined, bindings },
      { level: 'error', message: 'partial failure', fields: { code: 'E1' }, bindings },
    ]);
    // One child per attempt, not per line.
    expect(logger.children).toBe(1);
  });

  it('gives a silent ctx.logger without an AppLogger', async () => {
    let seen: TaskContext['logger'] | undefined;
    const registry = new HandlerRegistry().register('logs', async (_input, ctx) => {
      seen = ctx.logger;
      ctx.logger.info('nobody hears this');
      ctx.logger.error('nor this');
      return { logged: true };
    });
    const result = await new TaskExecutor({ registry }).execute(message('logs'));
    expect(result).toMatchObject({ outcome: 'completed', output: { logged: true } });
    expect(seen).toBe(SILENT_TASK_LOGGER);
  });
});
