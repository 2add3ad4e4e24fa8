/**
 * Metrics from every role (docs/operations.md, "Metrics from every role"): a worker-only
 * process, started as `SAGAFLOW_ROLES=worker npm start` would, serves `/metrics` and
 * `/health/*` on `SAGAFLOW_METRICS_PORT`, and its own series move as it runs tasks.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import { cleanup, eventually, isolatedConfig } from '../../integration/support/harness.js';
import { httpJson } from '../../support/http-json.js';
import { Scrape } from '../support/prometheus-text.js';
import { ensureBuilt, killAll, METRICS_LINE, SagaflowChild } from '../support/processes.js';

const config = isolatedConfig('e2e_role_metrics', ['api', 'relay', 'orchestrator']);
const TOKEN = 'sf_test_worker_metrics_token';
const BEARER = { authorization: `Bearer ${TOKEN}` };
const RUNS = 5;
const children: SagaflowChild[] = [];
let app: SagaflowApp | null = null;
let metricsUrl = '';

beforeAll(async () => {
  ensureBuilt();
  app = await createApp(config);
  const worker = await SagaflowChild.start(
    {
      name: 'e2e-role-metrics-worker',
      roles: ['worker'],
      config,
      instanceId: 'e2e-role-metrics-worker',
      env: { SAGAFLOW_METRICS_TOKEN: TOKEN },
    },
    children,
  );
  const url = METRICS_LINE.exec(worker.tail)?.[1];
  if (url === undefined) throw new Error(`the worker did not say where /metrics is:\n${worker.tail}`);
  metricsUrl = url;
}, 120_000);

afterAll(async () => {
  await killAll(children);
  await cleanup(app, config, ['noop', 'echo', 'http']);
}, 60_000);

const http = httpJson(() => app!.url!);
const executed = (scrape: Scrape) =>
  scrape.value('sagaflow_worker_executions_total', { type: 'echo', kind: 'task', outcome: 'completed' });

describe('a worker-only process', () => {
  it('answers /health/live and /health/ready on its metrics port', async () => {
    expect((await fetch(`${metricsUrl}/health/live`)).status).toBe(200);
    const ready = await eventually(
      () => fetch(`${metricsUrl}/health/ready`),
      (response) => response.status === 200,
    );
    expect(((await ready.json()) as { status: string }).status).toBe('ok');
  });

  it('refuses /metrics without its token, and serves nothing but /metrics and /health', async () => {
    const refused = await fetch(`${metricsUrl}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await fetch(`${metricsUrl}/v1/runs`, { headers: BEARER })).status).toBe(404);
  });

  it('serves sagaflow_ series that count the tasks it runs', async () => {
    const before = await Scrape.of(metricsUrl, BEARER);
    expect(before.samples.filter((s) => !s.name.startsWith('sagaflow_'))).toEqual([]);
    expect(before.has('sagaflow_process_cpu_seconds_total')).toBe(true);
    const registered = await http('POST', '/v1/definitions', {
      name: 'metered-by-worker',
      tasks: [
        { key: 'a', type: 'echo', input: { n: 1 } },
        { key: 'b', type: 'echo', dependsOn: ['a'] },
      ],
    });
    expect(registered.status).toBe(201);
    for (let i = 0; i < RUNS; i += 1) {
      expect((await http('POST', '/v1/runs', { definition: 'metered-by-worker' })).status).toBe(201);
    }
    const after = await eventually(
      () => Scrape.of(metricsUrl, BEARER),
      (scrape) => executed(scrape) - executed(before) >= 2 * RUNS,
    );
    expect(executed(after) - executed(before)).toBe(2 * RUNS);
    expect(after.value('sagaflow_worker_execution_seconds_count', { type: 'echo', kind: 'task' })).toBe(
      executed(after),
    );
  });
});
