import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import type { Committed } from '../../../src/application/engine/run-orchestrator.js';
import { RunMetrics } from '../../../src/infrastructure/metrics/run-metrics.js';
import { at, definitionOf, permanent, RunDriver, retryable } from '../domain/support/builders.js';

type Labels = Record<string, string>;

/** The value of one series (a counter, or a histogram's `_count` / `_sum`), 0 when absent. */
async function value(registry: Registry, name: string, labels: Labels = {}): Promise<number> {
  const [metric, suffix] = name.endsWith('_count')
    ? [name.slice(0, -6), '_count']
    : name.endsWith('_sum')
      ? [name.slice(0, -4), '_sum']
      : [name, ''];
  const json = (await registry.getMetricsAsJSON()).find((m) => m.name === metric);
  const sample = json?.values.find(
    (v) =>
      (suffix === '' || (v as { metricName?: string }).metricName === `${metric}${suffix}`) &&
      Object.entries(labels).every(([k, l]) => v.labels[k] === l) &&
      Object.keys(v.labels).filter((k) => k !== 'le').length === Object.keys(labels).length,
  );
  return sample?.value ?? 0;
}

/** Hands the driver's last decision to the metrics as the orchestrator would after commit. */
function commit(metrics: RunMetrics, driver: RunDriver): void {
  const committed: Committed = {
    writes: [
      {
        snapshot: driver.snapshot(),
        expectedVersion: 0,
        changes: { ...driver.last, changedTasks: [] },
      },
    ],
    outbox: [],
    definitions: new Map([[driver.snapshot().id, driver.run.definition]]),
  };
  metrics.committed(committed);
}

const order = definitionOf({
  name: 'order',
  tasks: [
    { key: 'reserve', type: 'echo', compensation: { type: 'echo' } },
    { key: 'charge', type: 'pay', dependsOn: ['reserve'], retry: { maxAttempts: 2, initialIntervalMs: 10 } },
    { key: 'ship', type: 'noop', dependsOn: ['charge'], compensation: { type: 'noop' } },
  ],
});

describe('RunMetrics', () => {
  it('counts a saga with a retry and a compensation: runs, attempts by outcome, durations', async () => {
    const registry = new Registry();
    const metrics = new RunMetrics(registry);
    const run = RunDriver.start(order);
    commit(metrics, run);
    expect(await value(registry, 'sagaflow_runs_started_total', { definition: 'order' })).toBe(1);

    // reserve: queued at 0 ms, received by the worker at 10 ms, finished at 60 ms.
    run.deliver({
      taskKey: 'reserve',
      kind: 'task',
      attempt: 1,
      outcome: 'completed',
      output: {},
      startedAt: at(10),
      finishedAt: at(60),
    });
    commit(metrics, run);
    run.fail('charge', retryable());
    commit(metrics, run);
    run.fireNextTimer();
    commit(metrics, run);
    run.fail('charge', permanent());
    commit(metrics, run);
    run.compensated('reserve');
    commit(metrics, run);
    expect(run.status).toBe('COMPENSATED');

    const attempts = (type: string, kind: string, outcome: string) =>
      value(registry, 'sagaflow_task_attempts_total', { type, kind, outcome });
    expect(await attempts('echo', 'task', 'completed')).toBe(1);
    expect(await attempts('pay', 'task', 'retried')).toBe(1);
    expect(await attempts('pay', 'task', 'failed')).toBe(1);
    expect(await attempts('echo', 'compensation', 'completed')).toBe(1);
    expect(await attempts('noop', 'task', 'completed')).toBe(0);
    expect(
      await value(registry, 'sagaflow_runs_finished_total', { definition: 'order', status: 'COMPENSATED' }),
    ).toBe(1);

    const echoTask = { type: 'echo', kind: 'task' };
    expect(await value(registry, 'sagaflow_task_duration_seconds_count', echoTask)).toBe(1);
    expect(await value(registry, 'sagaflow_task_duration_seconds_sum', echoTask)).toBeCloseTo(0.05);
    expect(await value(registry, 'sagaflow_task_ready_to_start_seconds_count', echoTask)).toBe(1);
    expect(await value(registry, 'sagaflow_task_ready_to_start_seconds_sum', echoTask)).toBeCloseTo(0.01);
    const payTask = { type: 'pay', kind: 'task' };
    expect(await value(registry, 'sagaflow_task_duration_seconds_count', payTask)).toBe(2);
    expect(await value(registry, 'sagaflow_task_ready_to_start_seconds_count', payTask)).toBe(2);
    const echoCompensation = { type: 'echo', kind: 'compensation' };
    expect(await value(registry, 'sagaflow_task_duration_seconds_count', echoCompensation)).toBe(1);
  });

  it('does not measure a wait for `delay`, which no worker receives', async () => {
    const registry = new Registry();
    const metrics = new RunMetrics(registry);
    const run = RunDriver.start(definitionOf({ tasks: [{ key: 'wait', type: 'delay', input: { ms: 5 } }] }));
    commit(metrics, run);
    run.fireNextTimer();
    commit(metrics, run);
    expect(run.status).toBe('COMPLETED');
    const labels = { type: 'delay', kind: 'task' };
    expect(await value(registry, 'sagaflow_task_ready_to_start_seconds_count', labels)).toBe(0);
    expect(await value(registry, 'sagaflow_task_duration_seconds_count', labels)).toBe(1);
    expect(await value(registry, 'sagaflow_task_attempts_total', { ...labels, outcome: 'completed' })).toBe(
      1,
    );
  });

  it('labels inline runs as (inline) and caps the distinct definition names', async () => {
    const registry = new Registry();
    const metrics = new RunMetrics(registry);
    for (let i = 0; i < 205; i++) {
      commit(
        metrics,
        RunDriver.start(definitionOf({ name: `def-${i}`, tasks: [{ key: 'a', type: 'noop' }] })),
      );
    }
    expect(await value(registry, 'sagaflow_runs_started_total', { definition: 'def-0' })).toBe(1);
    expect(await value(registry, 'sagaflow_runs_started_total', { definition: 'def-199' })).toBe(1);
    expect(await value(registry, 'sagaflow_runs_started_total', { definition: 'def-200' })).toBe(0);
    expect(await value(registry, 'sagaflow_runs_started_total', { definition: 'other' })).toBe(5);

    const inline = RunDriver.start(definitionOf({ name: 'adhoc', tasks: [{ key: 'a', type: 'noop' }] }));
    const committed: Committed = {
      writes: [
        {
          snapshot: { ...inline.snapshot(), definitionRef: { name: 'adhoc', version: null, inline: true } },
          expectedVersion: 0,
          changes: { ...inline.last, changedTasks: [] },
        },
      ],
      outbox: [],
      definitions: new Map(),
    };
    metrics.committed(committed);
    expect(await value(registry, 'sagaflow_runs_started_total', { definition: '(inline)' })).toBe(1);
  });
});
