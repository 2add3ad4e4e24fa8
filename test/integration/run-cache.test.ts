import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../src/app/create-app.js';
import type { ResultMessage } from '../../src/application/ports/messages.js';
import { cleanup, getRun, isolatedConfig, register, startApp, startRun } from './support/harness.js';

/**
 * Two orchestrators over one database, without consumers, driven by hand: the second moves a
 * run on while the first still holds the run in its cache of hot runs.
 */
const config = isolatedConfig('runcache', []);
let first: SagaflowApp | null = null;
let second: SagaflowApp | null = null;

beforeAll(async () => {
  first = await startApp(config);
  second = await startApp({ ...config, migrate: false });
});
afterAll(async () => {
  await second?.close();
  await cleanup(first, config, ['noop']);
});

const completed = (runId: string, taskKey: string, attempt: number): ResultMessage => ({
  runId,
  taskKey,
  kind: 'task',
  attempt,
  outcome: 'completed',
  output: { from: taskKey },
  startedAt: new Date().toISOString(),
  finishedAt: new Date().toISOString(),
});

describe('the orchestrator cache of hot runs', () => {
  it('does not drop a result for an attempt that another process queued', async () => {
    await register(first!, {
      name: 'cached',
      tasks: [
        { key: 'a', type: 'noop' },
        { key: 'b', type: 'noop', dependsOn: ['a'] },
      ],
    });
    // The first process starts the run, so it caches it with `a` queued and `b` pending.
    const id = await startRun(first!, { definition: 'cached' });
    // The second applies `a`'s result and queues `b`; the first's cached copy is now stale.
    await second!.runtime.orchestrator.applyResults([completed(id, 'a', 1)]);
    // `b`'s result reaches the first process: its stale copy would ignore it as unexpected.
    await first!.runtime.orchestrator.applyResults([completed(id, 'b', 1)]);
    const run = await getRun(first!, id);
    expect(run.tasks.map((t) => t.status)).toEqual(['COMPLETED', 'COMPLETED']);
    expect(run.status).toBe('COMPLETED');
  });
});
