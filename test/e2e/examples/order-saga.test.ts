import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  startPaymentService,
  type Charge,
  type PaymentService,
} from '../../../examples/order-saga/payment-service.js';
import { cleanup, eventually, isolatedConfig } from '../../integration/support/harness.js';
import { freePort } from '../../support/free-port.js';
import {
  childEnv,
  ensureBuilt,
  killAll,
  SagaflowChild,
  TERMINAL_STATUSES,
  type ChildSpec,
} from '../support/processes.js';

/**
 * examples/order-saga as its README runs it, against real services: a Sagaflow process with the
 * api, relay and orchestrator roles (auth on, an admin key), the fake payment service, and the
 * example worker as a process of its own — `node examples/order-saga/worker.ts`, Node 24 running
 * the TypeScript as it is, `sagaflow/worker` resolving through the package's `exports` to dist/ —
 * configured through the environment with this file's AMQP prefix, shard count and database.
 * definition.json, order.json and order-declined.json are used as they are in the folder.
 */
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const EXAMPLE = resolve(ROOT, 'examples/order-saga');
const json = (file: string): unknown => JSON.parse(readFileSync(resolve(EXAMPLE, file), 'utf8'));

const ADMIN_KEY = 'sf_e2e_order_saga_admin_key';
const TYPES = ['order.reserve', 'order.release', 'payment.charge', 'payment.refund', 'order.ship'];
const config = isolatedConfig('ordersaga', ['api', 'relay', 'orchestrator']);
const children: SagaflowChild[] = [];
let payments: PaymentService | null = null;
let worker: ChildProcess | null = null;
let workerExit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
let workerOutput = '';
let api = '';

interface TaskJson {
  key: string;
  status: string;
  attempts: number;
  output: unknown;
  error: { message: string; code?: string } | null;
  compensation: { status: string; attempts: number; output: unknown } | null;
}
interface RunJson {
  id: string;
  status: string;
  error: { taskKey: string | null; message: string } | null;
  output: unknown;
  tasks: TaskJson[];
}

async function rest<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: {
      'x-api-key': ADMIN_KEY,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  ensureBuilt();
  const port = await freePort();
  const spec: ChildSpec = {
    name: 'order-saga-sagaflow',
    roles: ['api', 'relay', 'orchestrator'],
    config,
    instanceId: 'order-saga-sagaflow',
    env: {
      PORT: String(port),
      SAGAFLOW_AUTH: 'on',
      SAGAFLOW_ADMIN_API_KEY: ADMIN_KEY,
      SAGAFLOW_RATE_LIMIT: 'off',
    },
  };
  await SagaflowChild.start(spec, children);
  api = `http://127.0.0.1:${port}`;
  payments = await startPaymentService({ port: 0 });

  // The worker reads what a `sagaflow` process of this installation reads (childEnv: the same
  // broker, AMQP prefix and shard count, and the database its heartbeat goes to), plus PAYMENT_URL.
  const sagaflowEnv = childEnv(spec);
  worker = spawn(process.execPath, ['examples/order-saga/worker.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AMQP_URL: sagaflowEnv.AMQP_URL,
      SAGAFLOW_AMQP_PREFIX: sagaflowEnv.SAGAFLOW_AMQP_PREFIX,
      SAGAFLOW_SHARDS: sagaflowEnv.SAGAFLOW_SHARDS,
      DATABASE_URL: sagaflowEnv.DATABASE_URL,
      LOG_LEVEL: 'warn',
      PAYMENT_URL: payments.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout?.on('data', (chunk: Buffer) => (workerOutput += chunk.toString('utf8')));
  worker.stderr?.on('data', (chunk: Buffer) => (workerOutput += chunk.toString('utf8')));
  const spawned = worker;
  workerExit = new Promise((done) => spawned.once('exit', (code, signal) => done({ code, signal })));
  const diedEarly = workerExit.then(({ code, signal }) => {
    throw new Error(`worker.ts exited before it was ready (${code ?? signal}):\n${workerOutput}`);
  });
  diedEarly.catch(() => undefined);
  await Promise.race([
    eventually(
      async () => workerOutput,
      (out) => out.includes(`running task types ${TYPES.join(', ')}`),
    ),
    diedEarly,
  ]);
}, 120_000);

afterAll(async () => {
  try {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      worker.kill('SIGKILL');
      await workerExit;
    }
    await killAll(children);
    await payments?.close();
  } finally {
    await cleanup(null, config, TYPES);
  }
}, 60_000);

async function runToEnd(input: unknown): Promise<RunJson> {
  const started = await rest<{ id: string }>('POST', '/v1/runs', { definition: 'order-saga', input });
  expect(started.status).toBe(201);
  const run = await eventually(
    () => rest<RunJson>('GET', `/v1/runs/${started.body.id}`),
    (answer) => TERMINAL_STATUSES.includes(answer.body.status),
    100,
  );
  return run.body;
}

async function chargesOf(orderId: string): Promise<Charge[]> {
  const response = await fetch(`${payments!.url}/charges?orderId=${orderId}`);
  return ((await response.json()) as { items: Charge[] }).items;
}

function task(run: RunJson, key: string): TaskJson {
  const found = run.tasks.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`run ${run.id} has no task ${key}`);
  return found;
}

describe('examples/order-saga', () => {
  it('registers definition.json, with every task type served by the example worker', async () => {
    const registered = await rest<{ name: string; version: number; warnings?: unknown }>(
      'POST',
      '/v1/definitions',
      json('definition.json'),
    );
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ name: 'order-saga', version: 1 });
    expect(registered.body.warnings).toBeUndefined();
  });

  it('runs order.json to COMPLETED: reserved, charged once, shipped', async () => {
    const run = await runToEnd(json('order.json'));

    expect(run.status).toBe('COMPLETED');
    for (const key of ['reserve', 'charge', 'ship']) {
      expect(task(run, key)).toMatchObject({ status: 'COMPLETED', attempts: 1 });
    }
    const chargeId = (task(run, 'charge').output as { chargeId: string }).chargeId;
    expect(run.output).toEqual({
      orderId: 'o-1001',
      reservationId: expect.stringMatching(/^rsv_/),
      chargeId,
      trackingNumber: expect.stringMatching(/^TRK-/),
    });
    expect(await chargesOf('o-1001')).toEqual([
      { id: chargeId, orderId: 'o-1001', amount: 59.9, status: 'captured', refundId: null },
    ]);
  });

  it('compensates order-declined.json: the charge fails at once, the reservation is released, nothing is charged', async () => {
    const run = await runToEnd(json('order-declined.json'));

    expect(run.status).toBe('COMPENSATED');
    expect(run.error).toEqual({ taskKey: 'charge', message: 'charge declined: card declined' });
    const reserve = task(run, 'reserve');
    expect(reserve).toMatchObject({ status: 'COMPENSATED', compensation: { status: 'COMPLETED' } });
    expect(reserve.compensation!.output).toEqual({
      reservationId: (reserve.output as { reservationId: string }).reservationId,
      released: true,
    });
    // Non-retryable: one attempt, whatever maxAttempts says; never completed, so never refunded.
    expect(task(run, 'charge')).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      error: { code: 'non_retryable' },
      compensation: { status: 'PENDING', attempts: 0 },
    });
    expect(task(run, 'ship')).toMatchObject({ status: 'SKIPPED', attempts: 0 });
    expect(await chargesOf('o-1002')).toEqual([]);

    const events = await rest<{ items: { type: string; taskKey: string | null }[] }>(
      'GET',
      `/v1/runs/${run.id}/events?limit=1000`,
    );
    expect(events.body.items.at(-1)).toMatchObject({ type: 'RunCompensated' });
    expect(events.body.items).toContainEqual(
      expect.objectContaining({ type: 'CompensationCompleted', taskKey: 'reserve' }),
    );
  });

  it('retries a charge the payment service answers 429 after its Retry-After, then completes', async () => {
    // The README's "things to try": order.json with the card the fake throttles once.
    const run = await runToEnd({ ...(json('order.json') as object), orderId: 'o-1003', card: 'busy' });

    expect(run.status).toBe('COMPLETED');
    expect(task(run, 'charge')).toMatchObject({ status: 'COMPLETED', attempts: 2 });
    const chargeId = (task(run, 'charge').output as { chargeId: string }).chargeId;
    expect(await chargesOf('o-1003')).toMatchObject([{ id: chargeId, status: 'captured' }]);
  });

  it('stops on SIGTERM with exit status 0 and withdraws its task types', async () => {
    worker!.kill('SIGTERM');
    expect(await workerExit).toEqual({ code: 0, signal: null });

    const validated = await rest<{ valid: boolean; warnings?: { path: string }[] }>(
      'POST',
      '/v1/definitions/validate',
      json('definition.json'),
    );
    expect(validated.body.valid).toBe(true);
    expect(validated.body.warnings?.map((warning) => warning.path)).toEqual([
      'tasks[0].type',
      'tasks[0].compensation.type',
      'tasks[1].type',
      'tasks[1].compensation.type',
      'tasks[2].type',
    ]);
  });
});
