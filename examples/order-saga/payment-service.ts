/**
 * A fake payment service for the order-saga example (README.md in this folder): node:http, in
 * memory, no dependencies. Run it with `npx node examples/order-saga/payment-service.ts [--port N]`
 * (default 4010, or PAYMENT_PORT), or start it from code with `startPaymentService({ port })`.
 *
 * - `POST /charges` `{ orderId, amount, card }` with an `idempotency-key` header: 201 and the
 *   charge. The same key again returns the same answer (200 with the same charge, or the same
 *   decline) and charges nothing more, which is what makes the worker's retries and the broker's
 *   redeliveries safe (docs/contract.md#idempotency-keys, #at-least-once-side-effects). The same
 *   key with a different request is a 409.
 * - A charge is declined, 402, when `card` is `"declined"` or `amount` is over the limit (1000).
 *   `card: "busy"` answers 429 with `Retry-After: 1` to the first request of a key, then charges.
 * - `POST /refunds` `{ chargeId }` with an `idempotency-key` header: 201 and the refund; a charge
 *   refunded already returns its refund (200). An unknown charge is a 404.
 * - `GET /charges?orderId=…`: `{ items }`, the charges made (declines are not charges), with
 *   `status` `captured` or `refunded`.
 */
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export interface Charge {
  id: string;
  orderId: string;
  amount: number;
  status: 'captured' | 'refunded';
  refundId: string | null;
}

export interface Refund {
  id: string;
  chargeId: string;
  amount: number;
}

export interface PaymentServiceOptions {
  /** 0 picks a free port (tests). Default 4010. */
  port?: number;
  /** Default 127.0.0.1: the fake is for this machine only. */
  host?: string;
  /** Amounts above this are declined. Default 1000. */
  limit?: number;
  /** Called with one line per request answered (the runnable service prints them). */
  log?: (line: string) => void;
}

export interface PaymentService {
  /** `http://host:port`, what the worker's PAYMENT_URL names. */
  url: string;
  close(): Promise<void>;
}

/** An answer given once and replayed for its idempotency key. */
interface Answer {
  status: number;
  body: unknown;
}

interface Remembered {
  /** What was asked, so that a key reused for another request is refused instead of replayed. */
  fingerprint: string;
  answer: Answer;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function startPaymentService(options: PaymentServiceOptions = {}): Promise<PaymentService> {
  const limit = options.limit ?? 1000;
  const charges = new Map<string, Charge>();
  const answers = new Map<string, Remembered>();
  // `card: "busy"` keys that were told to come back later once already.
  const throttled = new Set<string>();

  function charge(key: string, body: Record<string, unknown>): Answer {
    const { orderId, amount, card } = body;
    if (typeof orderId !== 'string' || orderId === '') throw new HttpError(400, 'orderId must be a string');
    if (typeof amount !== 'number' || !(amount > 0)) throw new HttpError(400, 'amount must be a number > 0');
    if (card !== undefined && typeof card !== 'string') throw new HttpError(400, 'card must be a string');
    return once(`charge:${key}`, { orderId, amount, card }, () => {
      if (card === 'busy' && !throttled.has(key)) {
        throttled.add(key);
        return null; // not remembered: the next request with this key goes through
      }
      if (card === 'declined' || amount > limit) {
        const reason =
          card === 'declined' ? 'card declined' : `amount ${amount} is over the limit of ${limit}`;
        return { status: 402, body: { error: 'card_declined', message: reason } };
      }
      const made: Charge = { id: `ch_${shortId()}`, orderId, amount, status: 'captured', refundId: null };
      charges.set(made.id, made);
      return { status: 201, body: made };
    });
  }

  function refund(key: string, body: Record<string, unknown>): Answer {
    const { chargeId } = body;
    if (typeof chargeId !== 'string') throw new HttpError(400, 'chargeId must be a string');
    return once(`refund:${key}`, { chargeId }, () => {
      const target = charges.get(chargeId);
      if (target === undefined) throw new HttpError(404, `no charge ${chargeId}`);
      // A second refund of one charge (another key) returns the first: money goes back once.
      if (target.refundId !== null) {
        return { status: 200, body: { id: target.refundId, chargeId, amount: target.amount } };
      }
      const made: Refund = { id: `re_${shortId()}`, chargeId, amount: target.amount };
      target.status = 'refunded';
      target.refundId = made.id;
      return { status: 201, body: made };
    });
  }

  /** Runs `make` once per key and replays its answer (201 becomes 200) for the same request. */
  function once(key: string, request: unknown, make: () => Answer | null): Answer {
    const fingerprint = JSON.stringify(request);
    const seen = answers.get(key);
    if (seen !== undefined) {
      if (seen.fingerprint !== fingerprint) {
        throw new HttpError(409, 'idempotency key reused with a different request');
      }
      return seen.answer.status === 201 ? { status: 200, body: seen.answer.body } : seen.answer;
    }
    const answer = make();
    if (answer === null) return { status: 429, body: { error: 'busy', message: 'try again in 1 s' } };
    answers.set(key, { fingerprint, answer });
    return answer;
  }

  async function route(request: IncomingMessage): Promise<Answer> {
    const url = new URL(request.url ?? '/', 'http://payments');
    if (request.method === 'GET' && url.pathname === '/charges') {
      const orderId = url.searchParams.get('orderId');
      const items = [...charges.values()].filter((c) => orderId === null || c.orderId === orderId);
      return { status: 200, body: { items } };
    }
    if (request.method === 'POST' && (url.pathname === '/charges' || url.pathname === '/refunds')) {
      const key = request.headers['idempotency-key'];
      if (typeof key !== 'string' || key === '') {
        throw new HttpError(400, 'an idempotency-key header is required');
      }
      const body = await readJson(request);
      return url.pathname === '/charges' ? charge(key, body) : refund(key, body);
    }
    throw new HttpError(404, `no route ${request.method} ${url.pathname}`);
  }

  const server = createServer((request, response) => {
    route(request).then(
      (answer) => reply(request, response, answer, options.log),
      (error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        const message = error instanceof Error ? error.message : String(error);
        reply(request, response, { status, body: { error: 'request_failed', message } }, options.log);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4010, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, family, port } = server.address() as AddressInfo;
  return {
    url: `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // fetch keeps connections alive; close must not wait for them to time out.
        server.closeAllConnections();
      }),
  };
}

function reply(
  request: IncomingMessage,
  response: ServerResponse,
  answer: Answer,
  log: ((line: string) => void) | undefined,
): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (answer.status === 429) headers['retry-after'] = '1';
  response.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
  const key = request.headers['idempotency-key'];
  const keyed = typeof key === 'string' ? ` (idempotency-key ${key})` : '';
  log?.(`${request.method} ${request.url}${keyed} → ${answer.status} ${JSON.stringify(answer.body)}`);
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // answered below, like any other body that is not a JSON object
  }
  throw new HttpError(400, 'the body must be a JSON object');
}

function shortId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 12);
}

function isMain(): boolean {
  const script = process.argv[1];
  return script !== undefined && import.meta.url === pathToFileURL(realpathSync(script)).href;
}

if (isMain()) {
  const { values } = parseArgs({ options: { port: { type: 'string' } } });
  const port = Number(values.port ?? process.env.PAYMENT_PORT ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(
      `payment-service: --port must be a port number, got ${values.port ?? process.env.PAYMENT_PORT}`,
    );
    process.exit(1);
  }
  const service = await startPaymentService({ port, log: (line) => console.log(line) });
  console.log(`payment service on ${service.url} (declines card "declined" and amounts over 1000)`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void service.close().finally(() => process.exit(0)));
  }
}
