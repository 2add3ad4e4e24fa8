/**
 * docs/contract.md#observability end to end: one run is one trace. Three Sagaflow processes — api, relay+orchestrator,
 * worker — export to an OTLP/HTTP receiver run by this test (`http/json`). A 3-task saga whose
 * second task fails once (retried after a backoff timer) and whose third fails for good (the
 * first two compensate) must produce a single trace holding the API request, the run start,
 * every publish (by the relay and inline), every worker attempt and every result application,
 * each span parented to the one that caused it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import type pg from 'pg';
import { freePort } from '../../support/free-port.js';
import { cleanup, eventually, isolatedConfig } from '../../integration/support/harness.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import {
  ensureBuilt,
  FIXTURES,
  killAll,
  openDb,
  SagaflowChild,
  type ChildSpec,
} from '../support/processes.js';

const config = isolatedConfig('e2e_tracing');
const children: SagaflowChild[] = [];
let receiver: OtlpReceiver | null = null;
let db: pg.Client | null = null;
let api = '';

const SPAN_KIND = { server: 2, producer: 4, consumer: 5 };
const STATUS_ERROR = 2;

/** A 3-task saga: `b` fails on attempt 1 and is retried, `c` fails for good, `b` and `a` compensate. */
const definition = {
  name: 'traced-saga',
  tasks: [
    { key: 'a', type: 'slow', input: { mode: 'ok' }, compensation: { type: 'slow', input: { mode: 'ok' } } },
    {
      key: 'b',
      type: 'slow',
      dependsOn: ['a'],
      input: { mode: 'flaky' },
      retry: { maxAttempts: 2, initialIntervalMs: 100 },
      compensation: { type: 'slow', input: { mode: 'ok' } },
    },
    { key: 'c', type: 'slow', dependsOn: ['b'], input: { mode: 'fail' } },
  ],
};

function spec(name: string, roles: ChildSpec['roles'], env: Record<string, string> = {}): ChildSpec {
  return {
    name,
    roles,
    config,
    instanceId: name,
    handlers: [join(FIXTURES, 'slow-handlers.mjs')],
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver!.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      // Every run, not the default tenth (docs/tracing.md#sampling): these tests read whole traces.
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      ...env,
    },
  };
}

beforeAll(async () => {
  ensureBuilt();
  receiver = await OtlpReceiver.start();
  const port = await freePort();
  // The api process leaves its outbox rows to the relay, so the first task goes out through the
  // relay's sweep; the orchestrator's process publishes what it commits itself (inline).
  const apiChild = SagaflowChild.start(
    spec('trace-api', ['api'], { PORT: String(port), SAGAFLOW_INLINE_PUBLISH: 'false' }),
    children,
  );
  await apiChild; // migrates the database before the others start
  await Promise.all([
    SagaflowChild.start(spec('trace-core', ['relay', 'orchestrator']), children),
    SagaflowChild.start(spec('trace-worker', ['worker']), children),
  ]);
  api = `http://127.0.0.1:${port}`;
  db = await openDb(config);
}, 120_000);

afterAll(async () => {
  await killAll(children);
  await db?.end().catch(() => undefined);
  await receiver?.close();
  // Drops the database, the AMQP topology and the Redis keys of this file.
  await cleanup(null, config, ['slow', 'noop', 'echo', 'http']);
}, 60_000);

describe('one run is one trace (docs/contract.md#observability)', () => {
  it('links the API request, every publish, attempt and result application of a saga in one trace', async () => {
    const response = await fetch(`${api}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ definition }),
    });
    expect(response.status).toBe(201);
    const { id: runId } = (await response.json()) as { id: string };
    await eventually(
      async () =>
        (await db!.query<{ status: string }>('select status from runs where id = $1', [runId])).rows,
      (rows) => rows[0]?.status === 'COMPENSATED',
      100,
    );
    // Each process exports on its own schedule: wait until every expected span has arrived
    // (six attempts, each with its publish and its application, and the batches linking to them).
    await eventually(
      async () => ofRun(runId),
      (spans) => {
        const named = (suffix: string) => spans.filter((span) => span.name.endsWith(suffix)).length;
        const linked = receiver!.spans.filter((span) => span.name === 'orchestrator.apply_batch');
        const request = receiver!.spans.some(
          (span) => span.kind === SPAN_KIND.server && span.traceId === spans[0]?.traceId,
        );
        return (
          request &&
          named('.execute') >= 6 &&
          named('.dispatch') >= 6 &&
          named('run.apply_result') >= 6 &&
          named('run.start') === 1 &&
          named('run.timer') >= 1 &&
          linked.reduce((n, batch) => n + batch.links.length, 0) >= 6
        );
      },
      100,
    );
    const spans = ofRun(runId);
    const trace = spans[0]!.traceId;
    const byId = new Map(receiver!.spans.map((span) => [span.spanId, span]));
    const parentOf = (span: ReceivedSpan) => byId.get(span.parentSpanId);

    // One trace: every span about the run, and the request that started it as the root.
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([trace]));
    const [start] = spans.filter((span) => span.name === 'run.start');
    const request = parentOf(start!)!;
    expect(request).toMatchObject({ traceId: trace, parentSpanId: '', kind: SPAN_KIND.server });
    expect(request.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/v1/runs' });
    expect(start!.attributes).toMatchObject({
      'sagaflow.created': true,
      'sagaflow.definition': 'traced-saga',
    });

    // Every worker attempt, each under the publish of its message.
    const attempts = spans.filter((span) => span.name.endsWith('.execute'));
    expect(attempts.map(key).sort()).toEqual(
      ['task a 1', 'task b 1', 'task b 2', 'task c 1', 'compensation b 1', 'compensation a 1'].sort(),
    );
    for (const attempt of attempts) {
      const kind = attempt.attributes['sagaflow.kind'] as string;
      expect(attempt.name).toBe(`${kind}.execute`);
      expect(attempt.kind).toBe(SPAN_KIND.consumer);
      expect(attempt.attributes).toMatchObject({
        'sagaflow.task_type': 'slow',
        'messaging.system': 'rabbitmq',
        'messaging.destination.name': `${config.amqpPrefix}.tasks.slow`,
      });
      const failed = ['task b 1', 'task c 1'].includes(key(attempt));
      expect(attempt.attributes['sagaflow.outcome']).toBe(failed ? 'failed' : 'completed');
      expect(attempt.status === STATUS_ERROR).toBe(failed);
      const publish = parentOf(attempt)!;
      expect(publish.name).toBe(`${kind}.dispatch`);
      expect(publish.kind).toBe(SPAN_KIND.producer);
      expect(key(publish)).toBe(key(attempt));
    }

    // Every result applied exactly once, under the attempt that produced it.
    const applied = spans.filter((span) => span.name === 'run.apply_result');
    expect(applied.map(key).sort()).toEqual(attempts.map(key).sort());
    for (const application of applied) {
      expect(application.attributes['sagaflow.applied']).toBe(true);
      expect(parentOf(application)).toBe(attempts.find((attempt) => key(attempt) === key(application)));
    }

    // Each publish hangs under the orchestrator step that decided it: the start, the result that
    // made the task ready (or required the compensation), or the timer that ended the backoff.
    const dispatches = spans.filter((span) => span.name.endsWith('.dispatch'));
    const cause = (dispatch: string) => {
      const step = parentOf(dispatches.find((span) => key(span) === dispatch)!)!;
      return step.name === 'run.apply_result' ? `${step.name} ${key(step)}` : step.name;
    };
    expect(Object.fromEntries(dispatches.map((span) => [key(span), cause(key(span))]))).toEqual({
      'task a 1': 'run.start',
      'task b 1': 'run.apply_result task a 1',
      'task b 2': 'run.timer',
      'task c 1': 'run.apply_result task b 2',
      'compensation b 1': 'run.apply_result task c 1',
      'compensation a 1': 'run.apply_result compensation b 1',
    });
    const timer = parentOf(dispatches.find((span) => key(span) === 'task b 2')!)!;
    expect(parentOf(timer)).toBe(start);

    // The processes: the api started the run, the relay sent what the api committed (it publishes
    // nothing itself here), the orchestrator's process sent its own rows, the worker ran them.
    const pid = (span: ReceivedSpan) => span.resource['process.pid'];
    const [apiChild, coreChild, workerChild] = children.map((child) => child.pid);
    expect([pid(request), pid(start!)]).toEqual([apiChild, apiChild]);
    for (const dispatch of dispatches) {
      expect(pid(dispatch)).toBe(coreChild);
      const sender = key(dispatch) === 'task a 1' ? 'relay' : 'inline';
      expect(dispatch.attributes['sagaflow.outbox.sender']).toBe(sender);
    }
    for (const attempt of attempts) expect(pid(attempt)).toBe(workerChild);
    for (const span of [...applied, timer]) expect(pid(span)).toBe(coreChild);

    // A result batch serves many runs: its span is a trace of its own that links to each result.
    for (const application of applied) {
      const batches = receiver!.spans.filter(
        (span) =>
          span.name === 'orchestrator.apply_batch' &&
          span.links.some((link) => link.spanId === application.spanId && link.traceId === trace),
      );
      expect(batches).toHaveLength(1);
      expect(batches[0]!.traceId).not.toBe(trace);
    }

    // Instrumentation spans of the database and Redis work join the run's trace too.
    const inTrace = receiver!.spans.filter((span) => span.traceId === trace);
    expect(inTrace.some((span) => span.scope === '@opentelemetry/instrumentation-pg')).toBe(true);
    expect(inTrace.some((span) => span.scope === '@opentelemetry/instrumentation-ioredis')).toBe(true);
    expect(receiver!.rejected).toEqual([]);
  }, 90_000);

  it('leaves reads of a run out of its trace', async () => {
    const [start] = receiver!.spans.filter((span) => span.name === 'run.start');
    const runId = start!.attributes['sagaflow.run_id'] as string;
    expect((await fetch(`${api}/v1/runs/${runId}`)).status).toBe(200);
    const [read] = await eventually(
      async () =>
        receiver!.spans.filter(
          (span) => span.kind === SPAN_KIND.server && span.attributes['url.path'] === `/v1/runs/${runId}`,
        ),
      (found) => found.length > 0,
      100,
    );
    expect(read!.traceId).not.toBe(start!.traceId);
    expect(read!.parentSpanId).toBe('');
  }, 30_000);
});

/** `<kind> <task key> <attempt>` of a span about one attempt. */
function key(span: ReceivedSpan): string {
  const { attributes: a } = span;
  return `${a['sagaflow.kind'] as string} ${a['sagaflow.task_key'] as string} ${a['sagaflow.attempt'] as number}`;
}

function ofRun(runId: string): ReceivedSpan[] {
  return receiver!.spans.filter((s) => s.attributes['sagaflow.run_id'] === runId);
}
