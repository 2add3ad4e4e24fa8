import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import { RetryRunCommand } from '../../../src/application/commands/retry-run.js';
import type { TaskContext } from '../../../src/interfaces/worker/handler-registry.js';
import { NonRetryableError } from '../../../src/domain/errors/task-errors.js';
import { InvalidStateError } from '../../../src/domain/shared/domain-error.js';
import {
  buses,
  cleanup,
  getRun,
  isolatedConfig,
  register,
  startRun,
  waitForStatus,
} from '../support/harness.js';
import {
  allEvents,
  describeEvents,
  Gate,
  only,
  startAppWith,
  BUILTIN_TYPES,
} from '../support/flow-helpers.js';
import { localAdmin } from '../../../src/application/actor.js';

const config = isolatedConfig('compensation');
let app: SagaflowApp | null = null;

type Call = Pick<TaskContext, 'runId' | 'taskKey' | 'kind' | 'attempt' | 'idempotencyKey'> & {
  input: unknown;
};
const undoCalls: Call[] = [];
const slowGate = new Gate();
let undoOnceFailures = 0;

const record = (input: unknown, ctx: TaskContext): Call => ({
  runId: ctx.runId,
  taskKey: ctx.taskKey,
  kind: ctx.kind,
  attempt: ctx.attempt,
  idempotencyKey: ctx.idempotencyKey,
  input,
});

beforeAll(async () => {
  app = await startAppWith(config, (registry) => {
    registry.register('boom', async () => {
      throw new NonRetryableError('boom: declined');
    });
    registry.register('undo', async (input, ctx) => {
      undoCalls.push(record(input, ctx));
      return { undone: ctx.taskKey };
    });
    registry.register('slow', async (_input, ctx) => {
      await slowGate.wait();
      return { slow: ctx.attempt };
    });
    // Fails for good the first time it is called, succeeds afterwards.
    registry.register('undo-once', async (_input, ctx) => {
      if (undoOnceFailures === 0) {
        undoOnceFailures += 1;
        throw new NonRetryableError('undo-once: refused the first time');
      }
      return { undone: ctx.taskKey, attempt: ctx.attempt };
    });
  });
});
afterAll(async () => {
  slowGate.release();
  await cleanup(app, config, [...BUILTIN_TYPES, 'boom', 'undo', 'slow', 'undo-once']);
});

const undo = { type: 'undo', input: { of: '${task.key}' } };

describe('compensation order', () => {
  it('compensates independent branches in parallel and their common dependency after both', async () => {
    await register(app!, {
      name: 'diamond',
      tasks: [
        {
          key: 'a',
          type: 'echo',
          input: { id: 'A' },
          compensation: { ...undo, input: { id: '${tasks.a.output.id}' } },
        },
        { key: 'b', type: 'echo', dependsOn: ['a'], input: { id: 'B' }, compensation: undo },
        { key: 'c', type: 'echo', dependsOn: ['a'], input: { id: 'C' }, compensation: undo },
        { key: 'd', type: 'boom', dependsOn: ['b', 'c'] },
      ],
    });
    const id = await startRun(app!, { definition: 'diamond' });
    const run = await waitForStatus(app!, id);

    expect(run.status).toBe('COMPENSATED');
    expect(run.error).toMatchObject({ taskKey: 'd', message: 'boom: declined' });
    const byKey = new Map(run.tasks.map((t) => [t.key, t]));
    expect(byKey.get('d')).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      error: { message: 'boom: declined' },
    });
    for (const key of ['a', 'b', 'c']) {
      expect(byKey.get(key)).toMatchObject({
        status: 'COMPENSATED',
        compensation: { status: 'COMPLETED', attempts: 1, output: { undone: key }, error: null },
      });
    }
    // A compensation may read its own task's output; idempotency keys are the `:compensate` ones.
    const mine = undoCalls.filter((c) => c.runId === id);
    expect(mine.find((c) => c.taskKey === 'a')).toMatchObject({
      kind: 'compensation',
      attempt: 1,
      idempotencyKey: `${id}:a:compensate`,
      input: { id: 'A' },
    });
    expect(mine.map((c) => c.taskKey).sort()).toEqual(['a', 'b', 'c']);

    const events = await allEvents(app!, id);
    const seq = (type: string, key: string) => only(events, type, key, 1).seq;
    const dFailed = only(events, 'TaskFailed', 'd', 1);
    expect(dFailed.data).toMatchObject({ final: true });
    // b and c: both queued before either completed (in parallel), after d failed.
    const branchQueued = [seq('CompensationQueued', 'b'), seq('CompensationQueued', 'c')];
    const branchCompleted = [seq('CompensationCompleted', 'b'), seq('CompensationCompleted', 'c')];
    expect(Math.min(...branchQueued)).toBeGreaterThan(dFailed.seq);
    expect(Math.max(...branchQueued)).toBeLessThan(Math.min(...branchCompleted));
    // a: only after both of its dependents' compensations completed (reverse dependency order).
    expect(seq('CompensationQueued', 'a')).toBeGreaterThan(Math.max(...branchCompleted));
    expect(events.at(-1)).toMatchObject({ type: 'RunCompensated', taskKey: null, attempt: null });
    expect(
      events.filter((e) => e.type.startsWith('Run') && e.type !== 'RunStarted').map((e) => e.type),
    ).toEqual(['RunCompensated']);
  });

  it('compensates a task that completes after the run began compensating', async () => {
    await register(app!, {
      name: 'late-completion',
      tasks: [
        { key: 'a', type: 'noop', compensation: undo },
        { key: 'slow', type: 'slow', dependsOn: ['a'], compensation: undo },
        { key: 'fails', type: 'boom', dependsOn: ['a'] },
      ],
    });
    const id = await startRun(app!, { definition: 'late-completion' });
    const compensating = await waitForStatus(app!, id, [
      'COMPENSATING',
      'COMPENSATED',
      'FAILED',
      'COMPENSATION_FAILED',
    ]);
    expect(compensating.status).toBe('COMPENSATING');
    const midway = new Map(compensating.tasks.map((t) => [t.key, t]));
    expect(midway.get('fails')!.status).toBe('FAILED');
    expect(['QUEUED', 'RUNNING']).toContain(midway.get('slow')!.status);
    // Rule 3: a's compensation waits while a task depending on it is on a worker.
    expect(midway.get('a')).toMatchObject({
      status: 'COMPLETED',
      compensation: { status: 'PENDING', attempts: 0 },
    });

    slowGate.release();
    const run = await waitForStatus(app!, id);
    expect(run.status).toBe('COMPENSATED');
    const byKey = new Map(run.tasks.map((t) => [t.key, t]));
    expect(byKey.get('slow')).toMatchObject({
      status: 'COMPENSATED',
      output: { slow: 1 },
      compensation: { status: 'COMPLETED', attempts: 1 },
    });
    expect(byKey.get('a')).toMatchObject({ status: 'COMPENSATED', compensation: { status: 'COMPLETED' } });
    expect(byKey.get('fails')!.status).toBe('FAILED');

    const events = await allEvents(app!, id);
    const failedSeq = only(events, 'TaskFailed', 'fails', 1).seq;
    const slowDone = only(events, 'TaskCompleted', 'slow', 1).seq;
    expect(slowDone).toBeGreaterThan(failedSeq);
    expect(only(events, 'CompensationQueued', 'slow', 1).seq).toBeGreaterThan(slowDone);
    expect(only(events, 'CompensationQueued', 'a', 1).seq).toBeGreaterThan(
      only(events, 'CompensationCompleted', 'slow', 1).seq,
    );
    expect(events.at(-1)!.type).toBe('RunCompensated');
  });
});

describe('compensation failure and operator retry', () => {
  it('ends COMPENSATION_FAILED, then an operator retry compensates with attempt 2', async () => {
    await register(app!, {
      name: 'comp-fails-once',
      tasks: [
        {
          key: 'a',
          type: 'noop',
          compensation: { type: 'undo-once', retry: { maxAttempts: 3, initialIntervalMs: 20 } },
        },
        { key: 'b', type: 'boom', dependsOn: ['a'] },
      ],
    });
    const id = await startRun(app!, { definition: 'comp-fails-once' });
    const failed = await waitForStatus(app!, id);

    expect(failed.status).toBe('COMPENSATION_FAILED');
    expect(failed.finishedAt).not.toBeNull();
    const a1 = failed.tasks.find((t) => t.key === 'a')!;
    expect(a1).toMatchObject({
      status: 'COMPENSATION_FAILED',
      compensation: {
        status: 'FAILED',
        attempts: 1,
        error: { message: 'undo-once: refused the first time' },
      },
    });
    expect(failed.tasks.find((t) => t.key === 'b')!.status).toBe('FAILED');
    const firstEvents = await allEvents(app!, id);
    // Non-retryable: failed for good on attempt 1, no retry scheduled despite maxAttempts 3.
    expect(only(firstEvents, 'CompensationFailed', 'a', 1).data).toMatchObject({ final: true });
    expect(firstEvents.some((e) => e.type === 'TaskRetryScheduled')).toBe(false);
    expect(firstEvents.at(-1)!.type).toBe('RunCompensationFailed');

    const retried = await buses(app!).commands.execute<RetryRunCommand, { status: string }>(
      new RetryRunCommand(localAdmin(), id),
    );
    expect(retried.status).toBe('COMPENSATING');

    const run = await waitForStatus(app!, id);
    expect(run.status).toBe('COMPENSATED');
    expect(run.tasks.find((t) => t.key === 'a')).toMatchObject({
      status: 'COMPENSATED',
      compensation: { status: 'COMPLETED', attempts: 2, output: { undone: 'a', attempt: 2 }, error: null },
    });
    expect(run.tasks.find((t) => t.key === 'b')!.status).toBe('FAILED');

    const events = await allEvents(app!, id);
    expect(events.slice(0, firstEvents.length)).toEqual(firstEvents);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const added = events.slice(firstEvents.length);
    expect(describeEvents(added)).toEqual([
      'RunRetried/-/-',
      'CompensationQueued/a/2',
      'CompensationStarted/a/2',
      'CompensationCompleted/a/2',
      'RunCompensated/-/-',
    ]);
    expect(added[0]!.data).toMatchObject({ from: 'COMPENSATION_FAILED' });

    // COMPENSATED is final: another retry is refused and writes nothing.
    await expect(buses(app!).commands.execute(new RetryRunCommand(localAdmin(), id))).rejects.toBeInstanceOf(
      InvalidStateError,
    );
    expect(await allEvents(app!, id)).toEqual(events);
    expect((await getRun(app!, id)).status).toBe('COMPENSATED');
  });
});
