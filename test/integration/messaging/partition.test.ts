import { randomUUID } from 'node:crypto';
import { connect as connectTcp, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type ChannelModel } from 'amqplib';

import { AmqpConnection } from '../../../src/infrastructure/messaging/amqp-connection.js';
import { ConfirmPublisher } from '../../../src/infrastructure/messaging/confirm-publisher.js';
import { consume } from '../../../src/infrastructure/messaging/consumer.js';
import type { MessagingLogger } from '../../../src/infrastructure/messaging/logger.js';
import {
  declareTopology,
  taskQueueName,
  tasksExchangeName,
} from '../../../src/infrastructure/messaging/topology.js';
import { deleteTopology, waitFor } from '../support/amqp.js';

/**
 * "Network cut between a worker and the broker" of docs/failure-modes.md, on one connection:
 * a proxy between it and the broker stops passing packets without closing anything, the way
 * the chaos harness's blackhole route does. Only heartbeats can tell, so the connection runs
 * with `?heartbeat=1`: amqplib notices the silence (a heartbeat timeout after about two
 * beats), the connection stops being ready, keeps trying while the path is cut, and once it
 * is back reconnects on its own with its consumer and publisher. A publish made during the
 * cut is never silently dropped: it either waits for the new channel and is confirmed, or
 * rejects so that its caller (the outbox) sends it again.
 */
const BROKER = { host: '127.0.0.1', port: 5672 };
const prefix = `sftest_${process.env.JEST_WORKER_ID ?? '0'}_${randomUUID().slice(0, 8)}`;
const TYPE = 'partition';
const taskTypes = [TYPE];
const shardCount = 1;
const quickBackoff = { initialMs: 20, maxMs: 200 };
/**
 * A connect attempt during the cut is accepted and never answered, so it lasts this long (the
 * default, 10 s, equals a publish's default wait for a channel; shorter keeps the test quick).
 */
const connectTimeoutMs = 1_000;

/** Both directions of one proxied connection; `forwarding` is false for good once it was cut. */
interface Link {
  forwarding: boolean;
}

/**
 * A TCP proxy to the broker that can be cut silently. `cut()` drops every byte in both
 * directions on every open connection and holds new connections without ever answering them;
 * nothing is closed or reset, packets just vanish. `heal()` forwards again, on new connections
 * only: the cut ones stay dead, as they would once both ends gave up on them. `close()`
 * destroys every socket, the cut ones included.
 */
class PausableProxy {
  private readonly sockets = new Set<Socket>();
  private readonly links = new Set<Link>();
  private isCut = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<PausableProxy> {
    // allowHalfOpen: an `end` from one side must not make the proxy end the other by itself.
    const server = createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new PausableProxy(server, (server.address() as AddressInfo).port);
    server.on('connection', (client) => proxy.accept(client));
    return proxy;
  }

  url(query = ''): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}${query}`;
  }

  cut(): void {
    this.isCut = true;
    for (const link of this.links) link.forwarding = false;
    this.links.clear();
  }

  heal(): void {
    this.isCut = false;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.isCut) {
      // Held: read and dropped, never answered, never closed.
      client.on('data', () => undefined);
      return;
    }
    const upstream = connectTcp({ ...BROKER, allowHalfOpen: true });
    this.track(upstream);
    const link: Link = { forwarding: true };
    this.links.add(link);
    const pass = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (link.forwarding) to.write(chunk);
      });
      from.on('end', () => {
        if (link.forwarding) to.end();
      });
      from.on('close', () => {
        this.links.delete(link);
        if (link.forwarding) to.destroy();
      });
    };
    pass(client, upstream);
    pass(upstream, client);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    // A reset reaches the other side only through `close` while forwarding.
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }
}

/** What the connection logs at error level, as `message: error`. */
function recordingLogger(into: string[]): MessagingLogger {
  const logger: MessagingLogger = {
    debug: () => undefined,
    log: () => undefined,
    warn: () => undefined,
    error: (message, fields) => into.push(`${message}: ${String(fields?.error)}`),
    child: () => logger,
  };
  return logger;
}

let admin: ChannelModel;
/** What each test opened, closed in afterEach whatever happened (connections before the proxy). */
const opened: Array<() => Promise<void>> = [];

beforeAll(async () => {
  admin = await connect(`amqp://guest:guest@${BROKER.host}:${BROKER.port}`);
  const channel = await admin.createChannel();
  await declareTopology(channel, { prefix, taskTypes, shardCount });
  await channel.close();
});

afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close();
});

afterAll(async () => {
  const channel = await admin.createChannel();
  await deleteTopology(channel, prefix, taskTypes, shardCount);
  await admin.close();
});

/** A connection through a fresh proxy, with a publisher and a consumer of the test queue. */
async function throughProxy() {
  const proxy = await PausableProxy.start();
  opened.push(() => proxy.close());
  const errors: string[] = [];
  const connection = new AmqpConnection({
    url: proxy.url('?heartbeat=1'),
    backoff: quickBackoff,
    connectTimeoutMs,
    logger: recordingLogger(errors),
  });
  opened.push(() => connection.close());
  const publisher = new ConfirmPublisher(connection);
  opened.push(() => publisher.close());
  await publisher.start();
  const seen: number[] = [];
  const consumer = consume<{ n: number }>(
    connection,
    { queue: taskQueueName(prefix, TYPE), prefetch: 8, redelivery: 'republish' },
    async (delivery) => {
      seen.push(delivery.body.n);
    },
  );
  opened.push(() => consumer.cancel());
  await consumer.ready;
  const send = (publishing: ConfirmPublisher, n: number) =>
    publishing.publish(tasksExchangeName(prefix), TYPE, { n });
  return { proxy, connection, publisher, seen, errors, send };
}

describe('a silent network cut between a client and the broker', () => {
  it('is noticed by the heartbeat, and the connection reconnects on its own once the path is back', async () => {
    const { proxy, connection, publisher, seen, errors, send } = await throughProxy();
    const before = await connection.whenReady();
    await send(publisher, 1);
    await waitFor(() => seen.includes(1), 'the message sent before the cut');

    proxy.cut();
    await waitFor(() => !connection.isReady(), 'the connection to notice the cut');
    expect(errors).toContain('connection error: Heartbeat timeout');
    expect(connection.currentModel()).toBeUndefined();
    expect(connection.lastError()).not.toBeNull();

    proxy.heal();
    const after = await connection.whenReady();
    expect(after).not.toBe(before);
    expect(connection.lastError()).toBeNull();
    await send(publisher, 2);
    await waitFor(() => seen.includes(2), 'the message sent after the heal');
  }, 60_000);

  it('loses no publish made during the cut: it is confirmed after the heal, or rejects for a retry', async () => {
    const { proxy, connection, publisher, seen, send } = await throughProxy();
    // Gives up on a missing channel sooner than the cut lasts.
    const impatient = new ConfirmPublisher(connection, { channelWaitMs: 500 });
    opened.push(() => impatient.close());
    await impatient.start();
    await send(publisher, 10);
    await waitFor(() => seen.includes(10), 'the message sent before the cut');

    proxy.cut();
    // Not noticed yet: this one goes out on the old channel into the void, unconfirmed, and
    // rejects when the heartbeat timeout closes that channel.
    expect(connection.isReady()).toBe(true);
    // amqplib fails the pending confirm as it closes the channel ("channel closed"); should the
    // channel's close come first, ConfirmPublisher rejects it itself.
    await expect(send(publisher, 11)).rejects.toThrow(
      /broker did not confirm the publish|channel closed before the broker confirmed the publish/,
    );
    await waitFor(() => !connection.isReady(), 'the connection to notice the cut');

    // Noticed: a publish now waits for the next connection's channel...
    const waiting = send(publisher, 12).then(
      () => 'confirmed',
      (error: unknown) => error,
    );
    // ...up to its channel wait, after which it rejects.
    await expect(send(impatient, 13)).rejects.toThrow('no AMQP channel to publish on within 500 ms');

    proxy.heal();
    expect(await waiting).toBe('confirmed');
    // The callers retry what was rejected, as the outbox does.
    await connection.whenReady();
    await send(publisher, 11);
    await send(impatient, 13);
    await waitFor(() => [11, 12, 13].every((n) => seen.includes(n)), 'every message of the cut');
  }, 60_000);
});
