import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import { resultQueueName, shardOf, taskQueueName } from '../../../src/infrastructure/messaging/topology.js';
import {
  cleanup,
  eventually,
  isolatedConfig,
  register,
  startApp,
  startRun,
  waitForStatus,
} from '../support/harness.js';
import { Broker, BUILTIN_TYPES, keptDeadLetterBodies } from '../support/flow-helpers.js';

const config = isolatedConfig('poison');
let app: SagaflowApp | null = null;
let broker: Broker | null = null;

beforeAll(async () => {
  app = await startApp(config);
  broker = await Broker.open();
});
afterAll(async () => {
  await broker?.close();
  await cleanup(app, config, [...BUILTIN_TYPES]);
});

describe('poison messages', () => {
  it('dead-letters unparsable results and tasks and keeps processing runs', async () => {
    const prefix = config.amqpPrefix!;
    const tag = randomUUID();
    const poison = {
      result: `not json: result ${tag}`,
      resultShape: JSON.stringify({ hello: `not a result ${tag}` }),
      task: `not json: task ${tag}`,
      taskShape: JSON.stringify({ hello: `not a task ${tag}` }),
    };
    const shards = config.shardCount!;
    await broker!.sendToQueue(resultQueueName(prefix, 0), Buffer.from(poison.result));
    await broker!.sendToQueue(resultQueueName(prefix, shards - 1), Buffer.from(poison.resultShape));
    await broker!.sendToQueue(taskQueueName(prefix, 'noop'), Buffer.from(poison.task));
    await broker!.sendToQueue(taskQueueName(prefix, 'noop'), Buffer.from(poison.taskShape));

    // The relay's keeper moves what reaches the dead queue into PostgreSQL.
    const dead = await eventually(
      () => keptDeadLetterBodies(app!),
      (bodies) => Object.values(poison).every((p) => bodies.includes(p)),
    );
    // Each exactly once: dead-lettered, not looped through redeliveries, kept once.
    for (const p of Object.values(poison)) expect(dead.filter((b) => b === p)).toHaveLength(1);

    // Nothing is stuck behind them: both the worker and the orchestrator go on.
    await register(app!, {
      name: 'after-poison',
      tasks: [
        { key: 'a', type: 'noop' },
        { key: 'b', type: 'echo', dependsOn: ['a'], input: { ok: true } },
      ],
    });
    // Runs on the very shards that received poison (and others on the way).
    const ids = await runsCovering(app!, [0, shards - 1]);
    for (const id of ids) {
      const run = await waitForStatus(app!, id);
      expect(run.status).toBe('COMPLETED');
      expect(run.output).toEqual({ b: { ok: true } });
    }
    const queues = await Promise.all([
      broker!.channel.checkQueue(resultQueueName(prefix, 0)),
      broker!.channel.checkQueue(taskQueueName(prefix, 'noop')),
    ]);
    for (const q of queues) expect(q.messageCount).toBe(0);
  });
});

/**
 * Starts runs of `definition` until every shard in `shards` has at least one (run ids are
 * random, so this takes a handful); returns every run started.
 */
async function runsCovering(app: SagaflowApp, shards: number[]): Promise<string[]> {
  const count = config.shardCount!;
  const wanted = new Set(shards);
  const picked: string[] = [];
  for (let i = 0; wanted.size > 0; i++) {
    if (i > 200) throw new Error(`no run landed on shards ${[...wanted].join(', ')}`);
    const id = await startRun(app, { definition: 'after-poison' });
    const shard = shardOf(id, count);
    wanted.delete(shard);
    picked.push(id);
  }
  return picked;
}
