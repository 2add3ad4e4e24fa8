import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import { cleanup, isolatedConfig, waitForStatus } from '../../integration/support/harness.js';
import { BUILTIN_TYPES } from '../../integration/support/flow-helpers.js';
import { restEvents, TestClient, wsUrlOf } from './ws-client.js';

/**
 * docs/contract.md#live-progress: "events reach subscribers on every api instance, whichever instance made the
 * change". Two processes of one installation (same database, AMQP and Redis prefixes):
 * A serves the api only, B runs every role; the run is started through B's REST API and
 * watched on A, where nothing about the run happens.
 */
const shared = isolatedConfig('wstwo', ['api']);
let a: SagaflowApp | null = null;
let b: SagaflowApp | null = null;
const watchers: TestClient[] = [];

beforeAll(async () => {
  a = await createApp(shared);
  b = await createApp({ ...shared, roles: new Set(['api', 'relay', 'orchestrator', 'worker']) });
});
afterAll(async () => {
  for (const watcher of watchers) watcher.terminate();
  await a?.close();
  await cleanup(b, shared, [...BUILTIN_TYPES]);
});

async function watchOnA(): Promise<TestClient> {
  const watcher = await TestClient.connect(wsUrlOf(a!.url!));
  watchers.push(watcher);
  return watcher;
}

describe('/ws across api instances', () => {
  it('shows watchers on A every event of a run started through B', async () => {
    // Subscribed before the run exists: everything it gets comes live from B through Redis.
    const live = await watchOnA();
    expect(await live.request({ type: 'subscribe', definition: 'ws-two' })).toEqual({
      type: 'subscribed',
      definition: 'ws-two',
    });
    const response = await fetch(`${b!.url!}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        definition: {
          name: 'ws-two',
          tasks: [
            { key: 'one', type: 'echo', input: { n: 1 } },
            { key: 'two', type: 'noop', dependsOn: ['one'] },
          ],
        },
      }),
    });
    expect(response.status).toBe(201);
    const { id: runId } = (await response.json()) as { id: string };
    // Subscribed once the run is under way: A replays from history, then goes live.
    const byRun = await watchOnA();
    expect(await byRun.request({ type: 'subscribe', runId })).toEqual({ type: 'subscribed', runId });

    await waitForStatus(b!, runId, ['COMPLETED']);
    const rest = await restEvents(b!.url!, runId);
    expect(rest.at(-1)!.type).toBe('RunCompleted');
    expect(await live.waitForEvent(runId, 'RunCompleted')).toEqual(rest);
    expect(await byRun.waitForEvent(runId, 'RunCompleted')).toEqual(rest);
  });
});
