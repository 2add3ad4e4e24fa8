import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../../src/infrastructure/config/app-config.js';
import {
  cleanup,
  deleteRedisKeys,
  dropDatabase,
  eventually,
  isolatedConfig,
} from '../integration/support/harness.js';
import { httpJson } from '../support/http-json.js';
import { PrivateRabbitMq } from '../support/private-rabbitmq.js';
import {
  childEnv,
  ensureBuilt,
  killAll,
  LISTENING_LINE,
  MAIN,
  SagaflowChild,
  type ChildSpec,
} from './support/processes.js';

/**
 * Startup with a dependency down (docs/architecture.md, "Startup order"): the api's port opens
 * before PostgreSQL and RabbitMQ are connected, so `/health/live` answers 200 at once and
 * `/health/ready` 503 naming the dependency and the variable to fix; once the dependency is up the
 * process becomes ready and works. A malformed DATABASE_URL stops the process with one line.
 * The RabbitMQ node here is this file's own (never the shared one); every child is killed and the
 * node removed in afterAll, whatever happened.
 */
const ROLES = ['api', 'relay', 'orchestrator', 'worker'] as const;
const children: SagaflowChild[] = [];
/** What afterAll removes: databases, topology and Redis keys the children made. */
const leftovers: Array<() => Promise<void>> = [];
let broker: PrivateRabbitMq | null = null;

interface Indicator {
  status: string;
  message?: string;
}
interface Report {
  status: string;
  info: Record<string, Indicator>;
  error: Record<string, Indicator>;
}

beforeAll(() => ensureBuilt());
afterAll(async () => {
  try {
    await killAll(children);
  } finally {
    await broker?.remove();
    for (const remove of leftovers) await remove();
  }
}, 120_000);

function spec(name: string, config: Partial<AppConfig>, env: Record<string, string> = {}): ChildSpec {
  return { name, roles: [...ROLES], config, instanceId: name, env, waitFor: LISTENING_LINE };
}

/** Starts a child and resolves with its URL once its port is open (not once it is ready). */
async function startListening(childSpec: ChildSpec): Promise<{ child: SagaflowChild; url: string }> {
  const child = await SagaflowChild.start(childSpec, children);
  const url = LISTENING_LINE.exec(child.tail)?.[1];
  if (url === undefined) throw new Error(`no listening line in:\n${child.tail}`);
  return { child, url };
}

async function health(url: string, probe: 'live' | 'ready'): Promise<{ code: number; body: Report }> {
  const response = await fetch(`${url}/health/${probe}`);
  return { code: response.status, body: (await response.json()) as Report };
}

describe('startup with RabbitMQ down', () => {
  it('is live and not ready, naming AMQP_URL, until the broker starts; then ready and runs work', async () => {
    broker = await PrivateRabbitMq.start();
    // Stopped before the app starts: the app's first connection attempts are refused.
    await broker.stop();
    const config = { ...isolatedConfig('degraded_amqp'), amqpUrl: broker.url };
    // The topology lives on the private node, which afterAll removes.
    leftovers.push(async () => {
      await dropDatabase(config.databaseUrl!);
      await deleteRedisKeys('redis://127.0.0.1:6379', config.redisPrefix!);
    });
    const { child, url } = await startListening(spec('degraded-amqp', config));

    expect(await health(url, 'live')).toEqual({
      code: 200,
      body: { status: 'ok', info: {}, error: {}, details: {} },
    });
    // PostgreSQL is up: once it is migrated only the broker is missing.
    const down = await eventually(
      () => health(url, 'ready'),
      (r) => r.body.info.postgres?.status === 'up',
      100,
    );
    expect(down.code).toBe(503);
    expect(down.body.status).toBe('error');
    expect(Object.keys(down.body.error)).toEqual(['rabbitmq']);
    expect(down.body.error.rabbitmq).toEqual(
      expect.objectContaining({
        status: 'down',
        message: `RabbitMQ at amqp://127.0.0.1:${broker.port} unreachable (AMQP_URL): ECONNREFUSED`,
      }),
    );
    // The same words are in the log, so whoever reads it knows which variable to fix.
    expect(child.tail).toContain(`RabbitMQ at amqp://127.0.0.1:${broker.port} unreachable (AMQP_URL)`);
    expect(child.tail).not.toContain('guest:guest');

    await broker.resume();
    const up = await eventually(
      () => health(url, 'ready'),
      (r) => r.code === 200,
      200,
    );
    expect(up.body).toMatchObject({ status: 'ok', error: {} });
    expect(up.body.info.rabbitmq).toMatchObject({ status: 'up' });

    const http = httpJson(() => url);
    const name = `degraded-${Date.now().toString(36)}`;
    expect(
      (await http('POST', '/v1/definitions', { name, tasks: [{ key: 'a', type: 'noop' }] })).status,
    ).toBe(201);
    const started = await http('POST', '/v1/runs', { definition: name, input: {} });
    expect(started.status).toBe(201);
    const run = await eventually(
      () => http('GET', `/v1/runs/${String(started.body.id)}`),
      (r) => r.body.status === 'COMPLETED' || r.body.status === 'FAILED',
      100,
    );
    expect(run.body.status).toBe('COMPLETED');
    expect(child.alive).toBe(true);
  }, 180_000);
});

describe('startup with PostgreSQL down', () => {
  it('is live and not ready, naming DATABASE_URL, and stops on SIGTERM while still retrying', async () => {
    const config = isolatedConfig('degraded_pg');
    // The broker is the shared one: its topology under this prefix is deleted afterwards.
    leftovers.push(() => cleanup(null, config, []));
    // Nobody listens on loopback port 47.
    const unreachable = 'postgres://postgres@127.0.0.1:47/sagaflow';
    const { child, url } = await startListening(spec('degraded-pg', config, { DATABASE_URL: unreachable }));

    expect((await health(url, 'live')).code).toBe(200);
    const down = await eventually(
      () => health(url, 'ready'),
      (r) => r.body.error.postgres?.message?.includes('ECONNREFUSED') === true,
      100,
    );
    expect(down.code).toBe(503);
    expect(down.body.status).toBe('error');
    expect(down.body.error.postgres).toEqual({
      status: 'down',
      message: 'PostgreSQL at postgres://127.0.0.1:47/sagaflow unreachable (DATABASE_URL): ECONNREFUSED',
      responseTime: expect.any(Number),
    });
    await eventually(
      async () => child.tail,
      (tail) => tail.includes('PostgreSQL at postgres://127.0.0.1:47/sagaflow unreachable (DATABASE_URL)'),
    );

    await child.stop(30_000);
    const exit = await child.exited;
    expect(exit.signal).not.toBe('SIGKILL');
    expect(child.tail).not.toMatch(/^\s+at /m);
  }, 60_000);
});

describe('a malformed DATABASE_URL', () => {
  it.each([
    ['not a URL', 'postgres://postgres@127.0.0.1:notaport/sagaflow'],
    ['another scheme', 'mysql://root@127.0.0.1:3306/sagaflow'],
  ])(
    '(%s) exits non-zero at once with one line naming the variable, no stack trace',
    async (_, bad) => {
      // Nothing is created: the process stops before it connects to anything.
      const env = childEnv(spec('bad-url', isolatedConfig('bad_url'), { DATABASE_URL: bad }));
      const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      const lines = stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^sagaflow: DATABASE_URL: /);
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(stdout).toBe('');
    },
    60_000,
  );
});
