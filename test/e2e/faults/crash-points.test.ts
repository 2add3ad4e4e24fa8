/**
 * Fault points armed to `crash` in real child processes (docs/failure-modes.md#fault-hooks): the
 * process dies by SIGKILL exactly where a crash hurts most, a fresh process on the same
 * installation takes over, and the run still ends as designed with every result applied once.
 * The in-process variants (throw, timeout) are test/integration/faults/fault-points.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import type { AppConfig, Role } from '../../../src/infrastructure/config/app-config.js';
import { cleanup, eventually, isolatedConfig } from '../../integration/support/harness.js';
import { freePort } from '../../support/free-port.js';
import {
  ensureBuilt,
  FIXTURES,
  killAll,
  openDb,
  readExecutions,
  SagaflowChild,
  type ChildSpec,
} from '../support/processes.js';
import { eventViolations, getRun, registerDefinition, runEvents, startRun } from '../support/run-checks.js';

const TASK_TYPES = ['noop', 'echo', 'http', 'slow'];
const children: SagaflowChild[] = [];
let config: Partial<AppConfig> = {};
let app: SagaflowApp | null = null;
let db: pg.Client | null = null;
let executionLog = '';

/** A chain a → b → c of the fixture's `slow` handler, which logs every execution. */
const chain = (name: string) => ({
  name,
  tasks: ['a', 'b', 'c'].map((key, n) => ({
    key,
    type: 'slow',
    dependsOn: n === 0 ? [] : [['a', 'b'][n - 1]!],
    input: { mode: 'ok' },
  })),
});

function spec(
  name: string,
  roles: Role[],
  faults: string | null,
  env: Record<string, string> = {},
): ChildSpec {
  return {
    name,
    roles,
    config,
    instanceId: name,
    handlers: [join(FIXTURES, 'slow-handlers.mjs')],
    env: { SAGAFLOW_E2E_LOG: executionLog, ...(faults ? { SAGAFLOW_FAULTS: faults } : {}), ...env },
  };
}

async function install(label: string, extra: Partial<AppConfig> = {}): Promise<void> {
  config = { ...isolatedConfig(label), ...extra };
  executionLog = join(tmpdir(), `${config.amqpPrefix}.executions.log`);
  // The test's own process: no roles, just the buses and the migration.
  app = await createApp({ ...config, roles: new Set([]) });
  db = await openDb(config);
}

beforeAll(() => ensureBuilt());

afterEach(async () => {
  await killAll(children);
  children.length = 0;
  await db?.end().catch(() => undefined);
  await cleanup(app, config, TASK_TYPES);
  rmSync(executionLog, { force: true });
  app = null;
  db = null;
}, 60_000);

afterAll(async () => {
  await killAll(children);
});

/** The run ended COMPLETED, each task completed once, and its events obey rules 4 and 5. */
async function completedOnce(runId: string): Promise<void> {
  await eventually(
    async () => (await getRun(app!, runId)).status,
    (status) => status === 'COMPLETED',
    200,
  );
  const events = await runEvents(app!, runId);
  expect(eventViolations(runId, events)).toEqual([]);
  for (const key of ['a', 'b', 'c']) {
    expect(events.filter((e) => e.type === 'TaskCompleted' && e.taskKey === key)).toHaveLength(1);
  }
}

const executionsOf = (runId: string, taskKey: string) =>
  readExecutions(executionLog).filter((x) => x.runId === runId && x.taskKey === taskKey);

describe('a fault point armed to crash', () => {
  it('worker.after-side-effect-before-report: the task runs again with the same attempt, its result is applied once', async () => {
    await install('e2e_crash_worker');
    await registerDefinition(app!, chain('crash-worker'));
    const roles: Role[] = ['relay', 'orchestrator', 'worker'];
    const first = await SagaflowChild.start(
      spec('crash-worker-1', roles, 'worker.after-side-effect-before-report=crash'),
      children,
    );
    const runId = await startRun(app!, { definition: 'crash-worker' });
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // It died after a's side effect, before reporting it.
    expect(executionsOf(runId, 'a')).toHaveLength(1);
    await SagaflowChild.start(spec('crash-worker-2', roles, null), children);
    await completedOnce(runId);
    const a = executionsOf(runId, 'a');
    expect(a.map((x) => x.attempt)).toEqual([1, 1]);
    expect(new Set(a.map((x) => x.pid)).size).toBe(2);
  }, 120_000);

  it('orchestrator.after-apply-before-ack: the redelivered result is recognised and skipped', async () => {
    await install('e2e_crash_orch');
    await registerDefinition(app!, chain('crash-orchestrator'));
    const worker = await SagaflowChild.start(spec('crash-orch-worker', ['relay', 'worker'], null), children);
    const first = await SagaflowChild.start(
      spec('crash-orch-1', ['orchestrator'], 'orchestrator.after-apply-before-ack=crash'),
      children,
    );
    const runId = await startRun(app!, { definition: 'crash-orchestrator' });
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await SagaflowChild.start(spec('crash-orch-2', ['orchestrator'], null), children);
    await completedOnce(runId);
    // The worker ran each task once: only the orchestrator crashed.
    for (const key of ['a', 'b', 'c']) expect(executionsOf(runId, key)).toHaveLength(1);
    expect(worker.alive).toBe(true);
  }, 120_000);

  it('relay.after-publish-before-mark: the rows are published again and the duplicates change nothing', async () => {
    // Without inline publishing every message goes through a relay.
    await install('e2e_crash_relay', { inlinePublish: false });
    await registerDefinition(app!, chain('crash-relay'));
    const roles: Role[] = ['relay', 'orchestrator', 'worker'];
    const first = await SagaflowChild.start(
      spec('crash-relay-1', roles, 'relay.after-publish-before-mark=crash'),
      children,
    );
    const runId = await startRun(app!, { definition: 'crash-relay' });
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await SagaflowChild.start(spec('crash-relay-2', roles, null), children);
    await completedOnce(runId);
    const { rows } = await db!.query<{ n: string }>('select count(*) as n from outbox');
    expect(Number(rows[0]!.n)).toBe(0);
  }, 120_000);

  it('api.after-commit-before-ack: the client hears nothing, retries with its key and gets the same run', async () => {
    await install('e2e_crash_api');
    await registerDefinition(app!, chain('crash-api'));
    const port = String(await freePort());
    const roles: Role[] = ['api', 'relay', 'orchestrator', 'worker'];
    const first = await SagaflowChild.start(
      spec('crash-api-1', roles, 'api.after-commit-before-ack=crash', { PORT: port }),
      children,
    );
    const start = () =>
      fetch(`http://127.0.0.1:${port}/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'crash-api-1' },
        body: JSON.stringify({ definition: 'crash-api' }),
      });
    await expect(start()).rejects.toThrow();
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // The start had committed before the crash.
    const { rows } = await db!.query<{ id: string }>('select id from runs');
    expect(rows).toHaveLength(1);
    await SagaflowChild.start(spec('crash-api-2', roles, null, { PORT: port }), children);
    const replay = await start();
    expect(replay.status).toBe(200);
    const body = (await replay.json()) as { id: string };
    expect(body.id).toBe(rows[0]!.id);
    await completedOnce(body.id);
  }, 120_000);
});
