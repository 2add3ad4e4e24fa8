import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import type { SagaflowApp } from '../../src/app/create-app.js';
import {
  cleanup,
  isolatedConfig,
  register,
  startApp,
  startRun,
  waitForStatus,
  eventually,
} from './support/harness.js';

/** With SAGAFLOW_INLINE_PUBLISH=false the relay is the only publisher, woken by LISTEN/NOTIFY. */
const config = { ...isolatedConfig('relay'), inlinePublish: false };
let app: SagaflowApp | null = null;

beforeAll(async () => {
  app = await startApp(config);
});
afterAll(async () => {
  await cleanup(app, config, ['noop', 'echo', 'http']);
});

const outboxRows = async () => {
  const { rows } = await sql<{ n: string }>`select count(*) as n from outbox`.execute(app!.runtime.db());
  return Number(rows[0]!.n);
};

describe('outbox relay as the only publisher', () => {
  it('publishes every message of a run and empties the outbox', async () => {
    await register(app!, {
      name: 'relayed',
      tasks: [
        { key: 'a', type: 'noop' },
        { key: 'b', type: 'noop', dependsOn: ['a'] },
        { key: 'c', type: 'noop', dependsOn: ['b'] },
      ],
    });
    const ids = await Promise.all(
      Array.from({ length: 20 }, () => startRun(app!, { definition: 'relayed' })),
    );
    for (const id of ids) expect((await waitForStatus(app!, id)).status).toBe('COMPLETED');
    expect(await eventually(outboxRows, (n) => n === 0)).toBe(0);
  });

  it('sends rows a crashed committer left behind', async () => {
    // A row written by a process that died before publishing: the relay must send it.
    const id = await startRun(app!, { definition: 'relayed' });
    await waitForStatus(app!, id);
    const db = app!.runtime.db();
    await sql`insert into outbox (exchange, routing_key, message_id, meta, body, priority)
      values (${`${config.amqpPrefix}.tasks`}, 'noop', 'orphan', '{}'::jsonb, '{"orphan":true}'::jsonb, null)`.execute(
      db,
    );
    expect(await eventually(outboxRows, (n) => n === 0)).toBe(0);
  });
});
