import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import { RetryableError } from '../../../src/interfaces/worker/index.js';
import { RunEventsGateway } from '../../../src/interfaces/ws/run-events.gateway.js';
import {
  cleanup,
  eventually,
  isolatedConfig,
  startRun,
  waitForStatus,
} from '../../integration/support/harness.js';
import { BUILTIN_TYPES } from '../../integration/support/flow-helpers.js';
import { restEvents, TestClient, wsUrlOf } from './ws-client.js';

/**
 * A client that stops reading must not make the server buffer without bound: once its socket
 * has more than `maxBufferedBytes` queued, it is cut off (close 1013) and its subscriptions are
 * released. The kernel's socket buffers take a few MiB on loopback before anything queues in the
 * process, so the run's history must be bigger than that: 40 parallel `ws-bulky` tasks fail
 * up to 60 times each with a message at the length limit (about 4 KiB per `TaskFailed`), some
 * 7 MiB of events, replayed at once to a client that has paused its socket.
 */
const config = isolatedConfig('wsslow', ['api', 'relay', 'orchestrator', 'worker']);
const LIMIT = 64 * 1024;
/** Longer than the failure message limit (4096), so each `TaskFailed` carries the most it can. */
const MESSAGE = 'x'.repeat(8 * 1024);
const PARALLEL = 40;
const ATTEMPTS = 60;
let app: SagaflowApp | null = null;
const clients: TestClient[] = [];

beforeAll(async () => {
  app = await createApp(config, {
    ws: { maxBufferedBytes: LIMIT },
    registerHandlers: (registry) =>
      registry.register('ws-bulky', () => Promise.reject(new RetryableError(MESSAGE))),
  });
});
afterAll(async () => {
  for (const client of clients) client.terminate();
  await cleanup(app, config, [...BUILTIN_TYPES, 'ws-bulky']);
});

async function connect(): Promise<TestClient> {
  const client = await TestClient.connect(wsUrlOf(app!.url!));
  clients.push(client);
  return client;
}

describe('a /ws client that stops reading', () => {
  it('is cut off with 1013 and its subscriptions released, while others are served', async () => {
    const runId = await startRun(app!, {
      definition: {
        name: 'ws-bulky',
        tasks: Array.from({ length: PARALLEL }, (_, i) => ({
          key: `bulky${i}`,
          type: 'ws-bulky',
          retry: { maxAttempts: ATTEMPTS, initialIntervalMs: 1, backoffCoefficient: 1, maxIntervalMs: 1 },
        })),
      },
    });
    await waitForStatus(app!, runId, ['FAILED']);
    const rest = await restEvents(app!.url!, runId);
    expect(JSON.stringify(rest).length).toBeGreaterThan(6 * 1024 * 1024);

    const gateway = app!.app.get(RunEventsGateway);
    const slow = await connect();
    // A subscription that sends nothing, so the count below can only drop through the cut-off.
    expect(await slow.request({ type: 'subscribe', definition: 'ws-quiet' })).toMatchObject({
      type: 'subscribed',
    });
    expect(gateway.subscriptionCount).toBe(1);
    slow.socket.pause();
    slow.send({ type: 'subscribe', runId });
    // Released while the client still has not read its close frame (the socket is not closed).
    await eventually(
      async () => gateway.subscriptionCount,
      (count) => count === 0,
    );

    slow.socket.resume();
    expect(await slow.waitClosed()).toEqual({
      code: 1013,
      reason: 'send buffer limit exceeded: client too slow',
    });
    const partial = slow.eventsOf(runId);
    expect(partial.length).toBeLessThan(rest.length);
    expect(partial).toEqual(rest.slice(0, partial.length));

    const fast = await connect();
    await fast.request({ type: 'subscribe', runId });
    expect(await fast.waitForEvent(runId, 'RunFailed')).toEqual(rest);
  });
});
