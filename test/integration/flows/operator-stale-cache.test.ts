import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import { CancelRunCommand } from '../../../src/application/commands/cancel-run.js';
import { RetryRunCommand } from '../../../src/application/commands/retry-run.js';
import { localAdmin } from '../../../src/application/actor.js';
import { NonRetryableError } from '../../../src/domain/errors/task-errors.js';
import { buses, cleanup, isolatedConfig, register, startRun, waitForStatus } from '../support/harness.js';
import { startAppWith } from '../support/flow-helpers.js';

/**
 * An api process that started a run keeps it in its decision cache, while an orchestrator in
 * another process moves it on. An operator command sent to that api must decide on the run as
 * committed, not on the api's copy: a retry of a run that is FAILED in PostgreSQL was refused as
 * "RUNNING" (found by the CLI e2e suite), and a cancel could act on a stale status.
 */
const apiConfig = isolatedConfig('opstale', ['api']);
const engineConfig = { ...apiConfig, roles: new Set(['relay', 'orchestrator', 'worker'] as const) };
let api: SagaflowApp | null = null;
let engine: SagaflowApp | null = null;
let failures = 0;

beforeAll(async () => {
  engine = await startAppWith(engineConfig, (registry) => {
    // Fails for good the first time, succeeds once retried.
    registry.register('fail-once', async () => {
      failures += 1;
      if (failures === 1) throw new NonRetryableError('fail-once: declined');
      return { ok: true };
    });
  });
  api = await startAppWith(apiConfig);
  await register(api, {
    name: 'stale-retry',
    tasks: [{ key: 'only', type: 'fail-once', retry: { maxAttempts: 1 } }],
  });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await engine?.close();
  await cleanup(null, apiConfig, ['noop', 'echo', 'http', 'fail-once']);
}, 60_000);

describe('operator commands on a run another process moved on', () => {
  it('retries a run the api started (and cached as RUNNING) once it is FAILED', async () => {
    const id = await startRun(api!, { definition: 'stale-retry' });
    expect((await waitForStatus(engine!, id)).status).toBe('FAILED');

    const retried = await buses(api!).commands.execute<RetryRunCommand, { status: string }>(
      new RetryRunCommand(localAdmin(), id),
    );
    expect(retried.status).toBe('RUNNING');
    expect((await waitForStatus(engine!, id)).status).toBe('COMPLETED');
  });

  it('refuses to cancel a run the api cached as RUNNING once it is COMPLETED', async () => {
    const id = await startRun(api!, { definition: 'stale-retry' });
    expect((await waitForStatus(engine!, id)).status).toBe('COMPLETED');
    await expect(
      buses(api!).commands.execute(new CancelRunCommand(localAdmin(), id, { reason: null })),
    ).rejects.toThrow(/COMPLETED/);
  });
});
