import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import type { FeedItem } from '../../../src/application/ports/run-event-feed.js';
import { PrivateRedis } from '../../support/private-redis.js';
import { cleanup, eventually, events, isolatedConfig, register, startApp } from '../support/harness.js';
import { BUILTIN_TYPES } from '../support/flow-helpers.js';
import { httpJson } from '../../support/http-json.js';

/** This file stops and starts Redis, so it runs its own instead of the shared one. */
let redis: PrivateRedis;
let app: SagaflowApp | null = null;
let config: ReturnType<typeof isolatedConfig>;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  config = {
    ...isolatedConfig('viewcache', ['api', 'relay', 'orchestrator', 'worker']),
    redisUrl: redis.url,
    livePollMs: 100,
  };
  app = await startApp(config);
  await register(app, {
    name: 'slow',
    tasks: [
      { key: 'first', type: 'noop' },
      { key: 'wait', type: 'delay', dependsOn: ['first'], input: { ms: 600_000 } },
    ],
  });
  await register(app, {
    name: 'quick',
    tasks: [
      { key: 'a', type: 'noop' },
      { key: 'b', type: 'echo', dependsOn: ['a'], input: { n: 1 } },
    ],
  });
});

afterAll(async () => {
  try {
    await redis.resume();
    await cleanup(app, config, [...BUILTIN_TYPES]);
  } finally {
    await redis.stop();
  }
});

const stats = () => ({ ...app!.runtime.readSide.cache.stats });

const http = httpJson(() => app!.url!);

async function start(definition: string): Promise<string> {
  const { status, body } = await http('POST', '/v1/runs', { definition });
  expect(status).toBe(201);
  return body.id as string;
}

const getRun = (id: string) => http('GET', `/v1/runs/${id}`);

describe('run view cache in Redis', () => {
  it('serves the second GET from Redis, and a change invalidates it', async () => {
    const id = await start('slow');
    await eventually(
      () => getRun(id),
      (r) => (r.body.tasks as { status: string }[])[1]!.status === 'RUNNING',
    );

    const before = stats();
    const first = await getRun(id);
    const second = await getRun(id);
    expect(second).toEqual(first);
    const after = stats();
    expect(after.hits - before.hits).toBeGreaterThanOrEqual(1);
    // The first GET may hit too (a poll above stored the same version), the second must.
    expect(after.misses - before.misses + (after.hits - before.hits)).toBe(2);

    const cancelled = await http('POST', `/v1/runs/${id}/cancel`, {});
    expect(cancelled.status).toBe(202);
    const missesBefore = stats().misses;
    const read = await getRun(id);
    expect(['CANCELLING', 'CANCELLED']).toContain(read.body.status);
    expect(stats().misses).toBe(missesBefore + 1);
    const done = await eventually(
      () => getRun(id),
      (r) => r.body.status === 'CANCELLED',
    );
    expect(done.body.tasks).toEqual([
      expect.objectContaining({ key: 'first', status: 'COMPLETED' }),
      expect.objectContaining({ key: 'wait', status: 'CANCELLED' }),
    ]);
  });

  it('with Redis stopped, reads answer from PostgreSQL and runs go on; live watchers miss nothing', async () => {
    const cachedId = await start('quick');
    const done = await eventually(
      () => getRun(cachedId),
      (r) => r.body.status === 'COMPLETED',
    );
    await getRun(cachedId); // now cached

    const feed = app!.runtime.readSide.feed;
    const watched = await start('slow');
    const seen: FeedItem[] = [];
    const subscription = await feed.subscribeRun('default', watched, 0, { next: (item) => seen.push(item) });

    await redis.stop();
    try {
      const unavailableBefore = stats().unavailable;
      expect(await getRun(cachedId)).toEqual(done);
      expect(stats().unavailable).toBeGreaterThan(unavailableBefore);

      // Writes do not depend on Redis: a new run starts, completes and reads back at once.
      const fresh = await start('quick');
      const completed = await eventually(
        () => getRun(fresh),
        (r) => r.body.status === 'COMPLETED',
      );
      expect(completed.body.tasks).toHaveLength(2);

      const cancel = await http('POST', `/v1/runs/${watched}/cancel`, { reason: 'redis is down' });
      expect(cancel.status).toBe(202);
      expect((await getRun(watched)).body.status).not.toBe('RUNNING');
    } finally {
      await redis.resume();
    }

    // Live batches published while Redis was down were lost; the feed repaired them from history.
    const stored = await events(app!, watched);
    await eventually(
      async () => seen.length,
      (n) => n >= stored.length && stored.at(-1)?.type === 'RunCancelled',
    );
    const all = await events(app!, watched);
    expect(seen.map((i) => i.event.seq)).toEqual(all.map((e) => e.seq));
    expect(seen.map((i) => i.event.type)).toEqual(all.map((e) => e.type));
    subscription.unsubscribe();

    // Once Redis answers again the cache is used again.
    await eventually(
      async () => {
        const hits = stats().hits;
        await getRun(cachedId);
        return stats().hits > hits;
      },
      (hit) => hit,
      100,
    );
  });
});
