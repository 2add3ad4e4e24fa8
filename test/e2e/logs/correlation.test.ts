/**
 * Structured logs end to end, with tracing on (an OTLP/HTTP receiver run by this test): two
 * Sagaflow processes — api+relay+orchestrator and a worker — write JSON lines to stdout. A worker's
 * line about an attempt carries the trace and span id of that attempt's `task.execute` span and the
 * attempt's run_id/task_key/attempt; the API's request line carries the caller's request id and the
 * run's trace; LOG_LEVEL=warn leaves the info attempt lines out and the failures in; and the
 * secret a run's input carries (and the caller's Authorization header) appears in no line at all.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
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
import { logLines, type LogLine } from './log-lines.js';

const config = isolatedConfig('e2e_logs');
const children: SagaflowChild[] = [];
let receiver: OtlpReceiver | null = null;
let db: pg.Client | null = null;
let core: SagaflowChild | null = null;
let api = '';

const SECRET = `s3cret-${randomUUID()}`;

/** `a` completes; `b` fails on attempt 1 and completes on attempt 2. Both carry the secret. */
const definition = {
  name: 'logged-saga',
  tasks: [
    { key: 'a', type: 'slow', input: { mode: 'ok', card: SECRET } },
    {
      key: 'b',
      type: 'slow',
      dependsOn: ['a'],
      input: { mode: 'flaky', card: SECRET },
      retry: { maxAttempts: 2, initialIntervalMs: 100 },
    },
  ],
};

function spec(name: string, roles: ChildSpec['roles'], env: Record<string, string>): ChildSpec {
  return {
    name,
    roles,
    config,
    instanceId: name,
    handlers: [join(FIXTURES, 'slow-handlers.mjs')],
    keepStdout: true,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver!.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      // Every run, not the default tenth (docs/tracing.md#sampling): these tests read whole traces.
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      LOG_LEVEL: 'info',
      ...env,
    },
  };
}

const startWorker = (name: string, level: string) =>
  SagaflowChild.start(spec(name, ['worker'], { LOG_LEVEL: level }), children);

async function startRun(
  headers: Record<string, string> = {},
): Promise<{ runId: string; response: Response }> {
  const response = await fetch(`${api}/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ definition, input: { card: SECRET } }),
  });
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: string };
  await eventually(
    async () => (await db!.query<{ status: string }>('select status from runs where id = $1', [id])).rows,
    (rows) => rows[0]?.status === 'COMPLETED',
    100,
  );
  return { runId: id, response };
}

/** The lines of `child` about the attempts of `runId`, once there are `count` of them. */
function attemptLines(child: SagaflowChild, runId: string, count: number): Promise<LogLine[]> {
  return eventually(
    async () => logLines(child.stdout).filter((line) => line.run_id === runId && line.component === 'worker'),
    (lines) => lines.length >= count,
    50,
  );
}

const key = (fields: Record<string, unknown>) => `${String(fields.task_key)} ${String(fields.attempt)}`;

beforeAll(async () => {
  ensureBuilt();
  receiver = await OtlpReceiver.start();
  const port = await freePort();
  core = await SagaflowChild.start(
    spec('logs-core', ['api', 'relay', 'orchestrator'], { PORT: String(port) }),
    children,
  );
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

describe('structured logs', () => {
  it('tie each attempt line to its task.execute span, and the request line to the request', async () => {
    const worker = await startWorker('logs-worker', 'info');
    const requestId = `logs-e2e-${randomUUID()}`;
    const { runId, response } = await startRun({
      'x-request-id': requestId,
      authorization: `Bearer ${SECRET}`,
    });
    expect(response.headers.get('x-request-id')).toBe(requestId);

    // The worker's three attempts: a 1 (completed), b 1 (failed, retried), b 2 (completed).
    const lines = await attemptLines(worker, runId, 3);
    expect(lines.map((line) => [key(line), line.level, line.msg]).sort()).toEqual([
      ['a 1', 'info', 'task attempt completed'],
      ['b 1', 'warn', 'task attempt failed'],
      ['b 2', 'info', 'task attempt completed'],
    ]);
    const failed = lines.find((line) => key(line) === 'b 1')!;
    expect(failed).toMatchObject({
      kind: 'task',
      task_type: 'slow',
      outcome: 'failed',
      error: 'b fails on attempt 1 (mode flaky)',
      error_code: 'retryable',
      retryable: true,
    });

    // Each line carries the trace and span id of its attempt's span.
    const attempts = await eventually(
      async () =>
        receiver!.spans.filter(
          (span) => span.name === 'task.execute' && span.attributes['sagaflow.run_id'] === runId,
        ),
      (spans) => spans.length === 3,
      100,
    );
    const spanKey = (span: ReceivedSpan) =>
      key({ task_key: span.attributes['sagaflow.task_key'], attempt: span.attributes['sagaflow.attempt'] });
    for (const line of lines) {
      const span = attempts.find((candidate) => spanKey(candidate) === key(line))!;
      expect(span).toBeDefined();
      expect(line).toMatchObject({ trace_id: span.traceId, span_id: span.spanId, run_id: runId });
    }
    const trace = attempts[0]!.traceId;
    expect(new Set(lines.map((line) => line.trace_id))).toEqual(new Set([trace]));

    // The API's line about the request that started the run: the caller's request id, the run's
    // trace (the request is its root), no credentials.
    const requests = await eventually(
      async () => logLines(core!.stdout).filter((line) => line.request_id === requestId),
      (found) => found.some((line) => line.msg === 'request completed'),
      50,
    );
    const completed = requests.find((line) => line.msg === 'request completed')!;
    expect(completed).toMatchObject({
      level: 'info',
      trace_id: trace,
      req: { method: 'POST', url: '/v1/runs', headers: { authorization: '[redacted]' } },
      res: { statusCode: 201 },
      response_time_ms: expect.any(Number),
    });

    // The secret of the run's and tasks' input (and of the header) is in no line of either process.
    for (const child of [core!, worker]) expect(child.stdout).not.toContain(SECRET);
  }, 90_000);

  it('gives requests without an id a new one, and leaves probes and reads out at info', async () => {
    const probe = await fetch(`${api}/health/live`);
    expect(probe.status).toBe(200);
    const read = await fetch(`${api}/v1/definitions`);
    expect(read.status).toBe(200);
    // A write-like request (successful reads are debug too): validating a definition.
    const response = await fetch(`${api}/v1/definitions/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'logs-probe', tasks: [{ key: 'a', type: 'noop' }] }),
    });
    expect(response.status).toBe(200);
    const generated = response.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    // Lines are written in order: once the later request's line is there, the probe's would be.
    const lines = await eventually(
      async () => logLines(core!.stdout),
      (found) => found.some((line) => line.request_id === generated && line.msg === 'request completed'),
      50,
    );
    expect(probe.headers.get('x-request-id')).not.toBeNull();
    expect(lines.filter((line) => line.request_id === probe.headers.get('x-request-id'))).toEqual([]);
    expect(read.headers.get('x-request-id')).not.toBeNull();
    expect(lines.filter((line) => line.request_id === read.headers.get('x-request-id'))).toEqual([]);
  }, 30_000);

  it('leaves the info attempt lines out at LOG_LEVEL=warn, and keeps the failures', async () => {
    for (const child of children.filter((c) => c.spec.roles.includes('worker'))) await child.stop();
    const worker = await startWorker('logs-worker-warn', 'warn');
    const { runId } = await startRun();
    const [failed] = await attemptLines(worker, runId, 1);
    expect(failed).toMatchObject({ level: 'warn', task_key: 'b', attempt: 1, msg: 'task attempt failed' });
    // Both tasks completed on this worker (the run is COMPLETED and no other worker runs): their
    // info lines were not written. The start line is, at any level.
    const infos = logLines(worker.stdout).filter((line) => line.level === 'info');
    expect(infos.map((line) => line.msg)).toEqual([
      expect.stringMatching(/^sagaflow logs-worker-warn running roles worker; metrics on http:/),
    ]);
    expect(logLines(worker.stdout).filter((line) => line.run_id === runId)).toHaveLength(1);
    expect(worker.stdout).not.toContain(SECRET);
  }, 60_000);
});
