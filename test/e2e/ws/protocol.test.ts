import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import { cleanup, isolatedConfig, startRun } from '../../integration/support/harness.js';
import { TestClient, wsUrlOf } from './ws-client.js';

/**
 * the contract's (docs/contract.md#live-progress) frames and its error replies. Every error leaves the connection open, which each
 * test proves by getting a good answer on the same socket afterwards. An api-only process is
 * enough: a started run has its first events (RunStarted, TaskQueued) without a worker.
 */
const config = isolatedConfig('wsproto', ['api']);
let app: SagaflowApp | null = null;
let client: TestClient;
let runId = '';

beforeAll(async () => {
  app = await createApp(config, { ws: { maxSubscriptions: 3 } });
  runId = await startRun(app, {
    definition: { name: 'ws-proto', tasks: [{ key: 'only', type: 'echo', input: { n: 1 } }] },
  });
  client = await TestClient.connect(wsUrlOf(app.url!));
});
afterAll(async () => {
  client?.terminate();
  await cleanup(app, config, ['echo']);
});

/** Proves the socket still works: a subscribe/unsubscribe round trip on a fresh definition. */
async function stillServes(): Promise<void> {
  const definition = `alive-${randomUUID().slice(0, 8)}`;
  expect(await client.request({ type: 'subscribe', definition })).toEqual({ type: 'subscribed', definition });
  expect(await client.request({ type: 'unsubscribe', definition })).toEqual({
    type: 'unsubscribed',
    definition,
  });
  expect(client.isOpen).toBe(true);
}

describe('/ws protocol errors', () => {
  it.each([
    ['malformed JSON', '{"type": "subscribe", ', 'malformed JSON'],
    ['a JSON array', '[1, 2]', 'a frame must be a JSON object with a string "type"'],
    ['a JSON string', '"subscribe"', 'a frame must be a JSON object with a string "type"'],
    ['no type', { runId: randomUUID() }, 'a frame must be a JSON object with a string "type"'],
    [
      'Nest-style event frame',
      { event: 'subscribe', data: {} },
      'a frame must be a JSON object with a string "type"',
    ],
    ['an unknown type', { type: 'hello' }, 'unknown frame type "hello"'],
    [
      'neither runId nor definition',
      { type: 'subscribe' },
      '"subscribe" needs exactly one of "runId" or "definition"',
    ],
    [
      'both runId and definition',
      { type: 'subscribe', runId: randomUUID(), definition: 'x' },
      '"subscribe" needs exactly one of "runId" or "definition"',
    ],
    ['a numeric runId', { type: 'subscribe', runId: 7 }, '"runId" must be a non-empty string'],
    [
      'an empty definition',
      { type: 'unsubscribe', definition: '' },
      '"definition" must be a definition name',
    ],
    [
      'a negative after',
      { type: 'subscribe', runId: randomUUID(), after: -1 },
      '"after" must be a non-negative integer',
    ],
    [
      'a fractional after',
      { type: 'subscribe', runId: randomUUID(), after: 1.5 },
      '"after" must be a non-negative integer',
    ],
    [
      'a string after',
      { type: 'subscribe', runId: randomUUID(), after: '3' },
      '"after" must be a non-negative integer',
    ],
    [
      'after on a definition',
      { type: 'subscribe', definition: 'x', after: 2 },
      '"after" applies to run subscriptions only',
    ],
  ])('answers %s with an error and stays open', async (_label, frame, message) => {
    const reply = await client.request(frame);
    expect(reply.type).toBe('error');
    expect(reply.message).toContain(message);
    await stillServes();
  });

  it('answers a binary frame with an error', async () => {
    const from = client.frames.length;
    client.socket.send(Buffer.from(JSON.stringify({ type: 'subscribe', runId })), { binary: true });
    expect(await client.next((f) => f.type === 'error', from)).toEqual({
      type: 'error',
      message: 'frames must be JSON text, not binary',
    });
    await stillServes();
  });

  it('answers an unknown or malformed run id with an error naming it', async () => {
    const unknown = randomUUID();
    expect(await client.request({ type: 'subscribe', runId: unknown })).toEqual({
      type: 'error',
      message: `unknown run ${unknown}`,
      runId: unknown,
    });
    expect(await client.request({ type: 'subscribe', runId: 'not-a-uuid' })).toMatchObject({
      type: 'error',
      message: 'unknown run not-a-uuid',
    });
    await stillServes();
  });
});

describe('/ws subscriptions', () => {
  it('replays a run from after, answers a second subscribe with an error, and unsubscribes', async () => {
    const from = client.frames.length;
    expect(await client.request({ type: 'subscribe', runId })).toEqual({ type: 'subscribed', runId });
    const replayed = await client.next((f) => f.type === 'event' && f.runId === runId, from);
    expect(replayed).toMatchObject({ type: 'event', runId, event: { seq: 1, type: 'RunStarted' } });
    const subscribedAt = client.frames.findIndex((f, i) => i >= from && f.type === 'subscribed');
    expect(client.frames.indexOf(replayed)).toBeGreaterThan(subscribedAt);

    expect(await client.request({ type: 'subscribe', runId, after: 1 })).toEqual({
      type: 'error',
      message: `already subscribed to run ${runId}`,
      runId,
    });
    expect(await client.request({ type: 'unsubscribe', runId })).toEqual({ type: 'unsubscribed', runId });
    expect(await client.request({ type: 'unsubscribe', runId })).toEqual({
      type: 'error',
      message: `not subscribed to run ${runId}`,
      runId,
    });

    // Resubscribing after seq 1 replays from seq 2 only.
    const again = client.frames.length;
    await client.request({ type: 'subscribe', runId, after: 1 });
    const next = await client.next((f) => f.type === 'event', again);
    expect(next).toMatchObject({ runId, event: { seq: 2, type: 'TaskQueued', taskKey: 'only' } });
    expect(await client.request({ type: 'unsubscribe', runId })).toEqual({ type: 'unsubscribed', runId });
  });

  it('limits the subscriptions of one connection', async () => {
    for (const definition of ['a', 'b', 'c']) {
      expect(await client.request({ type: 'subscribe', definition })).toEqual({
        type: 'subscribed',
        definition,
      });
    }
    expect(await client.request({ type: 'subscribe', definition: 'd' })).toEqual({
      type: 'error',
      message: 'at most 3 subscriptions per connection',
      definition: 'd',
    });
    for (const definition of ['a', 'b', 'c']) await client.request({ type: 'unsubscribe', definition });
    await stillServes();
  });
});
