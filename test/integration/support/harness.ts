import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { deleteTopology } from './amqp.js';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import type { AppConfig, Role } from '../../../src/infrastructure/config/app-config.js';
import { RegisterDefinitionCommand } from '../../../src/application/commands/register-definition.js';
import { StartRunCommand } from '../../../src/application/commands/start-run.js';
import { GetRunEventsQuery, GetRunQuery } from '../../../src/application/queries/run-queries.js';
import type { RunView } from '../../../src/application/queries/run-view.js';
import { localAdmin } from '../../../src/application/actor.js';
import { parseRegisterDefinition } from '../../../src/application/contracts/requests/definition-body.js';
import { parseStartRun } from '../../../src/application/contracts/requests/start-run.js';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database and AMQP/Redis prefixes of this test file alone. */
export function isolatedConfig(
  label: string,
  roles: Role[] = ['relay', 'orchestrator', 'worker'],
): Partial<AppConfig> {
  const id = `${label}_${process.env.JEST_WORKER_ID ?? '0'}_${randomUUID().slice(0, 8)}`;
  return {
    port: 0,
    roles: new Set(roles),
    databaseUrl: `postgres://postgres@127.0.0.1:5432/sftest_${id}`,
    amqpPrefix: `sftest_${id}`,
    redisPrefix: `sftest:${id}:`,
    shardCount: 4,
    migrate: true,
    inlinePublish: true,
    // http tasks in tests call loopback (CLOSED_URL, local servers), which the default denies.
    httpAllow: ['127.0.0.1'],
    // Quiet tests: failed attempts (warn) are what many tests are about; errors still show.
    logLevel: 'error',
    // Rate limits are tested where they are the subject (test/e2e/auth/rate-limit.test.ts).
    rateLimit: null,
  };
}

export async function startApp(config: Partial<AppConfig>): Promise<SagaflowApp> {
  return createApp(config);
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

export async function cleanup(
  app: SagaflowApp | null,
  config: Partial<AppConfig>,
  taskTypes: string[],
): Promise<void> {
  await app?.close();
  const amqp = await import('amqplib');
  const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  try {
    await deleteTopology(
      await connection.createChannel(),
      config.amqpPrefix!,
      taskTypes,
      config.shardCount ?? 8,
    );
  } finally {
    await connection.close();
  }
  await dropDatabase(config.databaseUrl!);
  await deleteRedisKeys(config.redisUrl ?? 'redis://127.0.0.1:6379', config.redisPrefix!);
}

/** Deletes every key under this test's Redis prefix. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // A test's private Redis may be gone already; nothing of it is left to delete then.
  } finally {
    redis.disconnect();
  }
}

export function buses(app: SagaflowApp) {
  return { commands: app.app.get(CommandBus), queries: app.app.get(QueryBus) };
}

export async function register(app: SagaflowApp, definition: unknown): Promise<unknown> {
  return buses(app).commands.execute<RegisterDefinitionCommand, unknown>(
    new RegisterDefinitionCommand(localAdmin(), parseRegisterDefinition(definition)),
  );
}

export async function startRun(app: SagaflowApp, body: unknown): Promise<string> {
  const { run } = await buses(app).commands.execute<StartRunCommand, { run: { id: string } }>(
    new StartRunCommand(localAdmin(), parseStartRun(body)),
  );
  return run.id;
}

export async function getRun(app: SagaflowApp, id: string): Promise<RunView> {
  return buses(app).queries.execute(new GetRunQuery(localAdmin(), id));
}

export async function events(app: SagaflowApp, id: string) {
  const page = await buses(app).queries.execute<
    GetRunEventsQuery,
    { items: { seq: number; type: string; taskKey: string | null; attempt: number | null }[] }
  >(new GetRunEventsQuery(localAdmin(), id, { after: 0, limit: 1000 }));
  return page.items;
}

/** Polls until the predicate holds (no timing assertion: the jest timeout is the only bound). */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  intervalMs = 50,
): Promise<T> {
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const TERMINAL = new Set(['COMPLETED', 'COMPENSATED', 'FAILED', 'CANCELLED', 'COMPENSATION_FAILED']);

export async function waitForStatus(
  app: SagaflowApp,
  id: string,
  statuses: string[] = [...TERMINAL],
): Promise<RunView> {
  return eventually(
    () => getRun(app, id),
    (run) => statuses.includes(run.status),
  );
}
