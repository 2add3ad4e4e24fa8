/**
 * `startWorker` (the public `sagaflow/worker` entry) against a real broker and database: an app
 * with the relay and orchestrator roles only, so every task runs on the workers started here.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';

import type { SagaflowApp } from '../../../src/app/create-app.js';
import { taskQueueName } from '../../../src/infrastructure/messaging/topology.js';
import {
  defineHandler,
  RetryAfterError,
  startWorker,
  TaskTimeoutError,
  Type,
  WorkerStoppingError,
  type SagaflowWorker,
  type StartWorkerOptions,
  type WorkerConfig,
} from '../../../src/worker.js';
import {
  cleanup,
  eventually,
  getRun,
  isolatedConfig,
  register,
  startApp,
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
} from '../support/flow-helpers.js';

const config = isolatedConfig('startworker', ['relay', 'orchestrator']);
const TYPES = {
  timeout: 'sw-timeout',
  graceful: 'sw-graceful',
  abandoned: 'sw-abandoned',
  signals: 'sw-signals',
  retryAfter: 'sw-retry-after',
  bounded: 'sw-bounded',
} as const;

let app: SagaflowApp | null = null;
let broker: Broker | null = null;
/** Every worker a test started, stopped after it whatever happened. */
const workers: SagaflowWorker[] = [];
/** Gates a test's handlers wait on, opened after it so that no handler is left hanging. */
const gates: Gate[] = [];
let workerCount = 0;

/** The settings of this file's isolated app, for a worker of its own. */
function workerConfig(): Partial<WorkerConfig> {
  workerCount += 1;
  return {
    ...(config.amqpUrl !== undefined ? { amqpUrl: config.amqpUrl } : {}),
    amqpPrefix: config.amqpPrefix!,
    shardCount: config.shardCount!,
    databaseUrl: config.databaseUrl!,
    instanceId: `${config.amqpPrefix!}-worker-${workerCount}`,
    logLevel: 'error',
  };
}

async function worker(
  options: Omit<StartWorkerOptions, 'config' | 'handleSignals'>,
): Promise<SagaflowWorker> {
  const started = await startWorker({ ...options, config: workerConfig(), handleSignals: false });
  workers.push(started);
  return started;
}

function gate(): Gate {
  const made = new Gate();
  gates.push(made);
  return made;
}

function queueOf(type: string): string {
  return taskQueueName(config.amqpPrefix!, type);
}

beforeAll(async () => {
  app = await startApp(config);
  broker = await Broker.open();
});
afterEach(async () => {
  for (const opened of gates.splice(0)) opened.release();
  await Promise.all(workers.splice(0).map((started) => started.stop()));
});
afterAll(async () => {
  await broker?.close();
  await cleanup(app, config, [...Object.values(TYPES), MARKER_TYPE]);
});

describe('startWorker', () => {
  it("aborts ctx.signal when an attempt's timeoutMs runs out and fails it as a retryable timeout", async () => {
    const signals: { attempt: number; signal: AbortSignal }[] = [];
    await worker({
      handlers: [
        defineHandler(TYPES.timeout, async (_input, ctx) => {
          signals.push({ attempt: ctx.attempt, signal: ctx.signal });
          if (ctx.attempt === 1) {
            // Waits for its signal and nothing else: only the timeout ends it.
            await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
            return { late: true };
          }
          return { attempt: ctx.attempt };
        }),
      ],
    });
    await register(app!, {
      name: 'sw-timeout',
      tasks: [
        { key: 't', type: TYPES.timeout, timeoutMs: 300, retry: { maxAttempts: 2, initialIntervalMs: 10 } },
      ],
    });
    const id = await startRun(app!, { definition: 'sw-timeout' });
    const run = await waitForStatus(app!, id);

    expect(run.status).toBe('COMPLETED');
    expect(run.tasks[0]).toMatchObject({ attempts: 2, output: { attempt: 2 } });
    expect(signals.map((s) => s.attempt)).toEqual([1, 2]);
    const first = signals[0]!.signal;
    expect(first.aborted).toBe(true);
    expect(first.reason).toBeInstanceOf(TaskTimeoutError);
    expect(signals[1]!.signal.aborted).toBe(false);

    const events = await allEvents(app!, id);
    // The worker's own timeout (its message), not the orchestrator's safety timer.
    expect(only(events, 'TaskFailed', 't', 1).data).toMatchObject({
      final: false,
      error: { code: 'timeout', message: 'task timed out after 300 ms' },
    });
    expect(only(events, 'TaskRetryScheduled', 't', 1).data).toMatchObject({ nextAttempt: 2 });
    only(events, 'TaskCompleted', 't', 2);
  });

  it('lets an attempt running at stop finish within the grace and publishes its result', async () => {
    const held = gate();
    const signals: AbortSignal[] = [];
    const started = await worker({
      stopGraceMs: 60_000,
      handlers: [
        defineHandler(TYPES.graceful, async (_input, ctx) => {
          signals.push(ctx.signal);
          await held.wait();
          return { finished: ctx.attempt };
        }),
      ],
    });
    await register(app!, {
      name: 'sw-graceful',
      tasks: [{ key: 'g', type: TYPES.graceful, timeoutMs: 60_000 }],
    });
    const id = await startRun(app!, { definition: 'sw-graceful' });
    await eventually(
      async () => held.arrivals,
      (arrivals) => arrivals === 1,
    );

    let stopped = false;
    const stopping = started.stop().then(() => {
      stopped = true;
    });
    // The consumer is cancelled (stop has begun) while the attempt still runs.
    await eventually(
      () => broker!.channel.checkQueue(queueOf(TYPES.graceful)),
      (queue) => queue.consumerCount === 0,
    );
    expect(stopped).toBe(false);
    held.release();
    await stopping;

    const run = await waitForStatus(app!, id);
    expect(run.status).toBe('COMPLETED');
    expect(run.tasks[0]).toMatchObject({ attempts: 1, output: { finished: 1 } });
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(false);
  });

  it('abandons an attempt still running when the grace runs out: the same attempt is redelivered', async () => {
    const never = gate();
    const abandonedCalls: { attempt: number; signal: AbortSignal }[] = [];
    let abandonedReturned = false;
    const first = await worker({
      stopGraceMs: 100,
      handlers: [
        defineHandler(TYPES.abandoned, async (_input, ctx) => {
          abandonedCalls.push({ attempt: ctx.attempt, signal: ctx.signal });
          // Never finishes on its own (the gate opens after the test), and ignores its signal.
          await never.wait();
          abandonedReturned = true;
          return { from: 'first worker' };
        }),
      ],
    });
    await register(app!, {
      name: 'sw-abandoned',
      tasks: [{ key: 'a', type: TYPES.abandoned, timeoutMs: 60_000, retry: { maxAttempts: 3 } }],
    });
    const id = await startRun(app!, { definition: 'sw-abandoned' });
    await eventually(
      async () => abandonedCalls.length,
      (calls) => calls === 1,
    );

    await first.stop();

    expect(abandonedReturned).toBe(false);
    const { signal } = abandonedCalls[0]!;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(WorkerStoppingError);
    // Nothing was published for the attempt: everything sent to the run's shard is applied by
    // now, and the task is still running its first attempt, with no failure or result recorded.
    await awaitShardConsumed(app!, broker!, app!.runtime.routing.resultRoutingKey(id));
    const during = await getRun(app!, id);
    expect(during.status).toBe('RUNNING');
    expect(during.tasks[0]).toMatchObject({ attempts: 1, output: null });
    const eventsDuring = describeEvents(await allEvents(app!, id), 'a');
    expect(eventsDuring.filter((e) => !e.startsWith('TaskQueued/') && !e.startsWith('TaskStarted/'))).toEqual(
      [],
    );
    // Back in its queue, unacknowledged: waiting for the next worker.
    expect(await broker!.channel.checkQueue(queueOf(TYPES.abandoned))).toMatchObject({
      messageCount: 1,
      consumerCount: 0,
    });

    const redelivered: number[] = [];
    await worker({
      handlers: [
        defineHandler(TYPES.abandoned, async (_input, ctx) => {
          redelivered.push(ctx.attempt);
          return { from: 'second worker', attempt: ctx.attempt };
        }),
      ],
    });
    const run = await waitForStatus(app!, id);

    expect(run.status).toBe('COMPLETED');
    // A redelivery, not a retry: the same attempt number, and no attempt counted as failed.
    expect(redelivered).toEqual([1]);
    expect(run.tasks[0]).toMatchObject({ attempts: 1, output: { from: 'second worker', attempt: 1 } });
    const events = await allEvents(app!, id);
    expect(events.filter((e) => e.type === 'TaskFailed' || e.type === 'TaskRetryScheduled')).toEqual([]);
    only(events, 'TaskCompleted', 'a', 1);

    // Whatever the abandoned handler returns later changes nothing.
    never.release();
    await eventually(
      async () => abandonedReturned,
      (returned) => returned,
    );
    await awaitShardConsumed(app!, broker!, app!.runtime.routing.resultRoutingKey(id));
    expect(await allEvents(app!, id)).toEqual(events);
  });

  it('adds one SIGTERM and one SIGINT listener with handleSignals, and stop() is idempotent', async () => {
    const before = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
    const added: { signal: 'SIGTERM' | 'SIGINT'; listener: NodeJS.SignalsListener }[] = [];
    let started: SagaflowWorker | undefined;
    try {
      started = await startWorker({
        handlers: [defineHandler(TYPES.signals, async () => null)],
        config: workerConfig(),
        handleSignals: true,
      });
      workers.push(started);
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        const fresh = process.listeners(signal).filter((listener) => !before[signal].includes(listener));
        added.push(...fresh.map((listener) => ({ signal, listener })));
        expect({ signal, added: fresh.length }).toEqual({ signal, added: 1 });
      }
    } finally {
      // Never leave a listener that would exit the jest process.
      for (const { signal, listener } of added) process.removeListener(signal, listener);
    }
    expect(process.listenerCount('SIGTERM')).toBe(before.SIGTERM.length);
    expect(process.listenerCount('SIGINT')).toBe(before.SIGINT.length);

    expect(started.types).toEqual([TYPES.signals]);
    const once = started.stop();
    const twice = started.stop();
    expect(twice).toBe(once);
    await Promise.all([once, twice]);
    await started.stop();
    const queue = await broker!.channel.checkQueue(queueOf(TYPES.signals));
    expect(queue.consumerCount).toBe(0);
  });

  it('delays the next attempt by the RetryAfterError of the one before', async () => {
    const attempts: { attempt: number; startedAt: number; failedAt?: number }[] = [];
    await worker({
      handlers: [
        defineHandler(
          TYPES.retryAfter,
          async (_input, ctx) => {
            const record: (typeof attempts)[number] = { attempt: ctx.attempt, startedAt: Date.now() };
            attempts.push(record);
            if (ctx.attempt === 1) {
              record.failedAt = Date.now();
              throw new RetryAfterError(400, 'come back later');
            }
            return { attempt: ctx.attempt };
          },
          { input: Type.Object({}) },
        ),
      ],
    });
    await register(app!, {
      name: 'sw-retry-after',
      // The policy's own backoff (10 ms) is far shorter than the callee's 400 ms.
      tasks: [
        { key: 'r', type: TYPES.retryAfter, input: {}, retry: { maxAttempts: 3, initialIntervalMs: 10 } },
      ],
    });
    const id = await startRun(app!, { definition: 'sw-retry-after' });
    const run = await waitForStatus(app!, id);

    expect(run.status).toBe('COMPLETED');
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(attempts[1]!.startedAt - attempts[0]!.failedAt!).toBeGreaterThanOrEqual(400);

    const events = await allEvents(app!, id);
    expect(only(events, 'TaskFailed', 'r', 1).data).toMatchObject({
      final: false,
      error: { code: 'retry_after', message: 'come back later' },
    });
    expect(only(events, 'TaskRetryScheduled', 'r', 1).data).toEqual({
      kind: 'task',
      delayMs: 400,
      nextAttempt: 2,
    });
    only(events, 'TaskCompleted', 'r', 2);
  });

  it('runs at most `concurrency` attempts of a type at once', async () => {
    const held = gate();
    let running = 0;
    let maxRunning = 0;
    let calls = 0;
    await worker({
      concurrency: 2,
      handlers: [
        defineHandler(TYPES.bounded, async (_input, ctx) => {
          calls += 1;
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          try {
            await held.wait();
            // Still running for a moment once released, so unbounded attempts would overlap.
            await sleep(30);
            return { attempt: ctx.attempt };
          } finally {
            running -= 1;
          }
        }),
      ],
    });
    await register(app!, {
      name: 'sw-bounded',
      tasks: [{ key: 'b', type: TYPES.bounded, timeoutMs: 60_000 }],
    });
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) ids.push(await startRun(app!, { definition: 'sw-bounded' }));

    // Two attempts run, the four others wait in the queue and not on the worker.
    await eventually(
      async () => ({
        arrivals: held.arrivals,
        queue: await broker!.channel.checkQueue(queueOf(TYPES.bounded)),
      }),
      ({ arrivals, queue }) => arrivals === 2 && queue.messageCount === 4,
    );
    expect(running).toBe(2);

    held.release();
    for (const id of ids) expect((await waitForStatus(app!, id)).status).toBe('COMPLETED');
    expect(calls).toBe(6);
    expect(maxRunning).toBe(2);
  });
});
