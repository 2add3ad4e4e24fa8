import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import { CancelRunCommand } from '../../../src/application/commands/cancel-run.js';
import { InvalidStateError } from '../../../src/domain/shared/domain-error.js';
import {
  buses,
  cleanup,
  eventually,
  getRun,
  isolatedConfig,
  register,
  startRun,
  waitForStatus,
} from '../support/harness.js';
import {
  allEvents,
  describeEvents,
  Gate,
  only,
  startAppWith,
  BUILTIN_TYPES,
} from '../support/flow-helpers.js';
import { localAdmin } from '../../../src/application/actor.js';
import { parseCancelRun } from '../../../src/application/contracts/requests/cancel-run.js';

const config = isolatedConfig('cancel');
let app: SagaflowApp | null = null;
const undoGate = new Gate();

beforeAll(async () => {
  app = await startAppWith(config, (registry) => {
    registry.register('undo-gated', async (_input, ctx) => {
      await undoGate.wait();
      return { undone: ctx.taskKey };
    });
  });
});
afterAll(async () => {
  undoGate.release();
  await cleanup(app, config, [...BUILTIN_TYPES, 'undo-gated']);
});

const cancel = async (id: string, body?: unknown) =>
  buses(app!).commands.execute<CancelRunCommand, { status: string }>(
    new CancelRunCommand(localAdmin(), id, parseCancelRun(body)),
  );

describe('cancel', () => {
  it('cancels a running delay, skips what follows and compensates what completed', async () => {
    await register(app!, {
      name: 'cancellable',
      tasks: [
        { key: 'first', type: 'noop', compensation: { type: 'undo-gated' } },
        { key: 'wait', type: 'delay', dependsOn: ['first'], input: { ms: 60000 } },
        { key: 'after', type: 'noop', dependsOn: ['wait'] },
        { key: 'after2', type: 'noop', dependsOn: ['after'] },
      ],
    });
    const id = await startRun(app!, { definition: 'cancellable' });
    await eventually(
      () => getRun(app!, id),
      (run) => run.tasks[1]!.status === 'RUNNING',
    );
    const running = await getRun(app!, id);
    expect(running.status).toBe('RUNNING');
    expect(running.tasks[0]!.status).toBe('COMPLETED');

    const cancelled = await cancel(id, { reason: 'operator said so' });
    expect(cancelled.status).toBe('CANCELLING');

    // The compensation of `first` is held by its gate: the run stays CANCELLING meanwhile.
    await eventually(
      () => getRun(app!, id),
      (run) =>
        run.tasks[0]!.compensation?.status === 'RUNNING' || run.tasks[0]!.compensation?.status === 'QUEUED',
    );
    const midway = await getRun(app!, id);
    expect(midway.status).toBe('CANCELLING');
    expect(midway.tasks.map((t) => t.status)).toEqual(['COMPENSATING', 'CANCELLED', 'SKIPPED', 'SKIPPED']);

    // Cancelling a CANCELLING run is a no-op that writes nothing.
    const eventsMidway = await allEvents(app!, id);
    expect((await cancel(id)).status).toBe('CANCELLING');
    expect(await allEvents(app!, id)).toEqual(eventsMidway);

    undoGate.release();
    const run = await waitForStatus(app!, id);
    expect(run.status).toBe('CANCELLED');
    expect(run.finishedAt).not.toBeNull();
    const [first, wait, after, after2] = run.tasks;
    expect(first).toMatchObject({
      status: 'COMPENSATED',
      compensation: { status: 'COMPLETED', attempts: 1 },
    });
    expect(wait).toMatchObject({ status: 'CANCELLED', attempts: 1 });
    expect(wait!.finishedAt).not.toBeNull();
    expect(after).toMatchObject({ status: 'SKIPPED', attempts: 0, startedAt: null });
    expect(after2).toMatchObject({ status: 'SKIPPED', attempts: 0, startedAt: null });

    const events = await allEvents(app!, id);
    const requested = only(events, 'RunCancelRequested', null);
    expect(requested.data).toMatchObject({ reason: 'operator said so' });
    expect(only(events, 'TaskCancelled', 'wait', 1).seq).toBeGreaterThan(requested.seq);
    expect(only(events, 'TaskSkipped', 'after').seq).toBeGreaterThan(requested.seq);
    expect(only(events, 'TaskSkipped', 'after2').seq).toBeGreaterThan(requested.seq);
    expect(only(events, 'CompensationQueued', 'first', 1).seq).toBeGreaterThan(requested.seq);
    expect(describeEvents(events, 'wait')).toEqual([
      'TaskQueued/wait/1',
      'TaskStarted/wait/1',
      'TaskCancelled/wait/1',
    ]);
    expect(events.some((e) => e.taskKey === 'after' && e.type !== 'TaskSkipped')).toBe(false);
    expect(events.at(-1)!.type).toBe('RunCancelled');

    // A finished run cannot be cancelled (422 over REST), and the refusal writes nothing.
    await expect(cancel(id)).rejects.toBeInstanceOf(InvalidStateError);
    expect(await allEvents(app!, id)).toEqual(events);
    expect((await getRun(app!, id)).status).toBe('CANCELLED');
  });
});
