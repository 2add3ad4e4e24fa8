import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import {
  cleanup,
  isolatedConfig,
  register,
  startRun,
  waitForStatus,
} from '../../integration/support/harness.js';
import { BUILTIN_TYPES, Gate, reserveThenFailingCharge } from '../../integration/support/flow-helpers.js';
import { restEvents, TestClient, wsUrlOf, type WireEvent } from './ws-client.js';

/**
 * What a `/ws` watcher sees of real runs (docs/contract.md#live-progress): every event once and in `seq` order, the
 * same list REST returns, across replay, live delivery and a reconnect. One process runs every
 * role, so runs progress; `ws-gate` holds a task until the test releases it.
 */
const config = isolatedConfig('wsruns', ['api', 'relay', 'orchestrator', 'worker']);
const gate = new Gate();
let app: SagaflowApp | null = null;
const clients: TestClient[] = [];

beforeAll(async () => {
  app = await createApp(config, {
    registerHandlers: (registry) => registry.register('ws-gate', () => gate.wait().then(() => ({}))),
  });
});
afterAll(async () => {
  for (const client of clients) client.terminate();
  await cleanup(app, config, [...BUILTIN_TYPES, 'ws-gate']);
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

/** Waits until the run's task `key` has been queued, as seen by this client. */
async function eventuallyQueued(client: TestClient, runId: string, key: string): Promise<void> {
  await client.next((f) => {
    const event = f.event as WireEvent | undefined;
    return f.type === 'event' && f.runId === runId && event?.type === 'TaskQueued' && event.taskKey === key;
  });
}
