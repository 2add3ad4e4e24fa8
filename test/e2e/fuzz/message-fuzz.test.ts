import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import fc from 'fast-check';
import { sql } from 'kysely';
import WebSocket from 'ws';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import { resultQueueName, taskQueueName } from '../../../src/infrastructure/messaging/names.js';
import { BUILTIN_TYPES } from '../../integration/support/flow-helpers.js';
import {
  cleanup,
  eventually,
  isolatedConfig,
  startApp,
  startRun,
  waitForStatus,
} from '../../integration/support/harness.js';
import { TestClient, wsUrlOf } from '../ws/ws-client.js';

/**
 * Generated garbage at every way in that is not REST: random bytes and malformed headers as
 * AMQP messages on every queue, random frames on `/ws` and on graphql-ws. Every AMQP message
 * ends as exactly one kept dead letter (no crash, no redelivery loop), every `/ws` frame gets
 * exactly one answer on a socket that stays usable, graphql-ws closes with a protocol code (never
 * an internal error), and the installation still runs work afterwards.
 */
const config = isolatedConfig('fuzz-messages', ['api', 'relay', 'orchestrator', 'worker']);
const prefix = config.amqpPrefix!;
let app: SagaflowApp | null = null;
let connection: ChannelModel | null = null;
let channel: ConfirmChannel | null = null;

beforeAll(async () => {
  app = await startApp(config);
  connection = await connect('amqp://guest:guest@127.0.0.1:5672');
  channel = await connection.createConfirmChannel();
}, 60_000);

afterAll(async () => {
  try {
    await connection?.close().catch(() => undefined);
  } finally {
    await cleanup(app, config, [...BUILTIN_TYPES]);
  }
}, 60_000);

const headerValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  // What an AMQP table can carry: amqplib refuses integers beyond 64 bits.
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.boolean(),
  fc.constantFrom(-1, 0, 1e9, 'abc', '', Number.MAX_SAFE_INTEGER),
);
const garbageHeaders = fc.record(
  {
    'x-run-id': fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })),
    'x-task-key': headerValue,
    'x-attempt': headerValue,
    'x-kind': headerValue,
    'x-sagaflow-failures': headerValue,
    traceparent: fc.string({ maxLength: 60 }),
  },
  { requiredKeys: [] },
);
/** Bodies no consumer can take: bytes, JSON of the wrong shape, near-misses of a real message. */
const garbageBody = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.jsonValue({ maxDepth: 4 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
  fc
    .record(
      { runId: fc.string(), taskKey: fc.jsonValue(), attempt: fc.jsonValue(), outcome: fc.string() },
      { requiredKeys: [] },
    )
    .map((value) => Buffer.from(JSON.stringify(value))),
);

describe('message fuzzing', () => {
  it('AMQP: random bytes and headers on every queue each end as one kept dead letter; work goes on', async () => {
    const queues = [
      ...Array.from({ length: config.shardCount! }, (_, shard) => resultQueueName(prefix, shard)),
      ...BUILTIN_TYPES.map((type) => taskQueueName(prefix, type)),
    ];
    const messages = fc.sample(
      fc.record({ queue: fc.constantFrom(...queues), headers: garbageHeaders, body: garbageBody }),
      { numRuns: 120 },
    );
    const ids = messages.map(() => `fuzz-${randomUUID()}`);
    for (const [n, message] of messages.entries()) {
      await new Promise<void>((resolve, reject) =>
        channel!.sendToQueue(
          message.queue,
          message.body,
          { persistent: true, messageId: ids[n], headers: message.headers },
          (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
        ),
      );
    }
    const kept = async () => {
      const { rows } = await sql<{ message_id: string; count: number }>`
        select message_id, count(*)::int as count from dead_letters
        where message_id like 'fuzz-%' group by message_id`.execute(app!.runtime.db());
      return rows;
    };
    const rows = await eventually(kept, (found) => found.length === ids.length, 100);
    expect(rows.every((row) => row.count === 1)).toBe(true);
    expect(new Set(rows.map((row) => row.message_id))).toEqual(new Set(ids));
    for (const queue of queues) expect((await channel!.checkQueue(queue)).messageCount).toBe(0);

    const runId = await startRun(app!, {
      definition: {
        name: 'after-fuzz',
        tasks: [
          { key: 'a', type: 'noop' },
          { key: 'b', type: 'echo', dependsOn: ['a'] },
        ],
      },
    });
    expect((await waitForStatus(app!, runId)).status).toBe('COMPLETED');
  });

  it('/ws: every random frame gets one answer and the socket keeps serving', async () => {
    const client = await TestClient.connect(wsUrlOf(app!.url!));
    try {
      const frames = fc.sample(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'null'),
          fc
            .record(
              {
                type: fc.constantFrom('subscribe', 'unsubscribe', 'hello', 7),
                runId: fc.oneof(fc.uuid(), fc.jsonValue()),
                definition: fc.oneof(fc.string({ maxLength: 120 }), fc.jsonValue()),
                namespace: fc.oneof(fc.constantFrom('default', 'Bad', ''), fc.jsonValue()),
                after: fc.oneof(fc.integer(), fc.jsonValue()),
              },
              { requiredKeys: [] },
            )
            .map((value) => JSON.stringify(value)),
        ),
        { numRuns: 150 },
      );
      for (const frame of frames) {
        const answer = await client.request(frame);
        expect(['subscribed', 'unsubscribed', 'error']).toContain(answer.type);
      }
      const from = client.frames.length;
      client.socket.send(Buffer.from([0xff, 0x00, 0x13]), { binary: true });
      expect((await client.next((f) => f.type === 'error', from)).type).toBe('error');
      const definition = `alive-${randomUUID().slice(0, 8)}`;
      expect(await client.request({ type: 'subscribe', definition })).toEqual({
        type: 'subscribed',
        definition,
      });
      expect(await client.request({ type: 'unsubscribe', definition })).toEqual({
        type: 'unsubscribed',
        definition,
      });
      expect(client.isOpen).toBe(true);
    } finally {
      client.terminate();
    }
  });

  it('graphql-ws: random frames end in a protocol close, never an internal error, and new sockets work', async () => {
    const url = `${app!.url!.replace('http', 'ws')}/graphql`;
    const frames = fc.sample(
      fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value) ?? 'null'),
        fc
          .record(
            {
              type: fc.constantFrom(
                'connection_init',
                'subscribe',
                'ping',
                'pong',
                'complete',
                'next',
                'bogus',
              ),
              id: fc.oneof(fc.uuid(), fc.jsonValue()),
              payload: fc.jsonValue({ maxDepth: 3 }),
            },
            { requiredKeys: [] },
          )
          .map((value) => JSON.stringify(value)),
      ),
      { numRuns: 40 },
    );
    // Well-formed frames only a server sends: graphql-ws's own switch would end these in 4500.
    frames.push(
      JSON.stringify({ type: 'connection_ack' }),
      JSON.stringify({ type: 'next', id: randomUUID(), payload: { data: null } }),
      JSON.stringify({ type: 'error', id: randomUUID(), payload: [{ message: 'x' }] }),
    );
    const codes: number[] = [];
    for (const frame of frames) {
      const socket = new WebSocket(url, 'graphql-transport-ws');
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      socket.send(JSON.stringify({ type: 'connection_init' }));
      socket.send(frame);
      // A frame the protocol accepts leaves the socket open: end it ourselves after an answer had time.
      const timer = setTimeout(() => socket.close(1000), 300);
      codes.push(await closed);
      clearTimeout(timer);
    }
    // 1000: we closed it; 44xx: the protocol refused the frame. 1011 would be a server error.
    expect(codes.filter((code) => code !== 1000 && (code < 4400 || code > 4499))).toEqual([]);

    const socket = new WebSocket(url, 'graphql-transport-ws');
    const acked = new Promise<string>((resolve) =>
      socket.on('message', (data: Buffer) =>
        resolve((JSON.parse(data.toString('utf8')) as { type: string }).type),
      ),
    );
    await new Promise<void>((resolve) => socket.once('open', () => resolve()));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    expect(await acked).toBe('connection_ack');
    socket.terminate();
  });
});
