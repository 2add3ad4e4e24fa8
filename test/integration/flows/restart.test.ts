import { afterAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import {
  cleanup,
  getRun,
  isolatedConfig,
  register,
  startApp,
  startRun,
  waitForStatus,
} from '../support/harness.js';
import { allEvents, describeEvents, BUILTIN_TYPES } from '../support/flow-helpers.js';

const config = isolatedConfig('restart');
let app: SagaflowApp | null = null;

afterAll(async () => {
  await cleanup(app, config, [...BUILTIN_TYPES]);
});

const DELAY_MS = 1500;

describe('durable delay', () => {
  it('completes a delay whose timer was set by a process that has since stopped', async () => {
    app = await startApp(config);
    await register(app, {
      name: 'nap',
      tasks: [
        { key: 'nap', type: 'delay', input: { ms: DELAY_MS } },
        { key: 'after', type: 'noop', dependsOn: ['nap'] },
      ],
    });
    const id = await startRun(app, { definition: 'nap' });
    const first = app;
    app = null;
    await first.close();
    const firstClosedAt = Date.now();

    // A new process on the same database and broker prefix.
    app = await startApp(config);
    const resumed = await getRun(app, id);
    const nap = resumed.tasks[0]!;
    // The timer was set by the first process when the run started (startedAt = then).
    expect(nap.startedAt).not.toBeNull();

    const run = await waitForStatus(app, id);
    expect(run.status).toBe('COMPLETED');
    const [done, after] = run.tasks;
    expect(done).toMatchObject({ status: 'COMPLETED', attempts: 1, output: {} });
    expect(done!.startedAt).toBe(nap.startedAt);
    expect(Date.parse(done!.finishedAt!) - Date.parse(done!.startedAt!)).toBeGreaterThanOrEqual(DELAY_MS);
    expect(after!.status).toBe('COMPLETED');
    expect(Date.parse(after!.queuedAt!)).toBeGreaterThanOrEqual(Date.parse(done!.finishedAt!));

    const events = await allEvents(app, id);
    expect(describeEvents(events)).toEqual([
      'RunStarted/-/-',
      'TaskQueued/nap/1',
      'TaskStarted/nap/1',
      'TaskCompleted/nap/1',
      'TaskQueued/after/1',
      'TaskStarted/after/1',
      'TaskCompleted/after/1',
      'RunCompleted/-/-',
    ]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    // The delay's timer fired in the second process: its completion committed after the first had closed.
    expect(Date.parse(events[3]!.at)).toBeGreaterThanOrEqual(firstClosedAt);
  });
});
