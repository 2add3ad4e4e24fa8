import { SILENT_TASK_LOGGER } from '../../../src/interfaces/worker/test-handler.js';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { toWorkerFailure, type TaskFailure } from '../../../src/domain/errors/task-errors.js';
import type { Json } from '../../../src/domain/run/run-snapshot.js';
import type { TaskContext } from '../../../src/interfaces/worker/index.js';
import {
  createHttpHandler,
  type HttpHandler,
  type HttpHandlerOptions,
} from '../../../src/interfaces/worker/handlers/http.js';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
let port: number;
const received: Received[] = [];

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  switch (path) {
    case '/json':
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-trace': 'abc' });
      res.end(JSON.stringify({ ok: true, echoed: body === '' ? null : (JSON.parse(body) as Json) }));
      return;
    case '/text':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('plain text');
      return;
    case '/not-found':
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such order');
      return;
    case '/unavailable':
      res.writeHead(503);
      res.end('down');
      return;
    case '/unavailable-later':
      res.writeHead(503, { 'retry-after': '2' });
      res.end();
      return;
    case '/rate-limited':
      res.writeHead(429, { 'retry-after': '7' });
      res.end();
      return;
    case '/redirect':
      res.writeHead(302, { location: 'http://169.254.169.254/' });
      res.end();
      return;
    case '/see-other':
      res.writeHead(303, { location: '/json' });
      res.end();
      return;
    case '/loop':
      res.writeHead(307, { location: '/loop' });
      res.end();
      return;
    case '/hang':
      return; // never answers: only the request's own timeout ends it
    default:
      res.writeHead(500);
      res.end();
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      route(req, res, body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

function context(key = 'run-1:reserve'): TaskContext {
  return {
    runId: 'run-1',
    taskKey: 'reserve',
    kind: 'task',
    attempt: 1,
    idempotencyKey: key,
    signal: new AbortController().signal,
    logger: SILENT_TASK_LOGGER,
  };
}

type Outcome = { output: Json } | { failure: TaskFailure };

async function call(handler: HttpHandler, input: Json, ctx = context()): Promise<Outcome> {
  try {
    return { output: await handler.handle(input, ctx) };
  } catch (err) {
    return { failure: toWorkerFailure(err) };
  }
}

async function withHandler(
  options: HttpHandlerOptions,
  use: (handler: HttpHandler) => Promise<void>,
): Promise<void> {
  // The test server listens on loopback, which the default policy denies: list it.
  const handler = createHttpHandler({ allow: '127.0.0.1', ...options });
  try {
    await use(handler);
  } finally {
    handler.close();
  }
}

function hits(path: string): number {
  return received.filter((request) => request.path === path).length;
}

describe('http handler', () => {
  it('completes on 200 with the JSON body parsed and sends the idempotency key', async () => {
    await withHandler({}, async (handler) => {
      const outcome = await call(
        handler,
        {
          method: 'post',
          url: `${base}/json?token=secret`,
          body: { sku: 'A-1' },
          headers: { 'x-custom': 'yes' },
        },
        context('run-1:reserve:key'),
      );
      expect(outcome).toEqual({
        output: {
          status: 200,
          headers: expect.objectContaining({
            'content-type': 'application/json; charset=utf-8',
            'x-trace': 'abc',
          }),
          body: { ok: true, echoed: { sku: 'A-1' } },
        },
      });
      const request = received.find((r) => r.path === '/json?token=secret');
      expect(request?.method).toBe('POST');
      expect(request?.headers['idempotency-key']).toBe('run-1:reserve:key');
      expect(request?.headers['content-type']).toBe('application/json');
      expect(request?.headers['x-custom']).toBe('yes');
    });
  });

  it('returns a non-JSON body as text', async () => {
    await withHandler({}, async (handler) => {
      expect(await call(handler, { method: 'GET', url: `${base}/text` })).toMatchObject({
        output: { status: 200, body: 'plain text' },
      });
    });
  });

  it('fails non-retryably on 404, with the status and no query string in the message', async () => {
    await withHandler({}, async (handler) => {
      const outcome = await call(handler, { method: 'GET', url: `${base}/not-found?apikey=hunter2` });
      expect(outcome).toMatchObject({ failure: { code: 'non_retryable', retryable: false } });
      const message = 'failure' in outcome ? outcome.failure.message : '';
      expect(message).toContain('HTTP 404');
      expect(message).toContain('no such order');
      expect(message).not.toContain('hunter2');
    });
  });

  it('follows a redirect, checking the next hop: a hop to a metadata address fails naming it', async () => {
    await withHandler({}, async (handler) => {
      expect(await call(handler, { method: 'GET', url: `${base}/redirect` })).toMatchObject({
        failure: {
          code: 'non_retryable',
          message: expect.stringMatching(/169\.254\.169\.254.*linkLocal.*SAGAFLOW_HTTP_ALLOW/),
        },
      });
    });
  });

  it('follows 303 with a GET without the body, and gives up after 5 redirects', async () => {
    await withHandler({}, async (handler) => {
      const before = hits('/json');
      const outcome = await call(handler, { method: 'POST', url: `${base}/see-other`, body: { a: 1 } });
      expect(outcome).toMatchObject({ output: { status: 200, body: { ok: true, echoed: null } } });
      expect(hits('/json')).toBe(before + 1);
      expect(received.at(-1)).toMatchObject({ method: 'GET', body: '' });

      const loops = hits('/loop');
      expect(await call(handler, { method: 'GET', url: `${base}/loop` })).toMatchObject({
        failure: { code: 'non_retryable', message: expect.stringContaining('more than 5') },
      });
      expect(hits('/loop')).toBe(loops + 6);
    });
  });

  it('fails retryably on 503, and with retry-after when the server says when', async () => {
    await withHandler({}, async (handler) => {
      expect(await call(handler, { method: 'GET', url: `${base}/unavailable` })).toMatchObject({
        failure: { code: 'retryable', retryable: true },
      });
      expect(await call(handler, { method: 'GET', url: `${base}/unavailable-later` })).toMatchObject({
        failure: { code: 'retry_after', retryable: true, retryAfterMs: 2000 },
      });
    });
  });

  it('maps 429 with Retry-After to retryAfterMs', async () => {
    await withHandler({}, async (handler) => {
      expect(await call(handler, { method: 'GET', url: `${base}/rate-limited` })).toMatchObject({
        failure: { code: 'retry_after', retryable: true, retryAfterMs: 7000 },
      });
    });
  });

  it('fails retryably when the connection is refused', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    await withHandler({}, async (handler) => {
      const outcome = await call(handler, { method: 'GET', url: `http://127.0.0.1:${closedPort}/` });
      expect(outcome).toMatchObject({
        failure: { code: 'retryable', retryable: true, message: expect.stringContaining('ECONNREFUSED') },
      });
    });
  });

  it('times out on the input timeoutMs, retryably', async () => {
    await withHandler({}, async (handler) => {
      expect(await call(handler, { method: 'GET', url: `${base}/hang`, timeoutMs: 30 })).toMatchObject({
        failure: { code: 'timeout', retryable: true },
      });
    });
  });

  it('stops when the task signal aborts, with the reason the executor gave', async () => {
    await withHandler({}, async (handler) => {
      const controller = new AbortController();
      const ctx = { ...context(), signal: controller.signal };
      const pending = call(handler, { method: 'GET', url: `${base}/hang` }, ctx);
      controller.abort(new Error('not a taxonomy error'));
      expect(await pending).toMatchObject({
        failure: { retryable: true, message: expect.stringContaining('aborted') },
      });
    });
  });

  it('rejects bad input non-retryably, naming the field', async () => {
    await withHandler({}, async (handler) => {
      const cases: [Json, string][] = [
        [{ method: 'FETCH', url: `${base}/json` }, 'input.method'],
        [{ method: 'GET', url: 'not a url' }, 'input.url'],
        [{ method: 'GET', url: 'ftp://example.com/' }, 'input.url'],
        [{ method: 'GET', url: 'http://user:pw@example.com/' }, 'input.url'],
        [{ method: 'GET', url: `${base}/json`, headers: { a: 1 } }, 'input.headers.a'],
        [{ method: 'GET', url: `${base}/json`, body: { a: 1 } }, 'input.body'],
        [{ method: 'GET', url: `${base}/json`, timeoutMs: -1 }, 'input.timeoutMs'],
        [{ method: 'GET', url: `${base}/json`, header: {} }, '"header"'],
        ['GET', 'object'],
      ];
      for (const [input, field] of cases) {
        const outcome = await call(handler, input);
        expect(outcome).toMatchObject({ failure: { code: 'non_retryable', retryable: false } });
        expect('failure' in outcome && outcome.failure.message).toContain(field);
      }
    });
  });

  it('opens the breaker after repeated failures and then fails fast with retry-after', async () => {
    const breaker = { volumeThreshold: 3, resetTimeoutMs: 60_000 };
    await withHandler({ breaker }, async (handler) => {
      expect(handler.openBreakers()).toBe(0);
      let openings = 0;
      handler.onBreakerOpen(() => (openings += 1));
      const before = hits('/unavailable');
      for (let i = 0; i < 3; i++) {
        expect(await call(handler, { method: 'GET', url: `${base}/unavailable` })).toMatchObject({
          failure: { code: 'retryable' },
        });
      }
      const outcome = await call(handler, { method: 'GET', url: `${base}/unavailable` });
      expect(outcome).toMatchObject({ failure: { code: 'retry_after', retryable: true } });
      const retryAfterMs = 'failure' in outcome ? outcome.failure.retryAfterMs : undefined;
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(hits('/unavailable') - before).toBe(3);
      // What the metrics report: one host's breaker open (counted, never named), opened once.
      expect(handler.openBreakers()).toBe(1);
      expect(openings).toBe(1);
      // The breaker is per host: the same server under another name is still reachable.
      expect(await call(handler, { method: 'GET', url: `http://localhost:${port}/text` })).toMatchObject({
        output: { status: 200 },
      });
      expect(handler.openBreakers()).toBe(1);
    });
  });

  it('does not count 4xx against the breaker', async () => {
    await withHandler({ breaker: { volumeThreshold: 2, resetTimeoutMs: 60_000 } }, async (handler) => {
      const before = hits('/not-found');
      for (let i = 0; i < 6; i++) {
        expect(await call(handler, { method: 'GET', url: `${base}/not-found` })).toMatchObject({
          failure: { code: 'non_retryable' },
        });
      }
      expect(hits('/not-found') - before).toBe(6);
      expect(await call(handler, { method: 'GET', url: `${base}/json` })).toMatchObject({
        output: { status: 200 },
      });
    });
  });

  it('fails retryably once closed', async () => {
    const handler = createHttpHandler();
    handler.close();
    expect(await call(handler, { method: 'GET', url: `${base}/json` })).toMatchObject({
      failure: { retryable: true, message: expect.stringContaining('closed') },
    });
  });

  describe('allow-list', () => {
    it('denies loopback by default, naming the address and SAGAFLOW_HTTP_ALLOW, without calling it', async () => {
      await withHandler({ allow: '' }, async (handler) => {
        const before = received.length;
        const outcome = await call(handler, { method: 'GET', url: `${base}/json` });
        expect(outcome).toMatchObject({
          failure: {
            code: 'non_retryable',
            retryable: false,
            message: expect.stringMatching(/127\.0\.0\.1.*loopback.*SAGAFLOW_HTTP_ALLOW/),
          },
        });
        expect(received.length).toBe(before);
      });
    });

    it('denies an IP outside the listed CIDRs and a name that resolves outside them', async () => {
      await withHandler({ allow: '10.0.0.0/8, fd00::/8' }, async (handler) => {
        expect(await call(handler, { method: 'GET', url: `${base}/json` })).toMatchObject({
          failure: { code: 'non_retryable', message: expect.stringContaining('127.0.0.1') },
        });
        expect(await call(handler, { method: 'GET', url: `http://localhost:${port}/json` })).toMatchObject({
          failure: { code: 'non_retryable', message: expect.stringContaining('localhost') },
        });
      });
    });

    it('allows a listed CIDR, a listed host:port, a name resolving inside the CIDRs and *', async () => {
      await withHandler({ allow: '127.0.0.0/8' }, async (handler) => {
        expect(await call(handler, { method: 'GET', url: `${base}/text` })).toMatchObject({
          output: { status: 200 },
        });
      });
      await withHandler({ allow: `localhost:${port}` }, async (handler) => {
        expect(await call(handler, { method: 'GET', url: `http://localhost:${port}/text` })).toMatchObject({
          output: { status: 200 },
        });
      });
      // localhost resolves (through dns.lookup) to 127.0.0.1 and possibly ::1: both are listed.
      await withHandler({ allow: '127.0.0.0/8, ::1/128' }, async (handler) => {
        expect(await call(handler, { method: 'GET', url: `http://localhost:${port}/text` })).toMatchObject({
          output: { status: 200 },
        });
      });
      await withHandler({ allow: '*' }, async (handler) => {
        expect(await call(handler, { method: 'GET', url: `${base}/text` })).toMatchObject({
          output: { status: 200 },
        });
      });
    });
  });
});
