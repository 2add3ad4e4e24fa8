import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';

import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import { PrivateRabbitMq } from '../../support/private-rabbitmq.js';
import {
  deleteRedisKeys,
  dropDatabase,
  eventually,
  getRun,
  isolatedConfig,
  register,
  startRun,
  waitForStatus,
} from '../support/harness.js';

/**
 * "Broker disk full" of docs/failure-modes.md, on a RabbitMQ node of this file's own (never the
 * shared one): with the node's disk alarm up, the broker blocks the app's publishing connection,
 * so runs started then do not move and every message they caused stays in the outbox, also
 * past the relay's retries; once the alarm clears, the same rows are sent, every run completes
 * and the outbox is empty. Nothing is lost and nothing is acked unpublished.
 */
const config = isolatedConfig('disk_alarm');
const DEFINITION = 'disk-alarm-chain';
/** Far above any disk: the node raises its disk alarm at once. */
const FULL = '1000000GB';
/** Longer than the relay's minimum row age with inline publishing (5 s), so its sweep tries too. */
const HOLD_MS = 7_000;

let broker: PrivateRabbitMq | null = null;
let app: SagaflowApp | null = null;
let db: pg.Client | null = null;
/** The node's limit before the test raised the alarm, while it is up; afterAll restores it. */
let raisedFrom: string | null = null;

beforeAll(async () => {
  broker = await PrivateRabbitMq.start();
  app = await createApp({ ...config, amqpUrl: broker.url });
  db = new pg.Client({ connectionString: config.databaseUrl });
  await db.connect();
}, 120_000);

afterAll(async () => {
  try {
    // A test that failed with the alarm up leaves publishes waiting for their confirm.
    if (raisedFrom !== null) await broker?.setDiskFreeLimit(raisedFrom);
    await db?.end();
    if (app !== null) {
      const closing = app.close();
      // Should publishes still be blocked, removing the broker ends them (it goes anyway).
      if (!(await settlesWithin(closing, 15_000))) await broker?.remove();
      await closing;
    }
  } finally {
    // The topology lives on the private node, which goes with it.
    await broker?.remove();
    await dropDatabase(config.databaseUrl!);
    await deleteRedisKeys('redis://127.0.0.1:6379', config.redisPrefix!);
  }
}, 120_000);

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return settled;
}

/** `runId/taskKey` of every row left in the outbox, read with a client of the test's own. */
async function outbox(): Promise<string[]> {
  const { rows } = await db!.query<{ run_id: string; task_key: string }>(
    `select meta->>'runId' as run_id, meta->>'taskKey' as task_key from outbox order by id`,
  );
  return rows.map((row) => `${row.run_id}/${row.task_key}`).sort();
}

describe('RabbitMQ disk alarm', () => {
  it('keeps the messages of runs started under the alarm in the outbox and sends them once it clears', async () => {
    await register(app!, {
      name: DEFINITION,
      tasks: [
        { key: 'a', type: 'noop' },
        { key: 'b', type: 'echo', dependsOn: ['a'], input: { v: '${input.v}' } },
      ],
    });
    // Before the alarm the path works end to end.
    const first = await startRun(app!, { definition: DEFINITION, input: { v: 0 } });
    expect((await waitForStatus(app!, first)).status).toBe('COMPLETED');
    expect(await eventually(outbox, (rows) => rows.length === 0)).toEqual([]);

    const model = app!.runtime.amqp.currentModel()!;
    let blocked = false;
    model.on('blocked', () => (blocked = true));
    const limit = await broker!.diskFreeLimit();
    expect(limit).toMatch(/^\d+$/);
    await broker!.setDiskFreeLimit(FULL);
    raisedFrom = limit;
    expect(await broker!.alarms()).toContain('disk');

    const inputs = [1, 2, 3, 4];
    const ids = await Promise.all(
      inputs.map((v) => startRun(app!, { definition: DEFINITION, input: { v } })),
    );
    // The broker tells the connection it blocks it once the first of those publishes arrives.
    await eventually(
      async () => blocked,
      (value) => value,
    );
    await sleep(HOLD_MS);
    const held = await Promise.all(ids.map((id) => getRun(app!, id)));
    expect(held.map((run) => run.status)).toEqual(ids.map(() => 'RUNNING'));
    for (const run of held) expect(run.tasks.map((task) => task.status)).not.toContain('COMPLETED');
    // Each run's first task message, unconfirmed, is still there: none lost, none deleted.
    expect(await outbox()).toEqual(ids.map((id) => `${id}/a`).sort());
    expect(app!.runtime.amqp.currentModel()).toBe(model);

    await broker!.setDiskFreeLimit(limit);
    raisedFrom = null;
    expect(await broker!.alarms()).not.toContain('disk');
    for (const [n, id] of ids.entries()) {
      const run = await waitForStatus(app!, id);
      expect(run.status).toBe('COMPLETED');
      expect(run.tasks.map((task) => task.status)).toEqual(['COMPLETED', 'COMPLETED']);
      expect(run.tasks[1]!.output).toEqual({ v: inputs[n] });
    }
    expect(await eventually(outbox, (rows) => rows.length === 0)).toEqual([]);
  }, 120_000);
});
