import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import amqp, { type GetMessage } from 'amqplib';
import type { SagaflowApp } from '../../src/app/create-app.js';
import { cleanup, eventually, isolatedConfig, register, startApp, startRun } from './support/harness.js';

/** No worker: the task message stays in its queue, where the test reads it (docs/contract.md#messaging). */
const config = isolatedConfig('taskmsg', ['relay']);
let app: SagaflowApp | null = null;

beforeAll(async () => {
  app = await startApp(config);
});
afterAll(async () => {
  await cleanup(app, config, ['noop']);
});

describe('a task message on the wire', () => {
  it('carries message id, run id, task key, attempt, kind, idempotency key and priority', async () => {
    await register(app!, { name: 'wire', tasks: [{ key: 'only', type: 'noop', priority: 7 }] });
    const runId = await startRun(app!, { definition: 'wire' });
    const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    try {
      const channel = await connection.createChannel();
      const message = await eventually(
        () => channel.get(`${config.amqpPrefix}.tasks.noop`, { noAck: true }),
        (m): m is GetMessage => m !== false,
      );
      const { properties } = message as GetMessage;
      expect(properties.messageId).toBe(`${runId}:only:task:1`);
      expect(properties.priority).toBe(7);
      expect(properties.contentType).toBe('application/json');
      expect(properties.headers).toMatchObject({
        'x-run-id': runId,
        'x-task-key': 'only',
        'x-attempt': 1,
        'x-kind': 'task',
        'x-idempotency-key': `${runId}:only`,
      });
      expect(JSON.parse((message as GetMessage).content.toString())).toMatchObject({
        runId,
        taskKey: 'only',
      });
    } finally {
      await connection.close();
    }
  });
});
