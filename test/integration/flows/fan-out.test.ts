import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import { cleanup, isolatedConfig, register, startApp, startRun, waitForStatus } from '../support/harness.js';
import { allEvents, only, BUILTIN_TYPES } from '../support/flow-helpers.js';

const config = isolatedConfig('fanout');
let app: SagaflowApp | null = null;

beforeAll(async () => {
  app = await startApp(config);
});
afterAll(async () => {
  await cleanup(app, config, [...BUILTIN_TYPES]);
});

const WIDTH = 10;
const branches = Array.from({ length: WIDTH }, (_, i) => `p${i}`);

describe('fan-out / fan-in', () => {
  it('runs 10 branches in parallel after the root and the join only after all of them', async () => {
    await register(app!, {
      name: 'fan',
      tasks: [
        { key: 'root', type: 'echo', input: { n: '${input.n}' } },
        ...branches.map((key, i) => ({
          key,
          type: 'echo',
          dependsOn: ['root'],
          input: { branch: i, n: '${tasks.root.output.n}' },
        })),
        { key: 'join', type: 'noop', dependsOn: branches },
      ],
    });
    const id = await startRun(app!, { definition: 'fan', input: { n: 7 } });
    const run = await waitForStatus(app!, id);

    expect(run.status).toBe('COMPLETED');
    expect(run.tasks.every((t) => t.status === 'COMPLETED' && t.attempts === 1)).toBe(true);
    const byKey = new Map(run.tasks.map((t) => [t.key, t]));
    branches.forEach((key, i) => expect(byKey.get(key)!.output).toEqual({ branch: i, n: 7 }));
    // Nothing depends on the join: it is the run's default output.
    expect(run.output).toEqual({ join: {} });

    // The join started (and was queued) only after every branch had finished.
    const join = byKey.get('join')!;
    const lastBranchFinish = Math.max(...branches.map((k) => Date.parse(byKey.get(k)!.finishedAt!)));
    const rootFinish = Date.parse(byKey.get('root')!.finishedAt!);
    expect(Date.parse(join.startedAt!)).toBeGreaterThanOrEqual(lastBranchFinish);
    expect(Date.parse(join.queuedAt!)).toBeGreaterThanOrEqual(lastBranchFinish);
    for (const key of branches)
      expect(Date.parse(byKey.get(key)!.queuedAt!)).toBeGreaterThanOrEqual(rootFinish);

    const events = await allEvents(app!, id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const rootDone = only(events, 'TaskCompleted', 'root', 1).seq;
    const queued = branches.map((k) => only(events, 'TaskQueued', k, 1).seq);
    const completed = branches.map((k) => only(events, 'TaskCompleted', k, 1).seq);
    // All ten were queued together once the root completed, before any of them completed (parallel).
    for (const q of queued) expect(q).toBeGreaterThan(rootDone);
    expect(Math.max(...queued)).toBeLessThan(Math.min(...completed));
    // The join was queued after the last branch completed, exactly once.
    expect(only(events, 'TaskQueued', 'join', 1).seq).toBeGreaterThan(Math.max(...completed));
    expect(events.at(-1)!.type).toBe('RunCompleted');
  });
});
