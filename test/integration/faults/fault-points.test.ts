import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import { InjectedFault } from '../../../src/application/ports/faults.js';
import type { AppConfig } from '../../../src/infrastructure/config/app-config.js';
import { parseFaultPlan, PlannedFaults } from '../../../src/infrastructure/faults/fault-plan.js';
import { cleanup, isolatedConfig, register, startRun, waitForStatus } from '../support/harness.js';
import { allEvents, only, startAppWith, BUILTIN_TYPES } from '../support/flow-helpers.js';

/**
 * Each fault point of docs/failure-modes.md#fault-hooks, armed to fail once where a crash is
 * worst: the run still ends COMPLETED, every task completes exactly once in its history, no
 * run is duplicated, and a side effect repeated by a redelivery keeps its idempotency key.
 */
const TASKS = ['a', 'b', 'c'];
let app: SagaflowApp | null = null;
let config: Partial<AppConfig> = {};
/** Every execution of the `effect` handler: task key, attempt and idempotency key. */
let effects: { taskKey: string; attempt: number; key: string }[] = [];

async function boot(label: string, faults: string, extra: Partial<AppConfig> = {}): Promise<SagaflowApp> {
  config = { ...isolatedConfig(label), ...extra, faults: parseFaultPlan(faults) };
  effects = [];
  app = await startAppWith(config, (registry) => {
    registry.register('effect', async (_input, ctx) => {
      effects.push({ taskKey: ctx.taskKey, attempt: ctx.attempt, key: ctx.idempotencyKey });
      return { done: ctx.taskKey };
    });
  });
  await register(app, {
    name: 'chain',
    tasks: TASKS.map((key, n) => ({ key, type: 'effect', dependsOn: n === 0 ? [] : [TASKS[n - 1]!] })),
  });
  return app;
}

afterEach(async () => {
  await cleanup(app, config, [...BUILTIN_TYPES, 'effect']);
  app = null;
});

const fired = (point: Parameters<PlannedFaults['at']>[0]) =>
  (app!.runtime.faults as PlannedFaults).fired.get(point);

/** The run ended COMPLETED with each task completed once; returns its events. */
async function completedOnce(runId: string) {
  expect((await waitForStatus(app!, runId)).status).toBe('COMPLETED');
  const events = await allEvents(app!, runId);
  for (const key of TASKS) only(events, 'TaskCompleted', key);
  only(events, 'RunCompleted', null);
  expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
  // However often a task ran, it ran under one idempotency key.
  for (const key of TASKS) {
    expect(new Set(effects.filter((e) => e.taskKey === key).map((e) => e.key)).size).toBe(1);
  }
  return events;
}

async function runRows(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from runs`.execute(app!.runtime.db());
  return rows[0]!.n;
}

describe('fault points', () => {
  it('worker.after-side-effect-before-report: the task is redelivered, runs again with its key, completes once', async () => {
    await boot('fault-worker', 'worker.after-side-effect-before-report=throw');
    const runId = await startRun(app!, { definition: 'chain' });
    await completedOnce(runId);
    expect(fired('worker.after-side-effect-before-report')).toBe(1);
    const first = effects.filter((e) => e.taskKey === 'a');
    expect(first).toHaveLength(2);
    expect(first[0]!.attempt).toBe(first[1]!.attempt);
  });

  it('orchestrator.after-apply-before-ack: the applied batch comes back and is applied no second time', async () => {
    await boot('fault-orch', 'orchestrator.after-apply-before-ack=throw*2');
    const runId = await startRun(app!, { definition: 'chain' });
    await completedOnce(runId);
    expect(fired('orchestrator.after-apply-before-ack')).toBe(2);
    // Results were redelivered, not tasks: each handler ran once.
    expect(effects.map((e) => e.taskKey)).toEqual(TASKS);
  });

  it('relay.after-publish-before-mark: published rows are published again, and the duplicates change nothing', async () => {
    // The relay publishes everything (no inline publishing), and the first claim fails after its confirm.
    await boot('fault-relay', 'relay.after-publish-before-mark=throw', { inlinePublish: false });
    const runId = await startRun(app!, { definition: 'chain' });
    await completedOnce(runId);
    expect(fired('relay.after-publish-before-mark')).toBe(1);
  });

  it('persistence.after-commit: a start that committed but timed out is answered by its retry, once', async () => {
    await boot('fault-store', 'persistence.after-commit=timeout(50)');
    const body = { definition: 'chain', idempotencyKey: `k-${randomUUID()}` };
    await expect(startRun(app!, body)).rejects.toBeInstanceOf(InjectedFault);
    const runId = await startRun(app!, body);
    expect(await startRun(app!, body)).toBe(runId);
    expect(await runRows()).toBe(1);
    await completedOnce(runId);
  });

  it('persistence.after-commit: a result write that committed but failed is not applied twice', async () => {
    // The start succeeds; the first result write commits and then fails.
    await boot('fault-store-apply', 'persistence.after-commit=throw@1');
    const runId = await startRun(app!, { definition: 'chain' });
    await completedOnce(runId);
    expect(fired('persistence.after-commit')).toBe(1);
  });

  it('api.after-commit-before-ack: a start whose answer was lost is answered by its retry, once', async () => {
    await boot('fault-api', 'api.after-commit-before-ack=throw', {
      roles: new Set(['api', 'relay', 'orchestrator', 'worker']),
    });
    const start = () =>
      fetch(`${app!.url}/v1/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `k-${runKey}` },
        body: JSON.stringify({ definition: 'chain' }),
      });
    const runKey = randomUUID();
    expect((await start()).status).toBe(500);
    const retried = await start();
    expect(retried.status).toBe(200);
    const { id } = (await retried.json()) as { id: string };
    expect(await runRows()).toBe(1);
    await completedOnce(id);
  });
});
