import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { SagaflowApp } from '../../../src/app/create-app.js';
import { allEvents, describeEvents, BUILTIN_TYPES } from '../support/flow-helpers.js';
import { cleanup, isolatedConfig, register, startApp, startRun, waitForStatus } from '../support/harness.js';

// The production default: no SAGAFLOW_HTTP_ALLOW, so public unicast addresses only.
const config = { ...isolatedConfig('httpssrf'), httpAllow: [] };
let app: SagaflowApp | null = null;
let internal: Server;
let connections = 0;

beforeAll(async () => {
  internal = createServer((_req, res) => res.end('internal'));
  internal.on('connection', () => {
    connections += 1;
  });
  internal.listen(0, '127.0.0.1');
  await once(internal, 'listening');
  app = await startApp(config);
});

afterAll(async () => {
  await cleanup(app, config, [...BUILTIN_TYPES]);
  internal.closeAllConnections();
  internal.close();
});

describe('an http task to an internal address, with the default SAGAFLOW_HTTP_ALLOW', () => {
  it('fails on its first attempt, naming the address and SAGAFLOW_HTTP_ALLOW, and connects to nothing', async () => {
    const { port } = internal.address() as AddressInfo;
    await register(app!, {
      name: 'ssrf-probe',
      tasks: [
        {
          key: 'probe',
          type: 'http',
          retry: { maxAttempts: 3, initialIntervalMs: 20 },
          input: { method: 'GET', url: `http://2130706433:${port}/latest/meta-data/` },
        },
      ],
    });
    const id = await startRun(app!, { definition: 'ssrf-probe', input: {} });
    const run = await waitForStatus(app!, id);

    expect(run.status).toBe('FAILED');
    const [probe] = run.tasks;
    expect(probe).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(probe!.error?.message).toContain(
      `may not connect to 127.0.0.1 port ${port}: loopback address, not allowed by SAGAFLOW_HTTP_ALLOW`,
    );
    expect(describeEvents(await allEvents(app!, id), 'probe')).toEqual([
      'TaskQueued/probe/1',
      'TaskStarted/probe/1',
      'TaskFailed/probe/1',
    ]);
    expect(connections).toBe(0);
  });
});
