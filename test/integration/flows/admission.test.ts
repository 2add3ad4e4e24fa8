import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import { taskQueueName } from '../../../src/infrastructure/messaging/names.js';
import { cleanup, isolatedConfig } from '../support/harness.js';
import { startAppWith } from '../support/flow-helpers.js';

/**
 * Admission control (docs/operations.md#overload) against the real broker: without a worker,
 * every started run leaves its first task waiting in the `noop` queue, so the backlog the api
 * counts is exactly the runs started. Past SAGAFLOW_MAX_BACKLOG a start is a quick 503 that
 * writes nothing; reads still answer; once the queue drains, starts are taken again.
 */
const MAX_BACKLOG = 5;
const config = { ...isolatedConfig('admission', ['api', 'relay', 'orchestrator']), maxBacklog: MAX_BACKLOG };
let app: SagaflowApp | null = null;

beforeAll(async () => {
  app = await startAppWith(config);
  const registered = await post('/v1/definitions', { name: 'pile', tasks: [{ key: 'a', type: 'noop' }] });
  expect(registered.status).toBe(201);
});
afterAll(async () => {
  await cleanup(app, config, ['noop']);
});

async function post(path: string, body: unknown) {
  const response = await fetch(`${app!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

async function runCount(): Promise<number> {
  const response = await fetch(`${app!.url}/v1/runs?definition=pile&limit=100`);
  return ((await response.json()) as { items: unknown[] }).items.length;
}

/** Counts the queues now, and until the first task of every run started is in them. */
async function backlogReaches(expected: number): Promise<void> {
  for (;;) {
    await app!.runtime.admission.sample();
    if (app!.runtime.admission.messages >= expected) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('admission control by the broker backlog', () => {
  it('refuses starts past the backlog limit with 503 overloaded and Retry-After, writes nothing, and takes them again once the queue drains', async () => {
    const started: string[] = [];
    for (let i = 0; i <= MAX_BACKLOG; i++) {
      const answer = await post('/v1/runs', { definition: 'pile', input: { i } });
      expect(answer.status).toBe(201);
      started.push(String((answer.body as { id: string }).id));
    }
    await backlogReaches(MAX_BACKLOG + 1);

    const refused = await post('/v1/runs', { definition: 'pile', input: { i: 'over' } });
    expect(refused).toMatchObject({
      status: 503,
      retryAfter: '1',
      body: {
        type: 'https://sagaflow.dev/problems/overloaded',
        status: 503,
        detail: `overloaded: ${MAX_BACKLOG + 1} messages wait in the task and result queues (SAGAFLOW_MAX_BACKLOG ${MAX_BACKLOG}); retry later`,
      },
    });
    expect(refused.type).toMatch(/^application\/problem\+json/);
    expect(await runCount()).toBe(MAX_BACKLOG + 1);
    // Reads are not shed: only new work is.
    const read = await fetch(`${app!.url}/v1/runs/${started[0]}`);
    expect(read.status).toBe(200);

    const model = await app!.runtime.amqp.whenReady();
    const channel = await model.createChannel();
    await channel.purgeQueue(taskQueueName(config.amqpPrefix!, 'noop'));
    await channel.close();
    await app!.runtime.admission.sample();
    expect(app!.runtime.admission.messages).toBe(0);
    const again = await post('/v1/runs', { definition: 'pile', input: { i: 'again' } });
    expect(again.status).toBe(201);
  });
});
