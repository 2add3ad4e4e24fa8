import { SILENT_TASK_LOGGER } from '../../../src/interfaces/worker/test-handler.js';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { toWorkerFailure, type TaskFailure } from '../../../src/domain/errors/task-errors.js';
import type { Json } from '../../../src/domain/run/run-snapshot.js';
import type { HostResolver } from '../../../src/interfaces/worker/handlers/http-dispatcher.js';
import {
  createHttpHandler,
  type HttpHandler,
  type HttpHandlerOptions,
} from '../../../src/interfaces/worker/handlers/http.js';
import type { TaskContext } from '../../../src/interfaces/worker/index.js';

/**
 * Real sockets: a loopback "internal service" counts every TCP connection it accepts, so a
 * denial is shown to happen before any connection, not after a request was sent.
 */
let target: Server;
let targetPort: number;
let connections = 0;
/** The local address of each connection the target accepted (which address was dialled). */
const dialled: string[] = [];
/** An allowed service (listed by name, resolved by the test) that redirects to the target. */
let redirector: Server;
let redirectorPort: number;

async function listen(server: Server, host: string): Promise<number> {
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"secret":"metadata"}');
  });
  target.on('connection', (socket: Socket) => {
    connections += 1;
    dialled.push(socket.localAddress ?? '');
  });
  // '::' accepts IPv4 and IPv6 loopback connections alike.
  targetPort = await listen(target, '::');
  redirector = createServer((req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${targetPort}${req.url ?? '/'}` });
    res.end();
  });
  redirectorPort = await listen(redirector, '127.0.0.1');
});

afterAll(async () => {
  for (const server of [target, redirector]) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
});

beforeEach(() => {
  connections = 0;
  dialled.length = 0;
});

const context: TaskContext = {
  runId: 'run-1',
  taskKey: 'fetch',
  kind: 'task',
  attempt: 1,
  idempotencyKey: 'run-1:fetch',
  signal: new AbortController().signal,
  logger: SILENT_TASK_LOGGER,
};

async function call(
  options: HttpHandlerOptions,
  url: string,
): Promise<{ output: Json } | { failure: TaskFailure }> {
  const handler: HttpHandler = createHttpHandler(options);
  try {
    return { output: await handler.handle({ method: 'GET', url, timeoutMs: 5000 }, context) };
  } catch (err) {
    return { failure: toWorkerFailure(err) };
  } finally {
    handler.close();
  }
}

/** Resolves the test's names: `rebind.test` and `mixed.test` to loopback, `partner.test` to the redirector. */
const testResolver: HostResolver = async (hostname) => {
  if (hostname === 'rebind.test') return ['127.0.0.1'];
  if (hostname === 'mixed.test') return ['93.184.215.14', '::1'];
  if (hostname === 'partner.test') return ['127.0.0.1'];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

describe('http tasks with the default SAGAFLOW_HTTP_ALLOW', () => {
  it.each([
    ['http://127.0.0.1:PORT/', '127.0.0.1', 'loopback'],
    ['http://127.1:PORT/', '127.0.0.1', 'loopback'],
    ['http://2130706433:PORT/', '127.0.0.1', 'loopback'],
    ['http://0x7f000001:PORT/', '127.0.0.1', 'loopback'],
    ['http://0177.0.0.1:PORT/', '127.0.0.1', 'loopback'],
    ['http://[::1]:PORT/', '::1', 'loopback'],
    ['http://[::ffff:127.0.0.1]:PORT/', '::ffff:127.0.0.1', 'ipv4Mapped loopback'],
    ['http://[::ffff:7f00:1]:PORT/', '::ffff:127.0.0.1', 'ipv4Mapped loopback'],
    ['http://10.0.0.1:PORT/', '10.0.0.1', 'private'],
    ['http://169.254.169.254:PORT/latest/meta-data/', '169.254.169.254', 'linkLocal'],
    ['http://rebind.test:PORT/', '127.0.0.1', 'loopback'],
    ['http://mixed.test:PORT/', '::1', 'loopback'],
  ])(
    '%s fails non-retryably naming %s and SAGAFLOW_HTTP_ALLOW, and connects to nothing',
    async (raw, address, range) => {
      const outcome = await call({ resolve: testResolver }, raw.replace('PORT', String(targetPort)));
      expect(outcome).toMatchObject({
        failure: {
          code: 'non_retryable',
          retryable: false,
          message: expect.stringContaining(`may not connect to ${address} port`),
        },
      });
      const message = 'failure' in outcome ? outcome.failure.message : '';
      expect(message).toContain(`${range} address, not allowed by SAGAFLOW_HTTP_ALLOW`);
      expect(connections).toBe(0);
    },
  );

  it('resolves localhost through dns.lookup at connect time and denies it', async () => {
    const outcome = await call({}, `http://localhost:${targetPort}/`);
    expect(outcome).toMatchObject({
      failure: {
        code: 'non_retryable',
        message: expect.stringMatching(/\(host localhost\): loopback address/),
      },
    });
    expect(connections).toBe(0);
  });

  it('checks a redirect hop: an allowed host that redirects to loopback fails, and loopback sees nothing', async () => {
    const outcome = await call(
      { allow: `partner.test:${redirectorPort}`, resolve: testResolver },
      `http://partner.test:${redirectorPort}/latest/meta-data/`,
    );
    expect(outcome).toMatchObject({
      failure: {
        code: 'non_retryable',
        message: expect.stringContaining(
          `may not connect to 127.0.0.1 port ${targetPort}: loopback address, not allowed by SAGAFLOW_HTTP_ALLOW`,
        ),
      },
    });
    expect(connections).toBe(0);
  });

  it('resolves a name once per connection, so the answer it checks is the one it connects to', async () => {
    // 127.0.0.2 is listed and stands for a public address; the second answer is the rebind.
    let calls = 0;
    const rebinding: HostResolver = async () => {
      calls += 1;
      return calls === 1 ? ['127.0.0.2'] : ['127.0.0.1'];
    };
    const outcome = await call(
      { allow: '127.0.0.2', resolve: rebinding },
      `http://rebind.test:${targetPort}/`,
    );
    expect(outcome).toMatchObject({ output: { status: 200 } });
    expect(calls).toBe(1);
    expect(dialled).toEqual([expect.stringMatching(/127\.0\.0\.2$/)]);
  });
});

describe('http tasks with SAGAFLOW_HTTP_ALLOW', () => {
  it.each([
    ['127.0.0.1', 'http://127.0.0.1:PORT/'],
    ['127.0.0.0/8', 'http://127.1:PORT/'],
    ['::1', 'http://[::1]:PORT/'],
    ['127.0.0.1', 'http://[::ffff:127.0.0.1]:PORT/'],
    ['rebind.test', 'http://rebind.test:PORT/'],
    ['*', 'http://localhost:PORT/'],
  ])('%s lets %s through', async (allow, raw) => {
    const outcome = await call(
      { allow, resolve: allow === '*' ? undefined : testResolver },
      raw.replace('PORT', String(targetPort)),
    );
    expect(outcome).toMatchObject({ output: { status: 200, body: { secret: 'metadata' } } });
    expect(connections).toBe(1);
  });

  it('follows an allowed redirect to an allowed address', async () => {
    const outcome = await call(
      { allow: `partner.test, 127.0.0.1:${targetPort}`, resolve: testResolver },
      `http://partner.test:${redirectorPort}/x`,
    );
    expect(outcome).toMatchObject({ output: { status: 200 } });
    expect(connections).toBe(1);
  });
});
