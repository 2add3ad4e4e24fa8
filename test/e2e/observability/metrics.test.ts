import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createApp, type SagaflowApp } from '../../../src/app/create-app.js';
import { cleanup, eventually, isolatedConfig } from '../../integration/support/harness.js';
import { Scrape } from '../support/prometheus-text.js';
import { httpJson } from '../../support/http-json.js';

/** One process with every role, so the attempts it applies are the ones its /metrics counts. */
const config = isolatedConfig('metrics', ['api', 'relay', 'orchestrator', 'worker']);
const DEFINITION = 'metered-order';
let app: SagaflowApp | null = null;

beforeAll(async () => {
  app = await createApp(config, {
    registerHandlers: (registry) =>
      registry.register('card', async () => {
        throw new Error('card declined (retryable)');
      }),
  });
});
afterAll(async () => {
  await cleanup(app, config, ['noop', 'echo', 'http', 'card']);
});

const http = httpJson(() => app!.url!);

const scrape = () => Scrape.of(app!.url!);

describe('/metrics before and after a saga with a retry and a compensation', () => {
  let before: Scrape;
  let after: Scrape;
  let runId: string;

  beforeAll(async () => {
    const registered = await http('POST', '/v1/definitions', {
      name: DEFINITION,
      tasks: [
        { key: 'reserve', type: 'echo', input: { sku: 'a' }, compensation: { type: 'echo' } },
        {
          key: 'charge',
          type: 'card',
          dependsOn: ['reserve'],
          retry: { maxAttempts: 2, initialIntervalMs: 20 },
        },
        { key: 'ship', type: 'noop', dependsOn: ['charge'], compensation: { type: 'noop' } },
      ],
    });
    expect(registered.status).toBe(201);
    before = await scrape();
    const started = await http('POST', '/v1/runs', { definition: DEFINITION });
    expect(started.status).toBe(201);
    runId = started.body.id as string;
    await eventually(
      () => http('GET', `/v1/runs/${runId}`),
      (r) => r.body.status === 'COMPENSATED',
    );
    // The run's state is readable a moment before the committing process has counted it.
    const finished = { definition: DEFINITION, status: 'COMPENSATED' };
    after = await eventually(scrape, (s) => s.value('sagaflow_runs_finished_total', finished) > 0);
  });

  const delta = (name: string, labels: Record<string, string> = {}) =>
    after.value(name, labels) - before.value(name, labels);

  it('is Prometheus text whose every series starts with sagaflow_', async () => {
    const response = await fetch(`${app!.url}/metrics`);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(after.samples.length).toBeGreaterThan(0);
    expect(after.samples.filter((s) => !s.name.startsWith('sagaflow_'))).toEqual([]);
    expect(after.has('sagaflow_nodejs_eventloop_lag_seconds')).toBe(true);
    expect(after.has('sagaflow_process_cpu_seconds_total')).toBe(true);
  });

  it('counts the run once started and once finished, by definition and status', () => {
    expect(delta('sagaflow_runs_started_total', { definition: DEFINITION })).toBe(1);
    expect(delta('sagaflow_runs_finished_total', { definition: DEFINITION, status: 'COMPENSATED' })).toBe(1);
    const finishedOtherwise = after.samples.filter(
      (s) => s.name === 'sagaflow_runs_finished_total' && s.labels.status !== 'COMPENSATED',
    );
    expect(finishedOtherwise).toEqual([]);
  });

  it('counts every attempt by type, kind and outcome', () => {
    const attempts = (type: string, kind: string, outcome: string) =>
      delta('sagaflow_task_attempts_total', { type, kind, outcome });
    expect(attempts('echo', 'task', 'completed')).toBe(1);
    expect(attempts('card', 'task', 'retried')).toBe(1);
    expect(attempts('card', 'task', 'failed')).toBe(1);
    expect(attempts('echo', 'compensation', 'completed')).toBe(1);
    // ship was skipped: never attempted, so never compensated either.
    const total = after.samples
      .filter((s) => s.name === 'sagaflow_task_attempts_total')
      .reduce((sum, s) => sum + s.value - before.value(s.name, s.labels), 0);
    expect(total).toBe(4);
  });

  it('observes each attempt once in the duration and ready→start histograms', () => {
    for (const [labels, count] of [
      [{ type: 'echo', kind: 'task' }, 1],
      [{ type: 'card', kind: 'task' }, 2],
      [{ type: 'echo', kind: 'compensation' }, 1],
    ] as const) {
      expect(delta('sagaflow_task_duration_seconds_count', labels)).toBe(count);
      expect(delta('sagaflow_task_ready_to_start_seconds_count', labels)).toBe(count);
      expect(delta('sagaflow_task_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(count);
    }
  });

  it('never uses the run id in a label', () => {
    const leaking = after.samples.filter((s) => Object.values(s.labels).some((v) => v.includes(runId)));
    expect(leaking).toEqual([]);
  });

  it('reports queues, outbox, breakers and relay publishes', async () => {
    const now = await eventually(scrape, (s) => s.value('sagaflow_outbox_unsent_messages') === 0);
    expect(now.value('sagaflow_outbox_oldest_unsent_age_seconds')).toBe(0);
    const prefix = config.amqpPrefix!;
    for (const queue of [
      `${prefix}.tasks.echo`,
      `${prefix}.tasks.card`,
      `${prefix}.results.0`,
      `${prefix}.dead`,
    ]) {
      expect(now.find('sagaflow_queue_messages', { queue })).toBeDefined();
    }
    expect(now.value('sagaflow_queue_consumers', { queue: `${prefix}.tasks.card` })).toBe(1);
    expect(now.find('sagaflow_breakers_open', { breaker: 'redis' })?.value).toBe(0);
    expect(now.find('sagaflow_breakers_open', { breaker: 'http' })?.value).toBe(0);
    // reserve, charge twice, reserve's compensation; inline publishing is on, so the committing
    // process sent them itself (the relay sends only what it leaves behind).
    const published = (s: Scrape) =>
      s.value('sagaflow_outbox_messages_published_total', { publisher: 'inline' }) +
      s.value('sagaflow_outbox_messages_published_total', { publisher: 'relay' });
    expect(published(now) - published(before)).toBe(4);
  });

  it('counts run view cache lookups by result', async () => {
    const lookups = (s: Scrape) =>
      ['hit', 'miss', 'unavailable'].reduce(
        (sum, result) => sum + s.value('sagaflow_run_view_cache_lookups_total', { result }),
        0,
      );
    const first = await scrape();
    expect((await http('GET', `/v1/runs/${runId}`)).status).toBe(200);
    expect((await http('GET', `/v1/runs/${runId}`)).status).toBe(200);
    const second = await scrape();
    expect(lookups(second) - lookups(first)).toBe(2);
    // The run is final, so the second read at least finds the view the first one stored.
    const hits = (s: Scrape) => s.value('sagaflow_run_view_cache_lookups_total', { result: 'hit' });
    expect(hits(second) - hits(first)).toBeGreaterThanOrEqual(1);
  });
});
