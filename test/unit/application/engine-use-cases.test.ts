/**
 * The engine's use cases on in-memory fakes of its ports (test/support/fakes): Given a
 * registered definition, When commands and worker results arrive, Then the committed events,
 * statuses and outbox rows. No services, no waiting: time is a ManualClock. The same flows run
 * against PostgreSQL and RabbitMQ in test/integration/flows.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { localAdmin } from '../../../src/application/actor.js';
import { CancelRunCommand, CancelRunHandler } from '../../../src/application/commands/cancel-run.js';
import {
  RegisterDefinitionCommand,
  RegisterDefinitionHandler,
} from '../../../src/application/commands/register-definition.js';
import { StartRunCommand, StartRunHandler } from '../../../src/application/commands/start-run.js';
import { DefinitionCatalog } from '../../../src/application/engine/definition-catalog.js';
import { RunOrchestrator } from '../../../src/application/engine/run-orchestrator.js';
import type { ResultMessage, TaskMessage } from '../../../src/application/ports/messages.js';
import { untraced } from '../../../src/application/ports/run-tracing.js';
import { GetRunJsonHandler, GetRunJsonQuery } from '../../../src/application/queries/run-queries.js';
import type { RunView } from '../../../src/application/queries/run-view.js';
import type { Json } from '../../../src/domain/run/run-snapshot.js';
import { InMemoryRuns } from '../../support/fakes/in-memory-runs.js';
import {
  InMemoryDefinitions,
  InMemoryRunViewCache,
  ManualClock,
  InMemoryWorkerDirectory,
  RecordingPublisher,
  testRouting,
} from '../../support/fakes/in-memory-ports.js';
import { parseRegisterDefinition } from '../../../src/application/contracts/requests/definition-body.js';
import { parseStartRun } from '../../../src/application/contracts/requests/start-run.js';

const actor = localAdmin();
const engines: RunOrchestrator[] = [];

afterEach(() => {
  for (const engine of engines.splice(0)) engine.timers.close();
});

function engine() {
  const clock = new ManualClock();
  const definitions = new InMemoryDefinitions(clock);
  const runs = new InMemoryRuns(definitions);
  const publisher = new RecordingPublisher();
  const errors: unknown[] = [];
  const catalog = new DefinitionCatalog(definitions);
  const orchestrator = new RunOrchestrator(
    runs,
    catalog,
    testRouting,
    publisher,
    (error) => errors.push(error),
    untraced,
    clock,
  );
  engines.push(orchestrator);
  const register = new RegisterDefinitionHandler(definitions, new InMemoryWorkerDirectory(clock));
  const start = new StartRunHandler(orchestrator, catalog);

  return {
    clock,
    runs,
    publisher,
    errors,
    orchestrator,
    async given(definition: Record<string, unknown>): Promise<void> {
      await register.execute(new RegisterDefinitionCommand(actor, parseRegisterDefinition(definition)));
    },
    async start(body: Record<string, unknown>) {
      return start.execute(new StartRunCommand(actor, parseStartRun(body)));
    },
    /** The task messages committed since the last call, as a worker would receive them. */
    dispatched(): TaskMessage[] {
      return publisher.take().map((row) => row.body as unknown as TaskMessage);
    },
    async report(results: ResultMessage[]): Promise<void> {
      await orchestrator.applyResults(results);
    },
    completed(message: TaskMessage, output: Json = {}): ResultMessage {
      return {
        ...base(message, clock.now()),
        outcome: 'completed',
        output,
        finishedAt: clock.now().toISOString(),
      };
    },
    failed(message: TaskMessage, retryable: boolean): ResultMessage {
      return {
        ...base(message, clock.now()),
        outcome: 'failed',
        error: { message: 'boom', retryable },
        finishedAt: clock.now().toISOString(),
      };
    },
    eventTypes(runId: string): string[] {
      return runs.eventsOf(runId).map((e) => (e.taskKey ? `${e.type}:${e.taskKey}` : e.type));
    },
  };
}

function base(message: TaskMessage, now: Date) {
  return {
    runId: message.runId,
    taskKey: message.taskKey,
    kind: message.kind,
    attempt: message.attempt,
    startedAt: now.toISOString(),
  };
}

const keys = (messages: TaskMessage[]) => messages.map((m) => `${m.kind}:${m.taskKey}#${m.attempt}`);

describe('engine use cases on in-memory ports', () => {
  it('runs a chain: each completion queues the next task, the last one ends the run COMPLETED', async () => {
    const e = engine();
    await e.given({
      name: 'chain',
      tasks: [
        { key: 'a', type: 'noop' },
        { key: 'b', type: 'echo', dependsOn: ['a'] },
      ],
    });

    const { run, created } = await e.start({ definition: 'chain', input: { n: 1 } });
    expect(created).toBe(true);
    const first = e.dispatched();
    expect(keys(first)).toEqual(['task:a#1']);

    await e.report([e.completed(first[0]!, { ok: true })]);
    const second = e.dispatched();
    expect(keys(second)).toEqual(['task:b#1']);

    await e.report([e.completed(second[0]!)]);
    expect(e.runs.snapshotOf(run.id).status).toBe('COMPLETED');
    expect(e.dispatched()).toEqual([]);
    const seqs = e.runs.eventsOf(run.id).map((event) => event.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('a retryable failure waits for its backoff on the clock, then queues attempt 2', async () => {
    const e = engine();
    await e.given({
      name: 'flaky',
      tasks: [{ key: 'a', type: 'noop', retry: { maxAttempts: 3, initialIntervalMs: 1000 } }],
    });
    const { run } = await e.start({ definition: 'flaky' });
    const [attempt1] = e.dispatched();

    await e.report([e.failed(attempt1!, true)]);
    expect(e.runs.snapshotOf(run.id).tasks[0]!.status).toBe('RETRYING');
    e.clock.advance(999);
    expect(await e.orchestrator.fireDueTimers()).toBe(0);
    expect(e.dispatched()).toEqual([]);

    e.clock.advance(1);
    expect(await e.orchestrator.fireDueTimers()).toBe(1);
    expect(keys(e.dispatched())).toEqual(['task:a#2']);
  });

  it('a permanent failure compensates the completed tasks in reverse dependency order', async () => {
    const e = engine();
    const comp = { compensation: { type: 'noop' } };
    await e.given({
      name: 'saga',
      tasks: [
        { key: 'reserve', type: 'noop', ...comp },
        { key: 'charge', type: 'noop', dependsOn: ['reserve'], ...comp },
        { key: 'ship', type: 'noop', dependsOn: ['charge'], retry: { maxAttempts: 1 }, ...comp },
      ],
    });
    const { run } = await e.start({ definition: 'saga' });
    await e.report([e.completed(e.dispatched()[0]!)]);
    await e.report([e.completed(e.dispatched()[0]!)]);
    await e.report([e.failed(e.dispatched()[0]!, false)]);

    const undoCharge = e.dispatched();
    expect(keys(undoCharge)).toEqual(['compensation:charge#1']);
    await e.report([e.completed(undoCharge[0]!)]);
    const undoReserve = e.dispatched();
    expect(keys(undoReserve)).toEqual(['compensation:reserve#1']);
    await e.report([e.completed(undoReserve[0]!)]);

    expect(e.runs.snapshotOf(run.id).status).toBe('COMPENSATED');
    expect(e.eventTypes(run.id).at(-1)).toBe('RunCompensated');
  });

  it('a write that loses a version race is decided again on fresh state, and applied once', async () => {
    const e = engine();
    await e.given({ name: 'one', tasks: [{ key: 'a', type: 'noop' }] });
    const { run } = await e.start({ definition: 'one' });
    const [a] = e.dispatched();

    e.runs.conflictsToSimulate = 1;
    const saves = e.runs.saveCalls;
    await e.report([e.completed(a!)]);

    expect(e.runs.saveCalls - saves).toBe(2);
    expect(e.runs.snapshotOf(run.id).status).toBe('COMPLETED');
    expect(e.eventTypes(run.id).filter((t) => t === 'TaskCompleted:a')).toHaveLength(1);
  });

  it('a duplicate result changes nothing', async () => {
    const e = engine();
    await e.given({
      name: 'one',
      tasks: [
        { key: 'a', type: 'noop' },
        { key: 'b', type: 'noop', dependsOn: ['a'] },
      ],
    });
    const { run } = await e.start({ definition: 'one' });
    const result = e.completed(e.dispatched()[0]!);
    await e.report([result]);
    const before = e.runs.snapshotOf(run.id);

    await e.report([result]);
    expect(e.runs.snapshotOf(run.id)).toEqual(before);
    expect(keys(e.dispatched())).toEqual(['task:b#1']);
  });

  it('the same idempotency key returns the first run, with nothing written', async () => {
    const e = engine();
    await e.given({ name: 'one', tasks: [{ key: 'a', type: 'noop' }] });
    const first = await e.start({ definition: 'one', idempotencyKey: 'k-1' });
    e.dispatched();

    const again = await e.start({ definition: 'one', idempotencyKey: 'k-1' });
    expect(again.created).toBe(false);
    expect(again.run.id).toBe(first.run.id);
    expect(e.dispatched()).toEqual([]);
  });

  it('cancel of a run with a started task asks it to stop and the run ends CANCELLED', async () => {
    const e = engine();
    await e.given({
      name: 'long',
      tasks: [
        { key: 'a', type: 'noop' },
        { key: 'b', type: 'noop', dependsOn: ['a'] },
      ],
    });
    const { run } = await e.start({ definition: 'long' });
    const [a] = e.dispatched();
    await e.report([{ ...base(a!, e.clock.now()), outcome: 'started' }]);

    const view = await new CancelRunHandler(e.orchestrator).execute(
      new CancelRunCommand(actor, run.id, { reason: 'operator' }),
    );
    expect(view.status).toBe('CANCELLING');

    await e.report([e.completed(a!)]);
    expect(e.runs.snapshotOf(run.id).status).toBe('CANCELLED');
    expect(keys(e.dispatched())).toEqual([]);
  });

  it('GET run: read through the cache once, then served from it until a newer version commits', async () => {
    const e = engine();
    await e.given({ name: 'one', tasks: [{ key: 'a', type: 'noop' }] });
    const { run } = await e.start({ definition: 'one' });
    const cache = new InMemoryRunViewCache();
    const get = new GetRunJsonHandler(e.runs, cache);
    const read = async () => JSON.parse(await get.execute(new GetRunJsonQuery(actor, run.id))) as RunView;

    expect((await read()).status).toBe('RUNNING');
    await e.report([e.completed(e.dispatched()[0]!)]);
    expect((await read()).status).toBe('RUNNING'); // no marker raised: the cached view stands

    cache.committed('default', run.id, e.runs.snapshotOf(run.id).version);
    expect((await read()).status).toBe('COMPLETED');
  });
});
