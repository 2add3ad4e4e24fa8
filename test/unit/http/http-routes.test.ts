import { runView } from '../../../src/application/queries/run-view.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RegisterDefinitionCommand } from '../../../src/application/commands/register-definition.js';
import { StartRunCommand } from '../../../src/application/commands/start-run.js';
import { GetRunEventsQuery, ListRunsQuery } from '../../../src/application/queries/run-queries.js';
import type { StoredDefinition } from '../../../src/application/ports/definition-repository.js';
import { script, snapshot } from './support/fake-application.js';
import { createHttpTestApp } from './support/http-test-app.js';
import { localAdmin } from '../../../src/application/actor.js';
import { parseRegisterDefinition } from '../../../src/application/contracts/requests/definition-body.js';

const RUN_ID = '0b7c6a52-2f7e-4d47-9a55-0f3c1d2e4b6a';

const stored: StoredDefinition = {
  namespace: 'default',
  definition: { name: 'demo', version: 2, description: null, tasks: [], output: null },
  canonical: '{}',
  createdAt: new Date('2026-11-22T00:00:00.000Z'),
};

describe('REST routes send the right message and status', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createHttpTestApp();
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => script.reset());

  const json = (
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) => app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }), headers });

  it('register answers the warnings of the command, only when there are some (docs/contract.md#workflow-definitions)', async () => {
    const warnings = [
      { path: 'tasks[0].type', message: 'no worker serves task type "x" (seen in the last 30 s)' },
    ];
    script.next = () => ({ created: true, stored, warnings });
    const definition = { name: 'demo', tasks: [{ key: 'a', type: 'x' }] };
    const warned = await json('POST', '/v1/definitions', definition);
    expect(warned.statusCode).toBe(201);
    expect(warned.json()).toMatchObject({ name: 'demo', version: 2, warnings });
    script.next = () => ({ created: true, stored, warnings: [] });
    expect(Object.keys((await json('POST', '/v1/definitions', definition)).json())).not.toContain('warnings');
  });

  it.each([
    [true, 201],
    [false, 200],
  ])('register with created=%s answers %i and the definition', async (created, status) => {
    script.next = () => ({ created, stored, warnings: [] });
    const definition = { name: 'demo', tasks: [{ key: 'a', type: 'noop' }] };
    const res = await json('POST', '/v1/definitions', definition);
    expect(res.statusCode).toBe(status);
    expect(res.headers.location).toBe('/v1/definitions/demo/versions/2');
    expect(res.json()).toMatchObject({ name: 'demo', version: 2, createdAt: '2026-11-22T00:00:00.000Z' });
    expect(script.received).toEqual([
      new RegisterDefinitionCommand(localAdmin(), parseRegisterDefinition(definition)),
    ]);
  });

  it.each([
    [true, 201],
    [false, 200],
  ])('start with created=%s answers %i and passes the Idempotency-Key header', async (created, status) => {
    script.next = () => ({ run: runView(snapshot(RUN_ID), null), created });
    const res = await json('POST', '/v1/runs', { definition: 'demo' }, { 'idempotency-key': 'k-1' });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ id: RUN_ID, definition: { name: 'demo', version: 1 }, tasks: [] });
    expect(script.received).toEqual([
      new StartRunCommand(localAdmin(), {
        definition: { kind: 'registered', name: 'demo', version: null },
        input: {},
        idempotencyKey: 'k-1',
        priority: null,
      }),
    ]);
  });

  it.each([
    ['', undefined],
    ['?limit=5000', 1000],
    ['?limit=0', 1],
    ['?limit=-3', 1],
    ['?limit=abc', undefined],
    ['?limit=20.7', 20],
  ])('list runs%s clamps limit to %p, never rejects it', async (query, limit) => {
    const res = await json('GET', `/v1/runs${query}`);
    expect(res.statusCode).toBe(200);
    expect(script.received).toEqual([new ListRunsQuery(localAdmin(), { limit })]);
  });

  it('list runs passes definition, status and cursor', async () => {
    await json('GET', '/v1/runs?definition=demo&status=FAILED&cursor=abc');
    expect(script.received).toEqual([
      new ListRunsQuery(localAdmin(), { definition: 'demo', status: 'FAILED', cursor: 'abc' }),
    ]);
  });

  it.each(['?status=DONE', '?status=running', '?status=FAILED&status=RUNNING'])(
    'list runs%s is a 400 naming status',
    async (query) => {
      const res = await json('GET', `/v1/runs${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toEqual(['status']);
    },
  );

  it('GET a run sends the view JSON as the query answered it, as application/json', async () => {
    const res = await json('GET', `/v1/runs/${RUN_ID.toUpperCase()}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(runView(snapshot(RUN_ID), null))));
  });

  it('events read after and limit (cursor as an alias of after)', async () => {
    await json('GET', `/v1/runs/${RUN_ID}/events?after=7&limit=2000`);
    await json('GET', `/v1/runs/${RUN_ID}/events?cursor=9`);
    await json('GET', `/v1/runs/${RUN_ID.toUpperCase()}/events`);
    expect(script.received).toEqual([
      new GetRunEventsQuery(localAdmin(), RUN_ID, { after: 7, limit: 1000 }),
      new GetRunEventsQuery(localAdmin(), RUN_ID, { after: 9 }),
      new GetRunEventsQuery(localAdmin(), RUN_ID, { after: 0 }),
    ]);
  });

  it.each(['-1', 'x', '1.5'])('events with after=%s is a 400 naming after', async (after) => {
    const res = await json('GET', `/v1/runs/${RUN_ID}/events?after=${after}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ errors: [{ path: 'after' }] });
  });

  it('health/live is always ok in the terminus shape', async () => {
    const res = await json('GET', '/health/live');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('serves the OpenAPI document with the task union', async () => {
    const res = await json('GET', '/docs-json');
    expect(res.statusCode).toBe(200);
    const doc = res.json<{
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { anyOf?: { properties: { type: object } }[] }> };
    }>();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/definitions',
        '/v1/definitions/validate',
        '/v1/definitions/{name}',
        '/v1/definitions/{name}/versions/{version}',
        '/v1/runs',
        '/v1/runs/{id}',
        '/v1/runs/{id}/events',
        '/v1/runs/{id}/cancel',
        '/v1/runs/{id}/retry',
      ]),
    );
    // A plain union by `type` (no `discriminator`: generated clients then name the variant, not the union).
    const variants = doc.components.schemas.TaskDefinition?.anyOf ?? [];
    expect(variants.map((v) => v.properties.type)).toEqual([
      { type: 'string', const: 'delay' },
      { type: 'string', const: 'http' },
      expect.objectContaining({ type: 'string', not: { enum: ['delay', 'http'] } }),
    ]);
    expect((await json('GET', '/docs/json')).json()).toEqual(doc);
    const ui = await json('GET', '/docs');
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });
});
