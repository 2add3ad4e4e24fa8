import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import {
  cleanup,
  eventually,
  isolatedConfig,
  register,
  startRun,
  waitForStatus,
} from '../../integration/support/harness.js';
import {
  BUILTIN_TYPES,
  CLOSED_URL,
  Gate,
  reserveThenFailingCharge,
} from '../../integration/support/flow-helpers.js';
import { RetryRunCommand } from '../../../src/application/commands/retry-run.js';
import { localAdmin } from '../../../src/application/actor.js';
import { buses } from '../../integration/support/harness.js';
import { restEvents, TestClient, wsUrlOf, type WireEvent } from './ws-client.js';

/**
 * What a `/ws` watcher sees of real runs (docs/contract.md#live-progress): every event once and in `seq` order, the
 * same list REST returns, across replay, live delivery and a reconnect. One process runs every
 * role, so runs progress; `ws-gate` holds a task until the test releases it.
 */
const config = isolatedConfig('wsruns', ['api', 'relay', 'orchestrator', 'worker']);
const gate = new Gate();
const endGate = new Gate();
let app: SagaflowApp | null = null;
const clients: TestClient[] = [];

beforeAll(async () => {
  app = await createApp(config, {
    registerHandlers: (registry) => {
      registry.register('ws-gate', () => gate.wait().then(() => ({})));
      registry.register('ws-end-gate', () => endGate.wait().then(() => ({})));
    },
  });
});
afterAll(async () => {
  for (const client of clients) client.terminate();
  await cleanup(app, config, [...BUILTIN_TYPES, 'ws-gate', 'ws-end-gate']);
});

async function connect(): Promise<TestClient> {
  const client = await TestClient.connect(wsUrlOf(app!.url!));
  clients.push(client);
  return client;
}

const seqs = (events: WireEvent[]) => events.map((e) => e.seq);

describe('a /ws run subscription', () => {
  it('delivers every event of a compensating saga once, in seq order, as REST lists them', async () => {
    await register(app!, reserveThenFailingCharge('ws-saga'));
    const client = await connect();
    const runId = await startRun(app!, { definition: 'ws-saga', input: { sku: 'abc' } });
    expect(await client.request({ type: 'subscribe', runId })).toEqual({ type: 'subscribed', runId });

    const received = await client.waitForEvent(runId, 'RunCompensated');
    await waitForStatus(app!, runId, ['COMPENSATED']);
    const rest = await restEvents(app!.url!, runId);
    expect(received).toEqual(rest);
    expect(seqs(received)).toEqual(rest.map((_, i) => i + 1));
    expect(received.filter((e) => e.type === 'TaskFailed' && e.taskKey === 'charge')).toHaveLength(3);
    expect(received.some((e) => e.type === 'CompensationCompleted' && e.taskKey === 'reserve')).toBe(true);
    // `subscribed` comes before the first event of the run.
    const firstEvent = client.frames.findIndex((f) => f.type === 'event');
    expect(client.frames.findIndex((f) => f.type === 'subscribed')).toBeLessThan(firstEvent);
    expect(client.binaryFrames).toBe(0);
  });

  it('resumes after a disconnect with exactly the missed events', async () => {
    const runId = await startRun(app!, {
      definition: {
        name: 'ws-resume',
        tasks: [
          { key: 'first', type: 'echo', input: { n: 1 } },
          { key: 'held', type: 'ws-gate', dependsOn: ['first'] },
          { key: 'last', type: 'noop', dependsOn: ['held'] },
        ],
      },
    });
    const before = await connect();
    await before.request({ type: 'subscribe', runId });
    await eventuallyQueued(before, runId, 'held');
    before.terminate();
    const seen = before.eventsOf(runId);

    // Everything from here on happens while no one watches.
    gate.release();
    await waitForStatus(app!, runId, ['COMPLETED']);

    const after = await connect();
    const lastSeq = seen.at(-1)!.seq;
    expect(await after.request({ type: 'subscribe', runId, after: lastSeq })).toEqual({
      type: 'subscribed',
      runId,
    });
    const missed = await after.waitForEvent(runId, 'RunCompleted');
    expect(missed[0]!.seq).toBe(lastSeq + 1);
    const rest = await restEvents(app!.url!, runId);
    expect([...seen, ...missed]).toEqual(rest);
    expect(missed.some((e) => e.type === 'TaskCompleted' && e.taskKey === 'held')).toBe(true);
  });
});

describe('a /ws definition subscription', () => {
  it('carries live events of every run of that name, registered or inline, and no other', async () => {
    await register(app!, { name: 'ws-watched', tasks: [{ key: 'a', type: 'noop' }] });
    const client = await connect();
    expect(await client.request({ type: 'subscribe', definition: 'ws-watched' })).toEqual({
      type: 'subscribed',
      definition: 'ws-watched',
    });
    const registered = await startRun(app!, { definition: 'ws-watched' });
    const inline = await startRun(app!, {
      definition: { name: 'ws-watched', tasks: [{ key: 'b', type: 'echo', input: { x: 1 } }] },
    });
    const other = await startRun(app!, {
      definition: { name: 'ws-other', tasks: [{ key: 'c', type: 'noop' }] },
    });

    for (const runId of [registered, inline]) {
      const received = await client.waitForEvent(runId, 'RunCompleted');
      expect(received).toEqual(await restEvents(app!.url!, runId));
    }
    await waitForStatus(app!, other, ['COMPLETED']);
    expect(client.eventsOf(other)).toEqual([]);
  });
});

describe('the end of a /ws run subscription', () => {
  it('sends end right after the terminal event, drops the subscription and keeps the socket', async () => {
    const runId = await startRun(app!, {
      definition: {
        name: 'ws-end',
        tasks: [
          { key: 'held', type: 'ws-end-gate' },
          { key: 'last', type: 'noop', dependsOn: ['held'] },
        ],
      },
    });
    const client = await connect();
    const byDefinition = await connect();
    await client.request({ type: 'subscribe', runId });
    await client.request({ type: 'subscribe', definition: 'ws-end-other' });
    await byDefinition.request({ type: 'subscribe', definition: 'ws-end' });
    await eventuallyQueued(client, runId, 'held');
    endGate.release();

    const end = await client.next((f) => f.type === 'end');
    const rest = await restEvents(app!.url!, runId);
    const terminal = rest.at(-1)!;
    expect(terminal.type).toBe('RunCompleted');
    expect(end).toEqual({ type: 'end', runId, seq: terminal.seq, status: 'COMPLETED' });
    // The end frame comes right after the terminal event, and nothing of the run after it.
    const runFrames = client.frames.filter((f) => f.runId === runId);
    expect(runFrames.at(-1)).toEqual(end);
    expect(runFrames.at(-2)).toEqual({ type: 'event', runId, event: terminal });

    // The run subscription is gone; the socket and its other subscription stay.
    expect(await client.request({ type: 'unsubscribe', runId })).toEqual({
      type: 'error',
      message: `not subscribed to run ${runId}`,
      runId,
    });
    expect(await client.request({ type: 'unsubscribe', definition: 'ws-end-other' })).toEqual({
      type: 'unsubscribed',
      definition: 'ws-end-other',
    });
    expect(client.isOpen).toBe(true);

    // A definition subscription is not ended by the end of one of its runs.
    await byDefinition.waitForEvent(runId, 'RunCompleted');
    expect(await byDefinition.request({ type: 'unsubscribe', definition: 'ws-end' })).toEqual({
      type: 'unsubscribed',
      definition: 'ws-end',
    });
    expect(byDefinition.frames.some((f) => f.type === 'end')).toBe(false);
  });

  it('replays a finished run from after and ends; from its last seq it ends at once', async () => {
    const runId = await startRun(app!, {
      definition: { name: 'ws-finished', tasks: [{ key: 'a', type: 'echo', input: { n: 1 } }] },
    });
    await waitForStatus(app!, runId, ['COMPLETED']);
    const rest = await restEvents(app!.url!, runId);
    const last = rest.at(-1)!;
    const client = await connect();

    const from = client.frames.length;
    await client.request({ type: 'subscribe', runId, after: 2 });
    await client.next((f) => f.type === 'end', from);
    expect(client.frames.slice(from)).toEqual([
      { type: 'subscribed', runId },
      ...rest.slice(2).map((event) => ({ type: 'event', runId, event })),
      { type: 'end', runId, seq: last.seq, status: 'COMPLETED' },
    ]);

    const again = client.frames.length;
    await client.request({ type: 'subscribe', runId, after: last.seq });
    await client.next((f) => f.type === 'end', again);
    expect(client.frames.slice(again)).toEqual([
      { type: 'subscribed', runId },
      { type: 'end', runId, seq: last.seq, status: 'COMPLETED' },
    ]);
    expect(client.isOpen).toBe(true);
  });

  it('does not end at a terminal event that an operator retry followed', async () => {
    const runId = await startRun(app!, {
      definition: {
        name: 'ws-retried',
        tasks: [
          {
            key: 'call',
            type: 'http',
            retry: { maxAttempts: 1 },
            input: { method: 'POST', url: `${CLOSED_URL}/call` },
          },
        ],
      },
    });
    await waitForStatus(app!, runId, ['FAILED']);
    const firstEnd = (await restEvents(app!.url!, runId)).at(-1)!;
    await buses(app!).commands.execute(new RetryRunCommand(localAdmin(), runId));
    await eventually(
      async () => (await restEvents(app!.url!, runId)).filter((e) => e.type === 'RunFailed').length,
      (failures) => failures === 2,
    );
    const rest = await restEvents(app!.url!, runId);
    const client = await connect();
    await client.request({ type: 'subscribe', runId });
    const end = await client.next((f) => f.type === 'end');
    expect(end).toEqual({ type: 'end', runId, seq: rest.at(-1)!.seq, status: 'FAILED' });
    expect(firstEnd.type).toBe('RunFailed');
    expect(client.eventsOf(runId)).toEqual(rest);
    expect(client.frames.filter((f) => f.type === 'end')).toHaveLength(1);
  });
});

/** Waits until the run's task `key` has been queued, as seen by this client. */
async function eventuallyQueued(client: TestClient, runId: string, key: string): Promise<void> {
  await client.next((f) => {
    const event = f.event as WireEvent | undefined;
    return f.type === 'event' && f.runId === runId && event?.type === 'TaskQueued' && event.taskKey === key;
  });
}
