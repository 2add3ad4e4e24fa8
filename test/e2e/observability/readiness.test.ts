import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import {
  deleteRedisKeys,
  dropDatabase,
  eventually,
  isolatedConfig,
} from '../../integration/support/harness.js';
import { PrivateRabbitMq } from '../../support/private-rabbitmq.js';
import { PrivateRedis } from '../../support/private-redis.js';
import { ensureReplica, replicaUrlFor } from '../../support/replica.js';

/**
 * Readiness against dependencies this file may stop: a RabbitMQ node and a Redis of its own
 * (never the shared ones), the local streaming replica, and a "replica" nobody listens for.
 */
const base = isolatedConfig('ready', ['api', 'relay', 'orchestrator', 'worker']);
const NOBODY = 'postgres://postgres@127.0.0.1:47/nothing';
let broker: PrivateRabbitMq | null = null;
let redis: PrivateRedis | null = null;
let app: SagaflowApp | null = null;

beforeAll(async () => {
  await ensureReplica();
  broker = await PrivateRabbitMq.start();
  redis = await PrivateRedis.start();
  app = await createApp({
    ...base,
    amqpUrl: broker.url,
    redisUrl: redis.url,
    replicaUrls: [replicaUrlFor(base.databaseUrl!), NOBODY],
  });
}, 120_000);

afterAll(async () => {
  try {
    await app?.close();
  } finally {
    await broker?.remove();
    await deleteRedisKeys(redis?.url ?? '', base.redisPrefix!);
    await redis?.stop();
    await dropDatabase(base.databaseUrl!);
  }
}, 120_000);

interface Indicator {
  status: string;
  message?: string;
}
interface Report {
  status: string;
  info: Record<string, Indicator>;
  error: Record<string, Indicator>;
  details: Record<string, Indicator>;
}

const ready = async () => {
  const response = await fetch(`${app!.url}/health/ready`);
  return { code: response.status, body: (await response.json()) as Report };
};
const statuses = (report: Report) =>
  Object.fromEntries(Object.entries(report.details).map(([name, i]) => [name, i.status]));

describe('/health/ready', () => {
  it('names every dependency; a replica that does not answer is degraded, not a failure', async () => {
    // The streaming replica receives this file's new database a moment after the primary
    // creates it (a loaded CI machine has shown it degraded on the first probe), so wait for it.
    const { code, body } = await eventually(
      ready,
      (r) =>
        r.body.details.postgres_replica_0?.status === 'up' && r.body.details.postgres_replica_1 !== undefined,
    );
    expect(code).toBe(200);
    expect(body.status).toBe('ok');
    expect(statuses(body)).toEqual({
      postgres: 'up',
      rabbitmq: 'up',
      redis: 'up',
      postgres_replica_0: 'up',
      postgres_replica_1: 'degraded',
    });
    expect(body.info.postgres_replica_1!.message).toMatch(/ECONNREFUSED/);
    expect(body.error).toEqual({});
  });

  it('goes 503 while RabbitMQ is stopped and back to 200 once it is up again', async () => {
    await broker!.stop();
    const down = await eventually(ready, (r) => r.code === 503);
    expect(down.body.status).toBe('error');
    expect(Object.keys(down.body.error)).toEqual(['rabbitmq']);
    expect(down.body.error.rabbitmq).toMatchObject({ status: 'down' });
    expect(down.body.info.postgres).toMatchObject({ status: 'up' });

    await broker!.resume();
    const up = await eventually(ready, (r) => r.code === 200, 200);
    expect(up.body.status).toBe('ok');
    expect(up.body.info.rabbitmq).toMatchObject({ status: 'up' });
    expect(up.body.error).toEqual({});
  }, 120_000);

  it('stays 200 with Redis stopped, showing redis as degraded, and up again after', async () => {
    await redis!.stop();
    const degraded = await eventually(ready, (r) => r.body.details.redis?.status === 'degraded');
    expect(degraded.code).toBe(200);
    expect(degraded.body.status).toBe('ok');
    expect(degraded.body.info.redis).toMatchObject({ status: 'degraded' });
    expect(degraded.body.error).toEqual({});

    await redis!.resume();
    const up = await eventually(ready, (r) => r.body.details.redis?.status === 'up', 200);
    expect(up.code).toBe(200);
  }, 60_000);
});
