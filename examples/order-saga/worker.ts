/**
 * The order saga's worker (README.md in this folder), written only with the public SDK
 * (docs/worker-sdk.md). It serves the five task types of definition.json: `order.reserve` and
 * its compensation `order.release`, `payment.charge` and its compensation `payment.refund`, and
 * `order.ship`. Run it with `PAYMENT_URL=http://127.0.0.1:4010 npx node examples/order-saga/worker.ts`
 * (Node 24 runs the TypeScript as it is: this file uses only types that can be stripped).
 *
 * Importing it starts nothing: tests take the handlers from `createOrderHandlers` and run them
 * with `testHandler`.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { defineHandler, NonRetryableError, RetryAfterError, startWorker, Type } from 'sagaflow/worker';

export interface OrderHandlerOptions {
  /** Base URL of the payment service (payment-service.ts), e.g. `http://127.0.0.1:4010`. */
  paymentUrl: string;
}

interface Reservation {
  orderId: string;
  items: { sku: string; quantity: number }[];
  released: boolean;
}

/** The handlers of the example; each call makes a fresh (in-memory) stock of reservations. */
export function createOrderHandlers({ paymentUrl }: OrderHandlerOptions) {
  // The stock system is faked in memory: a real one would hold these rows.
  const reservations = new Map<string, Reservation>();

  const reserve = defineHandler(
    'order.reserve',
    async ({ orderId, items }, ctx) => {
      // ctx.idempotencyKey is the same for every attempt of this task and for a redelivery
      // (docs/contract.md#idempotency-keys): deriving the reservation from it reserves once.
      const reservationId = `rsv_${digest(ctx.idempotencyKey)}`;
      if (!reservations.has(reservationId))
        reservations.set(reservationId, { orderId, items, released: false });
      ctx.logger.info('stock reserved', { orderId, reservationId });
      return { reservationId };
    },
    {
      input: Type.Object({
        orderId: Type.String({ minLength: 1 }),
        items: Type.Array(
          Type.Object({ sku: Type.String({ minLength: 1 }), quantity: Type.Integer({ minimum: 1 }) }),
          { minItems: 1 },
        ),
      }),
      output: Type.Object({ reservationId: Type.String() }),
    },
  );

  const release = defineHandler(
    'order.release',
    async ({ reservationId }, ctx) => {
      // A compensation may run more than once (docs/contract.md#at-least-once-side-effects), and
      // after a restart of this fake the reservation is gone: either way nothing is held, so
      // releasing succeeds; `released` says whether this call let stock go.
      const held = reservations.get(reservationId);
      const released = held !== undefined && !held.released;
      if (held !== undefined) held.released = true;
      ctx.logger.info('stock released', { reservationId, released });
      return { reservationId, released };
    },
    {
      input: Type.Object({ reservationId: Type.String() }),
      output: Type.Object({ reservationId: Type.String(), released: Type.Boolean() }),
    },
  );

  const charge = defineHandler(
    'payment.charge',
    async ({ orderId, amount, card }, ctx) => {
      const response = await post(paymentUrl, '/charges', { orderId, amount, card }, ctx);
      // What is thrown decides the retry (docs/worker-sdk.md#errors-and-retries): a decline
      // will not change on another attempt, so the task fails now and the saga compensates.
      if (response.status === 402) throw new NonRetryableError(`charge declined: ${await problem(response)}`);
      if (response.status === 429) {
        throw new RetryAfterError(retryAfterMs(response), 'the payment service asked to retry later');
      }
      await expectOk(response, 'charge');
      const { id } = (await response.json()) as { id: string };
      ctx.logger.info('card charged', { orderId, amount, chargeId: id });
      return { chargeId: id };
    },
    {
      input: Type.Object({
        orderId: Type.String({ minLength: 1 }),
        amount: Type.Number({ exclusiveMinimum: 0 }),
        card: Type.String(),
      }),
      output: Type.Object({ chargeId: Type.String() }),
    },
  );

  const refund = defineHandler(
    'payment.refund',
    async ({ chargeId }, ctx) => {
      // The compensation's own key (`…:compensate`) makes the refund happen once however often
      // it is attempted.
      const response = await post(paymentUrl, '/refunds', { chargeId }, ctx);
      await expectOk(response, 'refund');
      const { id } = (await response.json()) as { id: string };
      return { refundId: id };
    },
    {
      input: Type.Object({ chargeId: Type.String() }),
      output: Type.Object({ refundId: Type.String() }),
    },
  );

  const ship = defineHandler(
    'order.ship',
    async ({ orderId, reservationId, chargeId }, ctx) => {
      const trackingNumber = `TRK-${digest(ctx.idempotencyKey).toUpperCase()}`;
      ctx.logger.info('order shipped', { orderId, reservationId, chargeId, trackingNumber });
      return { trackingNumber };
    },
    {
      input: Type.Object({
        orderId: Type.String({ minLength: 1 }),
        reservationId: Type.String(),
        chargeId: Type.String(),
      }),
      output: Type.Object({ trackingNumber: Type.String() }),
    },
  );

  return { reserve, release, charge, refund, ship };
}

/** The context fields a call to the payment service needs. */
interface CallContext {
  idempotencyKey: string;
  signal: AbortSignal;
}

async function post(baseUrl: string, path: string, body: unknown, ctx: CallContext): Promise<Response> {
  const url = new URL(path, baseUrl);
  try {
    return await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': ctx.idempotencyKey },
      body: JSON.stringify(body),
      // Aborted when the attempt times out or a stopping worker's grace runs out.
      signal: ctx.signal,
    });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    // fetch says only "fetch failed"; the run's error should say what to fix. A plain Error:
    // the service may be back for the next attempt, so the task's backoff applies.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`POST ${url.href} failed: ${cause?.code ?? cause?.message ?? String(error)}`, {
      cause: error,
    });
  }
}

/** 2xx passes; 5xx is retried with the task's backoff; any other 4xx would fail again: not retried. */
async function expectOk(response: Response, what: string): Promise<void> {
  if (response.ok) return;
  const message = `${what}: the payment service answered ${response.status}: ${await problem(response)}`;
  if (response.status >= 500) throw new Error(message);
  throw new NonRetryableError(message);
}

async function problem(response: Response): Promise<string> {
  const text = await response.text();
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    return text;
  }
}

/** `Retry-After` in seconds (the form the fake sends); 1 s when it is missing or a date. */
function retryAfterMs(response: Response): number {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function isMain(): boolean {
  const script = process.argv[1];
  return script !== undefined && import.meta.url === pathToFileURL(realpathSync(script)).href;
}

async function main(): Promise<void> {
  const paymentUrl = process.env.PAYMENT_URL ?? 'http://127.0.0.1:4010';
  if (!URL.canParse(paymentUrl)) {
    console.error(`order-saga worker: PAYMENT_URL is not a URL: "${paymentUrl}"`);
    process.exit(1);
  }
  // startWorker reads AMQP_URL, SAGAFLOW_AMQP_PREFIX, SAGAFLOW_SHARDS and DATABASE_URL (for its
  // heartbeat) as `sagaflow` itself does (docs/worker-sdk.md#running-a-worker): the defaults
  // match `npm start` on this machine.
  const worker = await startWorker({
    handlers: Object.values(createOrderHandlers({ paymentUrl })),
    // The SDK would do the same by default; written out to show where your own cleanup goes.
    handleSignals: false,
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // Running attempts get the stop grace to finish; the rest go back to their queues
    // (docs/worker-sdk.md#stopping).
    process.once(signal, () => {
      worker.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('order-saga worker: stop failed', error);
          process.exit(1);
        },
      );
    });
  }
}

if (isMain()) await main();
