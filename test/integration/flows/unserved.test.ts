/**
 * Task types no worker serves (docs/contract.md#workflow-definitions, #timeouts, #cancel and
 * retry; docs/architecture.md, "Unserved task types"), on the real PostgreSQL, RabbitMQ and
 * Redis: workers announce their types by heartbeat, validate and register warn about a type
 * nobody serves, a never-started attempt fails after its queueTimeoutMs, and a cancel ends a run
 * whose attempts never started at once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { SagaflowApp } from '../../../src/app/create-app.js';
import { CancelRunCommand } from '../../../src/application/commands/cancel-run.js';
import { localAdmin } from '../../../src/application/actor.js';
import {
  buses,
  cleanup,
  eventually,
  getRun,
  isolatedConfig,
  startRun,
  waitForStatus,
} from '../support/harness.js';
import { allEvents, BUILTIN_TYPES, closeApp, describeEvents, startAppWith } from '../support/flow-helpers.js';

/** Served by this file's main worker. */
const PARCEL = 'parcel';
/** Served by a second worker process that starts and stops within one test. */
const COURIER = 'courier';
/** Served by no worker, ever. */
const NOBODY = 'nobody-home';
/** Only ever announced by hand, to watch an announcement go stale. */
const GHOSTS = ['ghost-a', 'ghost-b'];

// 500 ms beats: an announcement counts for 1.5 s (three beats).
const config = {
  ...isolatedConfig('unserved', ['api', 'relay', 'orchestrator', 'worker']),
  workerHeartbeatMs: 500,
};
let app: SagaflowApp | null = null;

beforeAll(async () => {
  app = await startAppWith(config, (registry) => {
    registry.register(PARCEL, async () => ({ packed: true }));
  });
});
afterAll(async () => {
  await cleanup(app, config, [...BUILTIN_TYPES, PARCEL, COURIER, NOBODY]);
});

const directory = () => app!.runtime.workers;
const served = () => directory().servedTypes(directory().liveWindowMs);
const http = () => app!.app as NestFastifyApplication;
const post = (url: string, body: unknown) => http().inject({ method: 'POST', url, payload: body as object });

const unservedWarning = (index: number, type: string) => ({
  path: `tasks[${index}].type`,
  message: `no worker serves task type "${type}" (seen in the last 1.5 s)`,
});

describe('worker heartbeats', () => {
  it('serve the built-in and registered types of a live worker from its first beat, and keep them served', async () => {
    expect([...(await served())]).toEqual(expect.arrayContaining([...BUILTIN_TYPES, PARCEL]));
    expect(await served()).not.toContain(NOBODY);
  });

  it('stop counting an announcement older than the live window, while live workers stay served', async () => {
    await directory().announce('ghost-worker', GHOSTS);
    expect([...(await served())]).toEqual(expect.arrayContaining(GHOSTS));
    // A new announcement replaces the worker's types: the one it dropped is unserved at once.
    await directory().announce('ghost-worker', ['ghost-b']);
    expect(await served()).not.toContain('ghost-a');
    // Nobody re-announces ghost-b: it goes stale, while the real worker's beats keep its types.
    const after = await eventually(served, (types) => !types.has('ghost-b'));
    expect([...after]).toEqual(expect.arrayContaining([...BUILTIN_TYPES, PARCEL]));
  });

  it("withdraws a worker's types when it stops", async () => {
    const courier = await startAppWith(
      { ...config, roles: new Set(['worker']), instanceId: `courier-${process.pid}` },
      (registry) => registry.register(COURIER, async () => ({ delivered: true })),
    );
    let closed = false;
    try {
      expect(await served()).toContain(COURIER);
      await courier.close();
      closed = true;
      // Withdrawn on stop, not left to go stale: unserved at once.
      expect(await served()).not.toContain(COURIER);
      expect(await served()).toContain(PARCEL);
    } finally {
      if (!closed) await closeApp(courier);
    }
  });
});

describe('warnings on validate and register', () => {
  const definition = (name: string, types: string[]) => ({
    name,
    tasks: types.map((type, i) => ({ key: `t${i}`, type, ...(i > 0 ? { dependsOn: [`t${i - 1}`] } : {}) })),
  });

  it('validate warns about a type no worker serves, and the definition stays valid', async () => {
    const res = await post('/v1/definitions/validate', definition('unserved-validate', ['echo', NOBODY]));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ valid: true, errors: [], warnings: [unservedWarning(1, NOBODY)] });
  });

  it('validate has no warnings when every type is served (delay needs no worker)', async () => {
    const res = await post(
      '/v1/definitions/validate',
      definition('served-validate', ['echo', PARCEL, 'delay']),
    );
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json())).toEqual(['valid', 'errors', 'plan']);
  });

  it('register stores a definition with an unserved type and answers the warning', async () => {
    const res = await post('/v1/definitions', definition('unserved-register', [NOBODY, PARCEL]));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      name: 'unserved-register',
      version: 1,
      warnings: [unservedWarning(0, NOBODY)],
    });
    const stored = await http().inject({ method: 'GET', url: '/v1/definitions/unserved-register' });
    expect(stored.statusCode).toBe(200);
    expect(stored.json()).not.toHaveProperty('warnings');
  });

  it('register of served types answers no warnings', async () => {
    const res = await post('/v1/definitions', definition('served-register', [PARCEL, 'noop']));
    expect(res.statusCode).toBe(201);
    expect(res.json()).not.toHaveProperty('warnings');
  });
});

describe('warnings on the GraphQL registerDefinition', () => {
  const graphql = async (query: string, variables: Record<string, unknown>) => {
    const res = await http().inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ query, variables }),
    });
    return res.json<{ data?: Record<string, { warnings: unknown } | null>; errors?: unknown[] }>();
  };

  it('answers the same warnings as REST, and null where there are none', async () => {
    const registered = await graphql(
      'mutation ($d: JSON!) { registerDefinition(definition: $d) { name warnings { path message } } }',
      {
        d: {
          name: 'unserved-graphql',
          tasks: [
            { key: 'a', type: PARCEL },
            { key: 'b', type: NOBODY },
          ],
        },
      },
    );
    expect(registered.errors).toBeUndefined();
    expect(registered.data?.registerDefinition?.warnings).toEqual([unservedWarning(1, NOBODY)]);
    const read = await graphql('query ($n: String!) { definition(name: $n) { warnings { path } } }', {
      n: 'unserved-graphql',
    });
    expect(read.data?.definition).toEqual({ warnings: null });
  });
});

describe('attempts no worker takes', () => {
  it('fail with code timeout after queueTimeoutMs, and the run unwinds by the usual rules', async () => {
    const id = await startRun(app!, {
      definition: {
        name: 'unserved-timeout',
        tasks: [
          { key: 'reserve', type: 'echo', compensation: { type: 'echo', input: { undo: true } } },
          {
            key: 'ship',
            type: NOBODY,
            dependsOn: ['reserve'],
            queueTimeoutMs: 300,
            retry: { maxAttempts: 2, initialIntervalMs: 10, backoffCoefficient: 1, maxIntervalMs: 10 },
          },
        ],
      },
    });
    const run = await waitForStatus(app!, id);
    // A task failing for good with its completed predecessor compensated: COMPENSATED.
    expect(run.status).toBe('COMPENSATED');
    const ship = run.tasks.find((t) => t.key === 'ship')!;
    expect(ship).toMatchObject({ status: 'FAILED', attempts: 2, error: { code: 'timeout' } });
    expect(run.tasks.find((t) => t.key === 'reserve')).toMatchObject({
      status: 'COMPENSATED',
      compensation: { status: 'COMPLETED' },
    });
    const shipEvents = describeEvents(await allEvents(app!, id), 'ship');
    // Both attempts were queued and failed; no worker ever started one.
    expect(shipEvents.filter((e) => e.startsWith('TaskStarted'))).toEqual([]);
    expect(shipEvents.filter((e) => e.startsWith('TaskFailed'))).toEqual([
      'TaskFailed/ship/1',
      'TaskFailed/ship/2',
    ]);
  });

  it('fail the run when nothing is left to compensate', async () => {
    const id = await startRun(app!, {
      definition: {
        name: 'unserved-alone',
        tasks: [{ key: 'only', type: NOBODY, queueTimeoutMs: 300, retry: { maxAttempts: 1 } }],
      },
    });
    const run = await waitForStatus(app!, id);
    expect(run.status).toBe('FAILED');
    expect(run.error).toMatchObject({ taskKey: 'only' });
    expect(run.tasks[0]).toMatchObject({ status: 'FAILED', attempts: 1, error: { code: 'timeout' } });
  });

  it('are cancelled at once by a cancel: the run ends CANCELLED without waiting for a worker', async () => {
    // The default queueTimeoutMs (5 minutes) would keep the attempt queued far beyond this test.
    const id = await startRun(app!, {
      definition: {
        name: 'unserved-cancel',
        tasks: [
          { key: 'first', type: NOBODY },
          { key: 'second', type: 'noop', dependsOn: ['first'] },
        ],
      },
    });
    await eventually(
      () => getRun(app!, id),
      (run) => run.tasks[0]!.status === 'QUEUED',
    );
    const answer = await buses(app!).commands.execute<CancelRunCommand, { status: string }>(
      new CancelRunCommand(localAdmin(), id, { reason: 'no courier today' }),
    );
    expect(answer.status).toBe('CANCELLED');
    const run = await getRun(app!, id);
    expect(run.status).toBe('CANCELLED');
    expect(run.tasks.map((t) => t.status)).toEqual(['CANCELLED', 'SKIPPED']);
  });
});
