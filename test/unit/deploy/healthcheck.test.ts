import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';

import { repoRoot } from './support/deploy-files.js';

/** Runs deploy/healthcheck.mjs as the container would, with only the given variables set. */
function healthcheck(env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repoRoot, 'deploy/healthcheck.mjs')], { env }, (error) =>
      resolve(error ? Number(error.code ?? 1) : 0),
    );
  });
}

async function listen<T extends Server | HttpServer>(server: T): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of opened.splice(0)) item.close();
});

describe('deploy/healthcheck.mjs', () => {
  it('asks /health/live when the process has the api role', async () => {
    let status = 200;
    const paths: string[] = [];
    const server = createHttpServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status).end('{}');
    });
    opened.push(server);
    const port = String(await listen(server));

    expect(await healthcheck({ SAGAFLOW_ROLES: 'api', PORT: port })).toBe(0);
    expect(await healthcheck({ PORT: port })).toBe(0); // default roles include api
    status = 503;
    expect(await healthcheck({ SAGAFLOW_ROLES: 'api,worker', PORT: port })).toBe(1);
    expect(paths).toEqual(['/health/live', '/health/live', '/health/live']);
  });

  it('fails for the api role when nothing listens', async () => {
    const server = createHttpServer();
    const port = String(await listen(server));
    server.close();
    expect(await healthcheck({ SAGAFLOW_ROLES: 'api', PORT: port })).toBe(1);
  });

  it('passes a non-HTTP role only while a connection to the AMQP port is established', async () => {
    const accepted: Socket[] = [];
    const broker = createServer((socket) => accepted.push(socket));
    opened.push(broker);
    const port = await listen(broker);
    const env = { SAGAFLOW_ROLES: 'worker', AMQP_URL: `amqp://u:p@127.0.0.1:${port}` };

    expect(await healthcheck(env)).toBe(1);

    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    expect(await healthcheck(env)).toBe(0);
    expect(await healthcheck({ ...env, SAGAFLOW_ROLES: 'orchestrator,relay' })).toBe(0);

    client.destroy();
    for (const socket of accepted) socket.destroy();
    await once(client, 'close');
    expect(await healthcheck(env)).toBe(1);
  });
});
