import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import { StartRunCommand } from '../../../src/application/commands/start-run.js';
import { ConflictError } from '../../../src/application/errors.js';
import type { ResultMessage } from '../../../src/application/ports/messages.js';
import { ListRunsQuery } from '../../../src/application/queries/run-queries.js';
import type { RunView } from '../../../src/application/queries/run-view.js';
import {
  buses,
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
  type FlowEvent,
  Gate,
  MARKER_TYPE,
  startAppWith,
  BUILTIN_TYPES,
} from '../support/flow-helpers.js';
import { localAdmin } from '../../../src/application/actor.js';
import { parseStartRun } from '../../../src/application/contracts/requests/start-run.js';

const config = isolatedConfig('idempotency');
let app: SagaflowApp | null = null;
let broker: Broker | null = null;
const heldGate = new Gate();
let heldFinished = false;

beforeAll(async () => {
  app = await startAppWith(config, (registry) => {
    registry.register('held', async () => {
      await heldGate.wait();
      heldFinished = true;
      return { from: 'worker' };
    });
  });
  broker = await Broker.open();
});
afterAll(async () => {
  heldGate.release();
  await broker?.close();
  await cleanup(app, config, [...BUILTIN_TYPES, 'held', MARKER_TYPE]);
});

type Started = { run: { id: string; status: string }; created: boolean };
const start = async (body: unknown, headerKey?: string) =>
  buses(app!).commands.execute<StartRunCommand, Started>(
    new StartRunCommand(localAdmin(), parseStartRun(body, headerKey)),
  );
const runsOf = async (definition: string) =>
  (
    await buses(app!).queries.execute<ListRunsQuery, { items: { id: string }[] }>(
      new ListRunsQuery(localAdmin(), { definition }),
    )
  ).items;

/** A completed result exactly as a worker would have sent it for this task of a finished run. */
function completedResult(run: RunView, key: string): ResultMessage {
  const task = run.tasks.find((t) => t.key === key)!;
  return {
    runId: run.id,
    taskKey: key,
    kind: 'task',
    attempt: task.attempts,
    startedAt: task.startedAt!,
    outcome: 'completed',
    output: task.output,
    finishedAt: task.finishedAt!,
  };
}

function completions(events: FlowEvent[]): string[] {
  return describeEvents(events.filter((e) => e.type === 'TaskCompleted'));
}

describe('idempotent start', () => {
  it('returns the first run for the same key and request, and refuses a different request', async () => {
    await register(app!, { name: 'once', tasks: [{ key: 'e', type: 'echo', input: { v: '${input.v}' } }] });
    const body = { definition: 'once', input: { v: 1 }, idempotencyKey: 'order-42' };

    const first = await start(body);
    expect(first.created).toBe(true);
    const firstRun = await waitForStatus(app!, first.run.id);
    expect(firstRun.status).toBe('COMPLETED');
    const firstEvents = await allEvents(app!, first.run.id);

    const replay = await start({ ...body, input: { v: 1 } });
    expect(replay.created).toBe(false);
    expect(replay.run.id).toBe(first.run.id);
    // The key may also come as the Idempotency-Key header.
    const viaHeader = await start({ definition: 'once', input: { v: 1 } }, 'order-42');
    expect(viaHeader).toMatchObject({ created: false, run: { id: first.run.id } });

    await expect(start({ ...body, input: { v: 2 } })).rejects.toBeInstanceOf(ConflictError);
    await expect(start({ ...body, priority: 9 })).rejects.toBeInstanceOf(ConflictError);

    // Nothing was written by the replays or the conflicts.
    expect((await runsOf('once')).map((r) => r.id)).toEqual([first.run.id]);
    expect(await allEvents(app!, first.run.id)).toEqual(firstEvents);
    expect(await getRun(app!, first.run.id)).toEqual(firstRun);

    // Another key is another run.
    const other = await start({ ...body, idempotencyKey: 'order-43' });
    expect(other.created).toBe(true);
    expect(other.run.id).not.toBe(first.run.id);
    expect(await runsOf('once')).toHaveLength(2);
  });
});

describe('duplicate result delivery', () => {
  it('ignores re-delivered completions of a finished run', async () => {
    await register(app!, {
      name: 'dupes',
      tasks: [
        { key: 'a', type: 'echo', input: { v: 1 } },
        { key: 'b', type: 'echo', dependsOn: ['a'], input: { v: '${tasks.a.output.v}' } },
      ],
    });
    const id = await startRun(app!, { definition: 'dupes' });
    const run = await waitForStatus(app!, id);
    expect(run.status).toBe('COMPLETED');
    const before = await allEvents(app!, id);
    expect(completions(before)).toEqual(['TaskCompleted/a/1', 'TaskCompleted/b/1']);

    const routingKey = app!.runtime.routing.resultRoutingKey(id);
    for (const key of ['a', 'b']) {
      const copy = completedResult(run, key);
      await broker!.publish(app!.runtime.routing.resultExchange, routingKey, copy);
      await broker!.publish(app!.runtime.routing.resultExchange, routingKey, copy);
    }
    await awaitShardConsumed(app!, broker!, routingKey);

    expect(await allEvents(app!, id)).toEqual(before);
    expect(await getRun(app!, id)).toEqual(run);
  });

  it('applies a completion delivered twice while its task is in flight exactly once', async () => {
    await register(app!, {
      name: 'dupes-in-flight',
      tasks: [
        { key: 'h', type: 'held' },
        { key: 'next', type: 'echo', dependsOn: ['h'], input: { got: '${tasks.h.output.from}' } },
      ],
    });
    const id = await startRun(app!, { definition: 'dupes-in-flight' });
    const queued = await getRun(app!, id);
    expect(queued.tasks[0]!.status).toMatch(/^(QUEUED|RUNNING)$/);

    const now = new Date().toISOString();
    const result: ResultMessage = {
      runId: id,
      taskKey: 'h',
      kind: 'task',
      attempt: 1,
      startedAt: now,
      outcome: 'completed',
      output: { from: 'forged' },
      finishedAt: now,
    };
    const routingKey = app!.runtime.routing.resultRoutingKey(id);
    await broker!.publish(app!.runtime.routing.resultExchange, routingKey, result);
    await broker!.publish(app!.runtime.routing.resultExchange, routingKey, result);
    await awaitShardConsumed(app!, broker!, routingKey);

    const run = await waitForStatus(app!, id);
    expect(run.status).toBe('COMPLETED');
    expect(run.tasks[0]).toMatchObject({ status: 'COMPLETED', attempts: 1, output: { from: 'forged' } });
    expect(run.tasks[1]).toMatchObject({ status: 'COMPLETED', output: { got: 'forged' } });
    const events = await allEvents(app!, id);
    expect(completions(events)).toEqual(['TaskCompleted/h/1', 'TaskCompleted/next/1']);
    expect(describeEvents(events, 'next').filter((e) => e.startsWith('TaskQueued'))).toEqual([
      'TaskQueued/next/1',
    ]);

    // The worker's own (third) completion of the same attempt comes later and is ignored too.
    heldGate.release();
    // Once the handler has returned, the worker publishes its result within the same run of
    // microtasks; when no publish awaits a confirm any more, the result is on the shard queue.
    await eventually(
      async () => heldFinished && app!.runtime.publisher.pendingCount === 0,
      (done) => done,
      20,
    );
    await awaitShardConsumed(app!, broker!, routingKey);
    expect(await allEvents(app!, id)).toEqual(events);
    expect((await getRun(app!, id)).tasks[0]!.output).toEqual({ from: 'forged' });
  });
});
