import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import { cleanup, isolatedConfig, register, startApp, startRun, waitForStatus } from '../support/harness.js';
import { allEvents, describeEvents, only, BUILTIN_TYPES } from '../support/flow-helpers.js';

const config = isolatedConfig('httpsaga');
let app: SagaflowApp | null = null;

beforeAll(async () => {
  app = await startApp(config);
});
afterAll(async () => {
  await cleanup(app, config, [...BUILTIN_TYPES]);
});

/**
 * Port 47 on loopback, as in the README's example: nothing listens, so every call is a
 * connection error (ECONNREFUSED). Not port 9: fetch refuses "bad ports" before connecting.
 */
const CLOSED = 'http://127.0.0.1:47';

describe('order saga with an unreachable payment service', () => {
  it('retries the http charge, then compensates the reservation and skips shipping', async () => {
    await register(app!, {
      name: 'order-saga',
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
          input: { method: 'POST', url: `${CLOSED}/charge`, body: { amount: '${input.amount}' } },
          compensation: { type: 'http', input: { method: 'POST', url: `${CLOSED}/refund` } },
        },
        {
          key: 'ship',
          type: 'noop',
          dependsOn: ['charge'],
          compensation: { type: 'noop' },
        },
      ],
    });
    const id = await startRun(app!, { definition: 'order-saga', input: { sku: 'abc', amount: 12 } });
    const run = await waitForStatus(app!, id);

    expect(run.status).toBe('COMPENSATED');
    expect(run.error).toMatchObject({ taskKey: 'charge' });
    const [reserve, charge, ship] = run.tasks;
    expect(reserve).toMatchObject({
      status: 'COMPENSATED',
      output: { reservation: 'r-abc' },
      compensation: { status: 'COMPLETED', attempts: 1, output: { release: 'r-abc' } },
    });
    // Never completed, so never compensated.
    expect(charge).toMatchObject({
      status: 'FAILED',
      attempts: 3,
      compensation: { status: 'PENDING', attempts: 0 },
    });
    expect(charge!.error?.message).toContain('ECONNREFUSED');
    expect(ship).toMatchObject({ status: 'SKIPPED', attempts: 0, compensation: { status: 'PENDING' } });

    const events = await allEvents(app!, id);
    expect(describeEvents(events, 'charge')).toEqual([
      'TaskQueued/charge/1',
      'TaskStarted/charge/1',
      'TaskFailed/charge/1',
      'TaskRetryScheduled/charge/1',
      'TaskQueued/charge/2',
      'TaskStarted/charge/2',
      'TaskFailed/charge/2',
      'TaskRetryScheduled/charge/2',
      'TaskQueued/charge/3',
      'TaskStarted/charge/3',
      'TaskFailed/charge/3',
    ]);
    expect(only(events, 'TaskFailed', 'charge', 1).data).toMatchObject({ final: false });
    expect(only(events, 'TaskFailed', 'charge', 3).data).toMatchObject({ final: true });
    expect(only(events, 'CompensationQueued', 'reserve', 1).seq).toBeGreaterThan(
      only(events, 'TaskFailed', 'charge', 3).seq,
    );
    expect(describeEvents(events, 'ship')).toEqual(['TaskSkipped/ship/-']);
    expect(events.at(-1)!.type).toBe('RunCompensated');
  });
});
