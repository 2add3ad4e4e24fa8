import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { SagaflowApp } from '../../../src/app/create-app.js';
import { BUILTIN_TYPES } from '../support/flow-helpers.js';
import { cleanup, isolatedConfig, startApp, waitForStatus } from '../support/harness.js';

/**
 * SAGAFLOW_MAX_PAYLOAD_BYTES and SAGAFLOW_MAX_TASKS (docs/security.md#limits-and-hostile-input):
 * an output over the limit fails its task on the first attempt naming the limit — never a
 * truncated output — and the run compensates as for any permanent failure; a start over it is a
 * 413 and a definition over the task limit a 400, both naming the variable.
 */
const MAX_PAYLOAD = 4096;
const config = {
  ...isolatedConfig('payload', ['api', 'relay', 'orchestrator', 'worker']),
  limits: { maxTasks: 3, maxPayloadBytes: MAX_PAYLOAD },
};
let app: SagaflowApp | null = null;
let target: Server;

const call = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${app!.url!}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  // Answers with a JSON body of the size its query asks for.
  target = createServer((req, res) => {
    const size = Number(new URL(req.url!, 'http://x').searchParams.get('size'));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ blob: 'x'.repeat(size) }));
  });
  target.listen(0, '127.0.0.1');
  await once(target, 'listening');
  app = await startApp(config);
});

afterAll(async () => {
  await cleanup(app, config, [...BUILTIN_TYPES]);
  target.closeAllConnections();
  target.close();
});

describe('payload limits', () => {
  it('fails a task whose output is over SAGAFLOW_MAX_PAYLOAD_BYTES, naming it, and compensates', async () => {
    const { port } = target.address() as AddressInfo;
    const url = (size: number) => `http://127.0.0.1:${port}/blob?size=${size}`;
    const registered = await call('POST', '/v1/definitions', {
      name: 'big-output',
      tasks: [
        {
          key: 'small',
          type: 'http',
          input: { method: 'GET', url: url(100) },
          compensation: { type: 'noop' },
        },
        {
          key: 'big',
          type: 'http',
          dependsOn: ['small'],
          retry: { maxAttempts: 3, initialIntervalMs: 20 },
          input: { method: 'GET', url: url(MAX_PAYLOAD * 2) },
        },
      ],
    });
    expect(registered.status).toBe(201);
    const started = await call('POST', '/v1/runs', { definition: 'big-output', input: {} });
    expect(started.status).toBe(201);
    const run = await waitForStatus(app!, started.body.id as string);

    expect(run.status).toBe('COMPENSATED');
    const big = run.tasks.find((task) => task.key === 'big')!;
    expect(big).toMatchObject({ status: 'FAILED', attempts: 1, output: null });
    expect(big.error).toMatchObject({ code: 'payload_too_large' });
    expect(big.error!.message).toMatch(
      new RegExp(`^task output is \\d+ bytes, over SAGAFLOW_MAX_PAYLOAD_BYTES \\(${MAX_PAYLOAD}\\)$`),
    );
    expect(run.tasks.find((task) => task.key === 'small')!.output).not.toBeNull();
  });

  it('refuses a start whose input is over the limit with a 413, and writes nothing', async () => {
    await call('POST', '/v1/definitions', { name: 'any', tasks: [{ key: 'a', type: 'noop' }] });
    const refused = await call('POST', '/v1/runs', {
      definition: 'any',
      input: { blob: 'x'.repeat(MAX_PAYLOAD) },
      idempotencyKey: 'too-big',
    });
    expect(refused.status).toBe(413);
    expect(refused.body.detail).toMatch(/^input is \d+ bytes, over SAGAFLOW_MAX_PAYLOAD_BYTES \(4096\)$/);
    const listed = await call('GET', '/v1/runs?definition=any');
    expect(listed.body.items).toEqual([]);
  });

  it('refuses a definition with more tasks than SAGAFLOW_MAX_TASKS, however it arrives', async () => {
    const tasks = ['a', 'b', 'c', 'd'].map((key) => ({ key, type: 'noop' }));
    const registered = await call('POST', '/v1/definitions', { name: 'four', tasks });
    expect(registered.status).toBe(400);
    expect(registered.body.errors).toEqual([
      { path: 'tasks', message: 'has 4 tasks, over SAGAFLOW_MAX_TASKS (3)' },
    ]);
    const validated = await call('POST', '/v1/definitions/validate', { name: 'four', tasks });
    expect(validated.body).toMatchObject({ valid: false, errors: [{ path: 'tasks' }] });
    const inline = await call('POST', '/v1/runs', { definition: { name: 'four', tasks }, input: {} });
    expect(inline.status).toBe(400);
    expect(inline.body.errors).toEqual([
      { path: 'definition.tasks', message: 'has 4 tasks, over SAGAFLOW_MAX_TASKS (3)' },
    ]);
  });
});
