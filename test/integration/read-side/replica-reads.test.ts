import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import {
  ensureReplica,
  replicaUrlFor,
  waitForReplicaCatchUp,
  withReplayPaused,
} from '../../support/replica.js';
import { cleanup, isolatedConfig, register, startApp } from '../support/harness.js';
import { BUILTIN_TYPES } from '../support/flow-helpers.js';
import { httpJson } from '../../support/http-json.js';

/** The api role alone: runs stay where they are started, so what a read returns is exact. */
const base = isolatedConfig('replica', ['api']);
const config = { ...base, databaseUrl: base.databaseUrl!, replicaUrls: [replicaUrlFor(base.databaseUrl!)] };
let app: SagaflowApp | null = null;

beforeAll(async () => {
  await ensureReplica();
  app = await startApp(config);
  await register(app, { name: 'pair', tasks: [{ key: 'a', type: 'noop' }] });
  await waitForReplicaCatchUp(config.databaseUrl);
});

afterAll(async () => {
  await cleanup(app, config, [...BUILTIN_TYPES]);
});

const http = httpJson(() => app!.url!);

const stats = () => ({ ...app!.runtime.readSide.replicaStats! });
const ids = (page: { body: Record<string, unknown> }) =>
  (page.body.items as { id: string }[]).map((r) => r.id);

describe('reads from a lagging replica', () => {
  it('a client reads back what it just started or changed, while lists come from the replica', async () => {
    const older = await http('POST', '/v1/runs', { definition: 'pair' });
    expect(older.status).toBe(201);
    const olderId = older.body.id as string;
    await waitForReplicaCatchUp(config.databaseUrl);
    // Replicated: a list is served by the replica and includes it.
    const listed = stats();
    expect(ids(await http('GET', '/v1/runs?definition=pair'))).toContain(olderId);
    expect(stats().replicaReads).toBeGreaterThan(listed.replicaReads);

    await withReplayPaused(async () => {
      const started = await http('POST', '/v1/runs', { definition: 'pair' });
      expect(started.status).toBe(201);
      const id = started.body.id as string;

      // Read-your-writes: the replica has never heard of this run, the read goes to the primary.
      const read = await http('GET', `/v1/runs/${id}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id, status: 'RUNNING' });
      const history = await http('GET', `/v1/runs/${id}/events`);
      expect(history.status).toBe(200);
      expect((history.body.items as { type: string }[]).map((e) => e.type)).toEqual([
        'RunStarted',
        'TaskQueued',
      ]);

      // A change to a replicated run: the replica still has the older version. No worker runs
      // here, so its queued attempt never started and the cancel finishes at once.
      const cancelled = await http('POST', `/v1/runs/${olderId}/cancel`, {});
      expect(cancelled.status).toBe(202);
      const after = await http('GET', `/v1/runs/${olderId}`);
      expect(after.body.status).toBe('CANCELLED');
      const events = await http('GET', `/v1/runs/${olderId}/events`);
      expect((events.body.items as { type: string }[]).at(-1)?.type).toBe('RunCancelled');

      // The list is the replica's view: it does not know the new run yet, and says RUNNING.
      const before = stats();
      const page = await http('GET', '/v1/runs?definition=pair');
      expect(ids(page)).not.toContain(id);
      expect(
        (page.body.items as { id: string; status: string }[]).find((r) => r.id === olderId)?.status,
      ).toBe('RUNNING');
      expect(stats().replicaReads).toBe(before.replicaReads + 1);
      expect(stats().primaryReads).toBe(before.primaryReads);
    });

    await waitForReplicaCatchUp(config.databaseUrl);
    const page = await http('GET', '/v1/runs?definition=pair');
    expect(ids(page)).toHaveLength(2);
  });

  it('an unknown run is a 404 from the primary too, not a replica guess', async () => {
    const before = stats();
    const missing = await http('GET', '/v1/runs/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(stats().primaryReads).toBe(before.primaryReads + 1);
  });
});
