import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import type { ResultMessage } from '../../../src/application/ports/messages.js';
import { RetryableError } from '../../../src/domain/errors/task-errors.js';
import {
  cleanup,
  eventually,
  getRun,
  isolatedConfig,
  register,
  startRun,
  waitForStatus,
} from '../support/harness.js';
import {
  allEvents,
  awaitShardConsumed,
  Broker,
  describeEvents,
  Gate,
  MARKER_TYPE,
  only,
  startAppWith,
  BUILTIN_TYPES,
} from '../support/flow-helpers.js';

const config = isolatedConfig('retrytimeout');
let app: SagaflowApp | null = null;
let broker: Broker | null = null;

/** Attempts seen by each handler, with their idempotency keys. */
const flakyCalls: { attempt: number; idempotencyKey: string }[] = [];
const sleepyCalls: number[] = [];
/** Holds attempt 1 of `sleepy` well past its timeout; released in afterAll at the latest. */
const lateGate = new Gate();
let lateAttemptResolved = false;
/** Holds attempt 2 of `sleepy2` (attempt 1 fails at once) so that a forged result of attempt 1 arrives while attempt 2 is in flight. */
const secondGate = new Gate();

beforeAll(async () => {
  app = await startAppWith(config, (registry) => {
    registry.register('flaky', async (_input, ctx) => {
      flakyCalls.push({ attempt: ctx.attempt, idempotencyKey: ctx.idempotencyKey });
      if (ctx.attempt < 3) throw new RetryableError(`flaky failure on attempt ${ctx.attempt}`);
      return { succeededOn: ctx.attempt };
    });
    registry.register('sleepy', async (_input, ctx) => {
      sleepyCalls.push(ctx.attempt);
      if (ctx.attempt === 1) {
        // Ignores ctx.signal on purpose: resolves only when the test says so, long after the timeout.
        await lateGate.wait();
        lateAttemptResolved = true;
        return { late: true, attempt: 1 };
      }
      return { attempt: ctx.attempt };
    });
    registry.register('sleepy2', async (_input, ctx) => {
      if (ctx.attempt === 1) throw new RetryableError('attempt 1 fails');
      await secondGate.wait();
      return { attempt: ctx.attempt };
    });
  });
  broker = await Broker.open();
});
afterAll(async () => {
  lateGate.release();
  secondGate.release();
  await broker?.close();
  await cleanup(app, config, [...BUILTIN_TYPES, 'flaky', 'sleepy', 'sleepy2', MARKER_TYPE]);
});

describe('retries', () => {
  it('retries a retryable failure and completes on attempt 3', async () => {
    await register(app!, {
      name: 'retry-then-success',
      tasks: [
        {
          key: 'f',
          type: 'flaky',
          retry: { maxAttempts: 5, initialIntervalMs: 20, backoffCoefficient: 2, maxIntervalMs: 100 },
        },
        { key: 'after', type: 'noop', dependsOn: ['f'] },
      ],
    });
    const id = await startRun(app!, { definition: 'retry-then-success' });
    const run = await waitForStatus(app!, id);

    expect(run.status).toBe('COMPLETED');
    const f = run.tasks.find((t) => t.key === 'f')!;
    expect(f.status).toBe('COMPLETED');
    expect(f.attempts).toBe(3);
    expect(f.output).toEqual({ succeededOn: 3 });
    expect(f.error).toBeNull();
    expect(flakyCalls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    // The idempotency key is the same for every attempt (docs/contract.md#workflow-definitions).
    expect(new Set(flakyCalls.map((c) => c.idempotencyKey))).toEqual(new Set([`${id}:f`]));

    const events = await allEvents(app!, id);
    expect(describeEvents(events, 'f')).toEqual([
      'TaskQueued/f/1',
      'TaskStarted/f/1',
      'TaskFailed/f/1',
      'TaskRetryScheduled/f/1',
      'TaskQueued/f/2',
      'TaskStarted/f/2',
      'TaskFailed/f/2',
      'TaskRetryScheduled/f/2',
      'TaskQueued/f/3',
      'TaskStarted/f/3',
      'TaskCompleted/f/3',
    ]);
    for (const attempt of [1, 2]) {
      const failed = only(events, 'TaskFailed', 'f', attempt);
      expect(failed.data).toMatchObject({
        final: false,
        error: { message: `flaky failure on attempt ${attempt}` },
      });
      const scheduled = only(events, 'TaskRetryScheduled', 'f', attempt);
      expect(scheduled.data).toMatchObject({ nextAttempt: attempt + 1 });
      expect(typeof scheduled.data!.delayMs).toBe('number');
    }
    // Backoff without jitter: 20 ms, then 40 ms.
    expect(only(events, 'TaskRetryScheduled', 'f', 1).data!.delayMs).toBe(20);
    expect(only(events, 'TaskRetryScheduled', 'f', 2).data!.delayMs).toBe(40);
    expect(events.at(-1)!.type).toBe('RunCompleted');
  });
});

describe('attempt timeout', () => {
  it('times out attempt 1, completes on attempt 2 and ignores a late result of attempt 1', async () => {
    await register(app!, {
      name: 'timeout-then-success',
      tasks: [{ key: 's', type: 'sleepy', timeoutMs: 200, retry: { maxAttempts: 3, initialIntervalMs: 20 } }],
    });
    const id = await startRun(app!, { definition: 'timeout-then-success' });
    const run = await waitForStatus(app!, id);

    expect(run.status).toBe('COMPLETED');
    const s = run.tasks[0]!;
    expect(s.attempts).toBe(2);
    expect(s.output).toEqual({ attempt: 2 });
    expect(run.output).toEqual({ s: { attempt: 2 } });
    expect(sleepyCalls).toEqual([1, 2]);
    // Attempt 1 is still blocked in its handler: the timeout did not wait for it.
    expect(lateAttemptResolved).toBe(false);

    const before = await allEvents(app!, id);
    const timedOut = only(before, 'TaskFailed', 's', 1);
    expect(timedOut.data).toMatchObject({ final: false, error: { code: 'timeout' } });
    only(before, 'TaskRetryScheduled', 's', 1);
    only(before, 'TaskCompleted', 's', 2);
    expect(before.filter((e) => e.type === 'TaskCompleted')).toHaveLength(1);

    // Let the ignoring handler finish: the worker must discard what it returns.
    lateGate.release();
    await waitFor(() => lateAttemptResolved);

    // And a forged late success of attempt 1, straight onto the run's result shard.
    const routingKey = app!.runtime.routing.resultRoutingKey(id);
    const at = new Date().toISOString();
    const late: ResultMessage = {
      runId: id,
      taskKey: 's',
      kind: 'task',
      attempt: 1,
      startedAt: s.startedAt!,
      outcome: 'completed',
      output: { forged: true },
      finishedAt: at,
    };
    await broker!.publish(app!.runtime.routing.resultExchange, routingKey, late);
    await awaitShardConsumed(app!, broker!, routingKey);

    const after = await allEvents(app!, id);
    expect(after).toEqual(before);
    const again = await waitForStatus(app!, id);
    expect(again.status).toBe('COMPLETED');
    expect(again.tasks[0]!.output).toEqual({ attempt: 2 });
    expect(again.tasks[0]!.attempts).toBe(2);
    expect(again.output).toEqual({ s: { attempt: 2 } });
  });
});

describe('a stale attempt while the next one is in flight', () => {
  it('ignores a completed result of failed attempt 1 while attempt 2 runs', async () => {
    await register(app!, {
      name: 'stale-during-retry',
      tasks: [{ key: 's', type: 'sleepy2', retry: { maxAttempts: 3, initialIntervalMs: 20 } }],
    });
    const id = await startRun(app!, { definition: 'stale-during-retry' });
    // Attempt 2 is on the worker and has reported its start (after 500 ms): nothing else can happen now.
    await eventually(
      () => allEvents(app!, id),
      (events) => events.some((e) => e.type === 'TaskStarted' && e.attempt === 2),
    );
    const before = await allEvents(app!, id);
    expect(describeEvents(before, 's')).toEqual([
      'TaskQueued/s/1',
      'TaskStarted/s/1',
      'TaskFailed/s/1',
      'TaskRetryScheduled/s/1',
      'TaskQueued/s/2',
      'TaskStarted/s/2',
    ]);

    const routingKey = app!.runtime.routing.resultRoutingKey(id);
    const at = new Date().toISOString();
    const stale: ResultMessage = {
      runId: id,
      taskKey: 's',
      kind: 'task',
      attempt: 1,
      startedAt: at,
      outcome: 'completed',
      output: { stale: true },
      finishedAt: at,
    };
    await broker!.publish(app!.runtime.routing.resultExchange, routingKey, stale);
    await awaitShardConsumed(app!, broker!, routingKey);

    expect(await allEvents(app!, id)).toEqual(before);
    const during = await getRun(app!, id);
    expect(during.status).toBe('RUNNING');
    expect(during.tasks[0]).toMatchObject({ status: 'RUNNING', attempts: 2, output: null });

    secondGate.release();
    const run = await waitForStatus(app!, id);
    expect(run.status).toBe('COMPLETED');
    expect(run.tasks[0]).toMatchObject({ status: 'COMPLETED', attempts: 2, output: { attempt: 2 } });
    only(await allEvents(app!, id), 'TaskCompleted', 's', 2);
  });
});

async function waitFor(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 20));
}
