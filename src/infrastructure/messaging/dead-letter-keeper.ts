import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { IncomingDeadLetter } from '../persistence/postgres-dead-letter-store.js';
import type { AmqpConnection, SetupRegistration } from './amqp-connection.js';
import { describeError, type MessagingLogger } from './logger.js';
import { headerNames } from './message-headers.js';

/** Letters held unacked at once while they are written to PostgreSQL. */
const PREFETCH = 32;
/** Wait before handing back a letter that could not be kept (PostgreSQL down, say). */
const RETRY_DELAY_MS = 1_000;

/**
 * Moves every message of `<prefix>.dead` into PostgreSQL, where it can be listed and replayed
 * (docs/operations.md#dead-letters). A letter is acked only once its row is committed, and
 * keeping the same delivery twice is one row, so N keepers (one per relay) lose nothing and
 * keep nothing twice.
 */
export class DeadLetterKeeper {
  private registration: SetupRegistration | undefined;
  private channel: Channel | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly queue: string,
    private readonly keep: (letter: IncomingDeadLetter) => Promise<void>,
    private readonly logger: MessagingLogger,
  ) {}

  start(): Promise<void> {
    this.registration = this.connection.addSetup(async (model) => {
      const channel = await model.createChannel();
      channel.on('error', (error: Error) =>
        this.logger.warn('dead-letter channel error', { error: error.message }),
      );
      channel.on('close', () => {
        if (this.channel === channel) this.channel = undefined;
        if (!this.stopped && this.connection.currentModel() === model) this.registration?.rerun();
      });
      await channel.prefetch(PREFETCH);
      this.channel = channel;
      await channel.consume(this.queue, (message) => {
        if (message === null) return;
        const work = this.take(channel, message);
        this.inFlight.add(work);
        void work.finally(() => this.inFlight.delete(work));
      });
    });
    return this.registration.ready;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.registration?.remove();
    await Promise.allSettled([...this.inFlight]);
    await this.channel?.close().catch(() => undefined);
  }

  private async take(channel: Channel, message: ConsumeMessage): Promise<void> {
    const letter = letterOf(message, new Date());
    try {
      await keepOrBare(this.keep, letter);
      channel.ack(message);
    } catch (error) {
      this.logger.error(`keeping a dead letter failed; it stays on ${this.queue}`, {
        error: describeError(error),
      });
      await sleep(RETRY_DELAY_MS);
      try {
        channel.nack(message, false, true);
      } catch {
        // The channel is gone: the broker hands the letter out again anyway.
      }
    }
  }
}

/**
 * Keeps a letter; one whose fields PostgreSQL refuses (a data error: a value out of range, a
 * character a column cannot hold) is kept bare, its headers dropped and the reason saying why,
 * rather than handed back to loop. Only an outage hands a letter back.
 */
export async function keepOrBare(
  keep: (letter: IncomingDeadLetter) => Promise<void>,
  letter: IncomingDeadLetter,
): Promise<void> {
  try {
    await keep(letter);
  } catch (error) {
    if (!isDataError(error)) throw error;
    await keep({
      ...letter,
      runId: null,
      taskKey: null,
      attempt: null,
      messageId: null,
      headers: {},
      properties: {},
      reason: `${letter.reason}; its headers could not be stored (${describeError(error)})`,
    });
  }
}

/** PostgreSQL's class 22 (data exception): the row, not the database, is the problem. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

interface DeathRecord {
  queue?: unknown;
  reason?: unknown;
  time?: unknown;
  count?: unknown;
}

/** What the keeper stores of one dead-lettered delivery. */
export function letterOf(message: ConsumeMessage, now: Date): IncomingDeadLetter {
  const headers: Record<string, unknown> = message.properties.headers ?? {};
  const deaths = Array.isArray(headers['x-death']) ? (headers['x-death'] as DeathRecord[]) : [];
  const first = deaths.at(-1);
  const queue = text(headers['x-first-death-queue']) ?? text(first?.queue) ?? message.fields.routingKey;
  const json = jsonOf(headers) as Record<string, unknown>;
  // amqplib types the properties `any`; what a replay restores is read as unknown.
  const own = message.properties as unknown as Record<string, unknown>;
  const properties = jsonOf({
    messageId: own.messageId,
    contentType: own.contentType,
    correlationId: own.correlationId,
    priority: own.priority,
    type: own.type,
  }) as Record<string, unknown>;
  return {
    dedupeKey: createHash('sha256').update(message.content).update(JSON.stringify(json)).digest('hex'),
    queue,
    reason: reasonOf(
      text(headers['x-first-death-reason']) ?? text(first?.reason),
      headers[headerNames.failures],
    ),
    messageId: text(own.messageId) ?? null,
    runId: text(headers[headerNames.runId]) ?? null,
    taskKey: text(headers[headerNames.taskKey]) ?? null,
    attempt: positiveInteger(headers[headerNames.attempt]),
    deadAt: timeOf(deaths[0]?.time) ?? now,
    headers: json,
    properties,
    body: message.content,
  };
}

/** The broker's death reason in an operator's words (docs/operations.md#dead-letters). */
export function reasonOf(reason: string | undefined, failures: unknown): string {
  switch (reason) {
    case 'rejected':
      return typeof failures === 'number'
        ? `rejected by its consumer after ${failures} failed tries`
        : 'rejected by its consumer: it could not be decoded or applied (the role logged why)';
    case 'delivery_limit':
      return 'delivered more often than the queue allows without being settled';
    case 'expired':
      return 'expired in its queue';
    case 'maxlen':
      return 'dropped from a full queue';
    case undefined:
      return 'published to the dead-letter exchange directly';
    default:
      return `dead-lettered by the broker (${reason})`;
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? storable(value)
    : Buffer.isBuffer(value)
      ? storable(value.toString('utf8'))
      : undefined;

/** An attempt number as the `attempt` column holds it (a PostgreSQL integer). */
function positiveInteger(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 2_147_483_647
    ? value
    : null;
}

/** Text PostgreSQL can store: no U+0000, no lone surrogate (each becomes U+FFFD). */
const storable = (value: string): string => value.toWellFormed().replaceAll('\u0000', '\uFFFD');

/** AMQP timestamps arrive as Dates or as seconds since the epoch. */
function timeOf(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  return null;
}

/** Nesting kept of a header table; deeper values (only a hostile publisher writes them) are cut. */
const MAX_HEADER_DEPTH = 16;

/** Header values as JSON: times as ISO text, bytes as UTF-8 text, big integers as text. */
function jsonOf(value: unknown, depth = 0): unknown {
  if (value === undefined) return undefined;
  if (depth > MAX_HEADER_DEPTH) return '(nested too deep)';
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return storable(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return storable(value.toString('utf8'));
  if (Array.isArray(value)) return value.map((item) => jsonOf(item, depth + 1) ?? null);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .map(([key, item]) => [storable(key), jsonOf(item, depth + 1)] as const)
        .filter(([, item]) => item !== undefined),
    );
  }
  return typeof value === 'symbol' || typeof value === 'function' ? undefined : null;
}
