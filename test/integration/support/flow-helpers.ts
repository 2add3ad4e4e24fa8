/**
 * Helpers of the flow tests (test/integration/flows): full events, gates for handlers that
 * must wait for the test, a raw AMQP channel to forge and inspect messages, and a marker that
 * proves a result shard has consumed everything published to it before.
 */
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { expect } from '@jest/globals';
import { CompiledQuery } from 'kysely';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import type { HandlerRegistry } from '../../../src/interfaces/worker/handler-registry.js';
import type { AppConfig } from '../../../src/infrastructure/config/app-config.js';
import type { ResultMessage } from '../../../src/application/ports/messages.js';
import { GetRunEventsQuery } from '../../../src/application/queries/run-queries.js';
import { buses, eventually, getRun, startRun } from './harness.js';
import { localAdmin } from '../../../src/application/actor.js';

const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

export interface FlowEvent {
  seq: number;
  type: string;
  taskKey: string | null;
  attempt: number | null;
  at: string;
  data: Record<string, unknown> | null;
}

/** Every event of a run, in seq order, with `at` and `data` (the harness's `events` drops them). */
export async function allEvents(app: SagaflowApp, runId: string): Promise<FlowEvent[]> {
  const out: FlowEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await buses(app).queries.execute<
      GetRunEventsQuery,
      { items: FlowEvent[]; nextCursor: string | null }
    >(new GetRunEventsQuery(localAdmin(), runId, { after, limit: 1000 }));
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    after = Number(page.nextCursor);
  }
}

/** The single event matching, failing the test if there is not exactly one. */
export function only(events: FlowEvent[], type: string, taskKey: string | null, attempt?: number): FlowEvent {
  const found = events.filter(
    (e) => e.type === type && e.taskKey === taskKey && (attempt === undefined || e.attempt === attempt),
  );
  const label = `${type}/${taskKey ?? '-'}/${attempt ?? '*'}`;
  expect({ event: label, count: found.length }).toEqual({ event: label, count: 1 });
  return found[0]!;
}

/** `type/taskKey/attempt` of each event, for readable sequence assertions. */
export function describeEvents(events: FlowEvent[], taskKey?: string): string[] {
  return events
    .filter((e) => taskKey === undefined || e.taskKey === taskKey)
    .map((e) => `${e.type}/${e.taskKey ?? '-'}/${e.attempt ?? '-'}`);
}

/** Starts an app with extra worker handlers (the harness's `startApp` takes none). */
export async function startAppWith(
  config: Partial<AppConfig>,
  registerHandlers?: (registry: HandlerRegistry) => void,
): Promise<SagaflowApp> {
  return createApp(config, registerHandlers ? { registerHandlers } : {});
}

/** A promise the test resolves: handlers await `wait()`, the test calls `release()`. */
export class Gate {
  private opened = false;
  private readonly waiters: (() => void)[] = [];
  /** How many handler calls are waiting (or have waited) on this gate. */
  arrivals = 0;

  wait(): Promise<void> {
    this.arrivals += 1;
    if (this.opened) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    this.opened = true;
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** A plain amqplib connection of the test's own, to forge, inject and read messages. */
export class Broker {
  private constructor(
    private readonly connection: ChannelModel,
    readonly channel: ConfirmChannel,
  ) {}

  static async open(): Promise<Broker> {
    const connection = await connect(AMQP_URL);
    const channel = await connection.createConfirmChannel();
    return new Broker(connection, channel);
  }

  /** Publishes and waits for the broker's confirm. */
  async publish(exchange: string, routingKey: string, body: Buffer | object): Promise<void> {
    const content = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const channel = this.channel;
    await new Promise<void>((resolve, reject) => {
      channel.publish(
        exchange,
        routingKey,
        content,
        { persistent: true, contentType: 'application/json' },
        (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
      );
    });
  }

  /** Sends straight to a queue (default exchange) and waits for the confirm. */
  async sendToQueue(queue: string, body: Buffer): Promise<void> {
    const channel = this.channel;
    await new Promise<void>((resolve, reject) => {
      channel.sendToQueue(queue, body, { persistent: true }, (err) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
      );
    });
  }

  /** Takes (and acks) every message currently in `queue`; returns their bodies as text. */
  async drain(queue: string): Promise<string[]> {
    const bodies: string[] = [];
    for (;;) {
      const message = await this.channel.get(queue, { noAck: true });
      if (message === false) return bodies;
      bodies.push(message.content.toString('utf8'));
    }
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}

/** Task type of the marker runs: no worker ever consumes it, so only a forged result moves it. */
export const MARKER_TYPE = 'flow-marker';

/**
 * Waits until the orchestrator has consumed everything published so far to the result shard
 * `routingKey`: starts a marker run whose only task no worker handles, publishes a forged
 * completion of that task to the same shard, behind whatever was published before, and waits
 * for the marker run to complete. A shard is consumed in order by one consumer, so the earlier
 * messages have been applied (or ignored) by then. Include MARKER_TYPE in `cleanup`'s types.
 */
export async function awaitShardConsumed(
  app: SagaflowApp,
  broker: Broker,
  routingKey: string,
): Promise<void> {
  const markerId = await startRun(app, {
    definition: { name: 'flow-marker', tasks: [{ key: 'm', type: MARKER_TYPE, timeoutMs: 600_000 }] },
  });
  const now = new Date().toISOString();
  const forged: ResultMessage = {
    runId: markerId,
    taskKey: 'm',
    kind: 'task',
    attempt: 1,
    startedAt: now,
    outcome: 'completed',
    output: { marker: true },
    finishedAt: now,
  };
  await broker.publish(app.runtime.routing.resultExchange, routingKey, forged);
  await eventually(
    () => getRun(app, markerId),
    (run) => run.status === 'COMPLETED',
  );
}

/**
 * Closes `app`; if that has not finished after `graceMs` (see flows/poison-stall.test.ts: a
 * consumer cancelled with a backlog buffered spins forever), closes its AMQP connection under
 * it, which ends every consumer session, and waits for the close to finish. For afterAll
 * hooks only, so that one engine bug cannot keep the whole jest process alive.
 */
export async function closeApp(
  app: SagaflowApp,
  closing: Promise<void> = app.close(),
  graceMs = 5_000,
): Promise<'closed' | 'forced'> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    closing.then(() => 'closed' as const),
    new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), graceMs))),
  ]);
  clearTimeout(timer);
  if (outcome === 'closed') return outcome;
  await app.runtime.amqp.close();
  await closing;
  return 'forced';
}

/** The worker built-ins: every worker declares their queues, so every cleanup must delete them. */
export const BUILTIN_TYPES = ['noop', 'echo', 'http'] as const;

/**
 * Port 47 on loopback: nothing listens, so every call is a connection error (ECONNREFUSED).
 * Not port 9: fetch refuses "bad ports" before connecting.
 */
export const CLOSED_URL = 'http://127.0.0.1:47';

/** A two-step saga: `reserve` (echo, compensated by echo), then `charge`, an http call that always fails. */
export function reserveThenFailingCharge(name: string) {
  return {
    name,
    tasks: [
      {
        key: 'reserve',
        type: 'echo',
        input: { reservation: 'r-${input.sku}' },
        compensation: { type: 'echo', input: { release: '${tasks.reserve.output.reservation}' } },
      },
      {
        key: 'charge',
        type: 'http',
        dependsOn: ['reserve'],
        retry: { maxAttempts: 3, initialIntervalMs: 20, backoffCoefficient: 2, maxIntervalMs: 100 },
        timeoutMs: 5000,
        input: { method: 'POST', url: `${CLOSED_URL}/charge` },
      },
    ],
  };
}

/**
 * The bodies of every dead letter the app's keepers moved into PostgreSQL, of every namespace
 * (docs/operations.md#dead-letters). What reaches `<prefix>.dead` ends up here, not on the queue.
 */
export async function keptDeadLetterBodies(app: SagaflowApp): Promise<string[]> {
  const { rows } = await app.runtime
    .db()
    .executeQuery<{ body: Buffer }>(CompiledQuery.raw('select body from dead_letters order by seq'));
  return rows.map((row) => row.body.toString('utf8'));
}
