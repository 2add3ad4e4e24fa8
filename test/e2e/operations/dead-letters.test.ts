import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import { deadLetterExchangeName, taskQueueName } from '../../../src/infrastructure/messaging/names.js';
import {
  cleanup,
  eventually,
  isolatedConfig,
  register,
  startRun,
  waitForStatus,
} from '../../integration/support/harness.js';
import { BUILTIN_TYPES } from '../../integration/support/flow-helpers.js';

/**
 * Dead letters over REST (docs/operations.md#dead-letters): what the broker dead-letters is
 * kept in PostgreSQL by the relay's keeper, listed with why it died, replayed exactly once to
 * the queue it died on, and deleted.
 */
const config = isolatedConfig('dead-letters', ['api', 'relay', 'orchestrator', 'worker']);
const prefix = config.amqpPrefix!;
let app: SagaflowApp | null = null;
let connection: ChannelModel | null = null;
let channel: ConfirmChannel | null = null;
/** A queue of this installation nobody consumes: where a replay can be counted. */
const idleQueue = `${prefix}.tasks.idle-${randomUUID().slice(0, 8)}`;

interface Letter {
  id: string;
  namespace: string | null;
  queue: string;
  reason: string;
  messageId: string | null;
  runId: string | null;
  bodyEncoding: 'json' | 'base64';
  body: unknown;
  headers: Record<string, unknown>;
}

beforeAll(async () => {
  app = await createApp(config);
  connection = await connect('amqp://guest:guest@127.0.0.1:5672');
  channel = await connection.createConfirmChannel();
  await channel.assertQueue(idleQueue, { durable: true });
}, 60_000);

afterAll(async () => {
  try {
    await channel?.deleteQueue(idleQueue).catch(() => undefined);
    await connection?.close().catch(() => undefined);
  } finally {
    await cleanup(app, config, [...BUILTIN_TYPES]);
  }
}, 60_000);

async function call(method: string, path: string, namespace?: string) {
  const response = await fetch(`${app!.url}${path}`, {
    method,
    headers: namespace === undefined ? {} : { 'sagaflow-namespace': namespace },
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

const list = async (query = '', namespace?: string) =>
  (await call('GET', `/v1/dead-letters${query}`, namespace)).body as {
    items: Letter[];
    nextCursor: string | null;
  };

function publish(
  exchange: string,
  routingKey: string,
  body: Buffer,
  headers: Record<string, unknown>,
  messageId: string,
) {
  return new Promise<void>((resolve, reject) => {
    channel!.publish(exchange, routingKey, body, { persistent: true, messageId, headers }, (error) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
    );
  });
}

const waitForLetter = (messageId: string, namespace?: string) =>
  eventually(
    () => list('', namespace),
    (page) => page.items.some((item) => item.messageId === messageId),
  ).then((page) => page.items.find((item) => item.messageId === messageId)!);

describe('dead letters', () => {
  it('keeps a task message its worker could not decode, with where and why it died', async () => {
    const messageId = `garbage-${randomUUID()}`;
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    await publish('', taskQueueName(prefix, 'noop'), bytes, {}, messageId);

    const letter = await waitForLetter(messageId);
    expect(letter).toMatchObject({
      namespace: null,
      queue: taskQueueName(prefix, 'noop'),
      reason: expect.stringMatching(/^rejected by its consumer/),
      bodyEncoding: 'base64',
      body: bytes.toString('base64'),
    });
    expect(letter.headers['x-first-death-reason']).toBe('rejected');
    expect((await call('GET', `/v1/dead-letters/${letter.id}`)).body).toEqual(letter);
    // The keeper drained the broker's dead queue: the letter lives in PostgreSQL only.
    expect((await channel!.checkQueue(`${prefix}.dead`)).messageCount).toBe(0);

    expect((await call('DELETE', `/v1/dead-letters/${letter.id}`)).status).toBe(204);
    expect((await call('GET', `/v1/dead-letters/${letter.id}`)).status).toBe(404);
    expect((await call('DELETE', `/v1/dead-letters/${letter.id}`)).status).toBe(404);
  });

  it('replays a letter exactly once to the queue it died on; a second replay is 404', async () => {
    const messageId = `replay-${randomUUID()}`;
    const body = Buffer.from(JSON.stringify({ replay: messageId }));
    // As the broker dead-letters it: the dead-letter exchange, naming the queue it died on.
    await publish(
      deadLetterExchangeName(prefix),
      idleQueue,
      body,
      { 'x-first-death-queue': idleQueue, 'x-custom': 'kept' },
      messageId,
    );
    const letter = await waitForLetter(messageId);
    expect(letter).toMatchObject({ queue: idleQueue, bodyEncoding: 'json', body: { replay: messageId } });

    const [first, second] = await Promise.all([
      call('POST', `/v1/dead-letters/${letter.id}/replay`),
      call('POST', `/v1/dead-letters/${letter.id}/replay`),
    ]);
    expect([first.status, second.status].sort()).toEqual([202, 404]);
    expect((await call('POST', `/v1/dead-letters/${letter.id}/replay`)).status).toBe(404);
    expect((await call('GET', `/v1/dead-letters/${letter.id}`)).status).toBe(404);

    const replayed = await channel!.get(idleQueue, { noAck: true });
    expect(replayed).not.toBe(false);
    if (replayed === false) return;
    expect(replayed.content.equals(body)).toBe(true);
    expect(replayed.properties.messageId).toBe(messageId);
    expect(replayed.properties.headers).toMatchObject({
      'x-custom': 'kept',
      'x-sagaflow-replayed-from': letter.id,
    });
    expect(replayed.properties.headers?.['x-first-death-queue']).toBeUndefined();
    expect(await channel!.get(idleQueue, { noAck: true })).toBe(false);
  });

  it('files a letter under the namespace of the run it names; callers see their namespace only', async () => {
    await register(app!, { name: 'dlq-owner', tasks: [{ key: 'a', type: 'noop' }] });
    const runId = await startRun(app!, { definition: 'dlq-owner' });
    await waitForStatus(app!, runId);
    const messageId = `owned-${randomUUID()}`;
    await publish(
      '',
      taskQueueName(prefix, 'noop'),
      Buffer.from('{"not":"a task"}'),
      { 'x-run-id': runId },
      messageId,
    );

    const letter = await waitForLetter(messageId);
    expect(letter).toMatchObject({
      namespace: 'default',
      runId,
      bodyEncoding: 'json',
      body: { not: 'a task' },
    });
    // Another namespace's caller does not see it, nor can replay or delete it.
    const other = await list('', 'team-b');
    expect(other.items.map((item) => item.id)).not.toContain(letter.id);
    expect((await call('GET', `/v1/dead-letters/${letter.id}`, 'team-b')).status).toBe(404);
    expect((await call('POST', `/v1/dead-letters/${letter.id}/replay`, 'team-b')).status).toBe(404);
    expect((await call('DELETE', `/v1/dead-letters/${letter.id}`, 'team-b')).status).toBe(404);
    expect((await call('GET', `/v1/dead-letters/${letter.id}`)).status).toBe(200);
  });

  it('pages without gaps or repeats, filters by queue, and names a bad cursor', async () => {
    const tag = randomUUID();
    for (const n of [1, 2, 3]) {
      await publish(
        deadLetterExchangeName(prefix),
        idleQueue,
        Buffer.from(`{"n":${n}}`),
        { 'x-first-death-queue': idleQueue },
        `${tag}-${n}`,
      );
    }
    await waitForLetter(`${tag}-3`);
    await waitForLetter(`${tag}-1`);
    const query = `?queue=${encodeURIComponent(idleQueue)}&limit=2`;
    const first = await list(query);
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await list(`${query}&cursor=${first.nextCursor}`);
    const ids = [...first.items, ...second.items].map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    const seen = [...first.items, ...second.items].filter((item) => item.messageId?.startsWith(tag));
    expect(seen.map((item) => item.messageId).sort()).toEqual([`${tag}-1`, `${tag}-2`, `${tag}-3`]);
    expect(new Set([...first.items, ...second.items].map((item) => item.queue))).toEqual(
      new Set([idleQueue]),
    );

    const bad = await call('GET', '/v1/dead-letters?cursor=abc');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errors: [{ path: 'cursor' }] });
  });

  it('answers GraphQL as REST: list, show, replay once, delete', async () => {
    const ask = async (query: string) => {
      const response = await fetch(`${app!.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as {
        data?: Record<string, unknown> | null;
        errors?: { extensions?: { code?: string } }[];
      };
    };
    const tag = randomUUID();
    for (const n of [1, 2]) {
      await publish(
        deadLetterExchangeName(prefix),
        idleQueue,
        Buffer.from(`{"gql":${n}}`),
        { 'x-first-death-queue': idleQueue },
        `${tag}-${n}`,
      );
    }
    const replayMe = await waitForLetter(`${tag}-1`);
    const deleteMe = await waitForLetter(`${tag}-2`);

    const listed = await ask(
      `query { deadLetters(queue: "${idleQueue}", first: 1000) { items { id queue reason bodyEncoding body } nextCursor } }`,
    );
    const page = listed.data!.deadLetters as { items: { id: string; body: unknown }[] };
    expect(page.items.find((item) => item.id === replayMe.id)).toMatchObject({ body: { gql: 1 } });
    const shown = await ask(`query { deadLetter(id: "${replayMe.id}") { id messageId queue } }`);
    expect(shown.data!.deadLetter).toEqual({ id: replayMe.id, messageId: `${tag}-1`, queue: idleQueue });

    expect((await ask(`mutation { replayDeadLetter(id: "${replayMe.id}") }`)).data).toEqual({
      replayDeadLetter: true,
    });
    const again = await ask(`mutation { replayDeadLetter(id: "${replayMe.id}") }`);
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await ask(`query { deadLetter(id: "${replayMe.id}") { id } }`)).data).toEqual({
      deadLetter: null,
    });
    const replayed = await channel!.get(idleQueue, { noAck: true });
    expect(replayed === false ? null : replayed.properties.messageId).toBe(`${tag}-1`);

    expect((await ask(`mutation { deleteDeadLetter(id: "${deleteMe.id}") }`)).data).toEqual({
      deleteDeadLetter: true,
    });
    expect((await call('GET', `/v1/dead-letters/${deleteMe.id}`)).status).toBe(404);
  });
});
