import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rowCounts, startHttpApp, uniqueName, type HttpApp } from './support/http-app.js';
import { checkedInject } from './support/openapi-responses.js';

interface RunJson {
  id: string;
  status: string;
  definition: { name: string; version: number | null; inline?: boolean };
  tasks: { key: string; type: string | null; dependsOn: string[]; status: string }[];
}

describe('REST routes against the real app', () => {
  let app: HttpApp;
  const name = uniqueName('routes');
  const definition = {
    name,
    tasks: [
      { key: 'first', type: 'delay', input: { ms: 0 } },
      { key: 'second', type: 'delay', dependsOn: ['first'], input: { ms: 0 } },
    ],
  };

  beforeAll(async () => {
    app = await startHttpApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  // Every answer is checked against the OpenAPI document (route, status, media type, schema).
  const inject = checkedInject(() => app.http);
  const get = (url: string) => inject({ method: 'GET', url });
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    inject({ method: 'POST', url, payload: body as object, headers });

  it('registers a definition once (201), then identical content is a 200 no-op', async () => {
    const first = await post('/v1/definitions', definition);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      name,
      version: 1,
      tasks: [{ key: 'first', retry: { maxAttempts: 3 } }, {}],
    });
    const before = await rowCounts(app.db);
    const again = await post('/v1/definitions', definition);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await rowCounts(app.db)).toEqual(before);
  });

  it('reads definitions by name, by version, and as a list', async () => {
    expect((await get(`/v1/definitions/${name}`)).json()).toMatchObject({ name, version: 1 });
    expect((await get(`/v1/definitions/${name}/versions/1`)).json()).toMatchObject({ name, version: 1 });
    expect((await get(`/v1/definitions/${name}/versions/2`)).statusCode).toBe(404);
    const list = (await get('/v1/definitions')).json<{ items: { name: string }[] }>();
    expect(list.items.map((d) => d.name)).toContain(name);
  });

  it('validates without storing', async () => {
    const before = await rowCounts(app.db);
    const res = await post('/v1/definitions/validate', { ...definition, name: uniqueName('validate') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      valid: true,
      errors: [],
      plan: { levels: [['first'], ['second']], compensation: [] },
    });
    expect(await rowCounts(app.db)).toEqual(before);
  });

  it('starts a run (201), replays it by Idempotency-Key (200), and refuses a different request (409)', async () => {
    const key = uniqueName('key');
    const started = await post('/v1/runs', { definition: name, input: { n: 1 } }, { 'idempotency-key': key });
    expect(started.statusCode).toBe(201);
    const run = started.json<RunJson>();
    expect(run.definition).toEqual({ name, version: 1 });
    expect(run.tasks.map((t) => [t.key, t.type, t.dependsOn])).toEqual([
      ['first', 'delay', []],
      ['second', 'delay', ['first']],
    ]);
    // The first run keeps progressing (events, task rows), so only creations are compared.
    const created = async () => {
      const { runs, definitions } = await rowCounts(app.db);
      return { runs, definitions };
    };
    const before = await created();
    const replay = await post('/v1/runs', { definition: name, input: { n: 1 } }, { 'idempotency-key': key });
    expect(replay.statusCode).toBe(200);
    expect(replay.json<RunJson>().id).toBe(run.id);
    const conflict = await post(
      '/v1/runs',
      { definition: name, input: { n: 2 } },
      { 'idempotency-key': key },
    );
    expect(conflict.statusCode).toBe(409);
    expect(await created()).toEqual(before);
  });

  it('lists runs by definition and status, and pages events with after', async () => {
    const started = (await post('/v1/runs', { definition: name })).json<RunJson>();
    const done = await waitForStatus(started.id, 'COMPLETED');
    expect(done.tasks.every((t) => t.status === 'COMPLETED')).toBe(true);

    const list = (await get(`/v1/runs?definition=${name}&status=COMPLETED&limit=1`)).json<{
      items: Record<string, unknown>[];
      nextCursor: string | null;
    }>();
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).not.toHaveProperty('tasks');
    expect(list.items[0]?.status).toBe('COMPLETED');

    const all = (await get(`/v1/runs/${started.id}/events`)).json<{
      items: { seq: number; type: string }[];
    }>();
    expect(all.items[0]).toMatchObject({ seq: 1, type: 'RunStarted' });
    expect(all.items.at(-1)?.type).toBe('RunCompleted');
    const page = (await get(`/v1/runs/${started.id}/events?after=1&limit=2`)).json<{
      items: { seq: number }[];
      nextCursor: string | null;
    }>();
    expect(page.items.map((e) => e.seq)).toEqual([2, 3]);
    expect(page.nextCursor).toBe('3');
  });

  it('answers health and docs', async () => {
    expect((await get('/health/live')).json()).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
    expect((await get('/health/ready')).statusCode).toBe(200);
    // The document itself is not one of its routes.
    expect((await app.http.inject({ method: 'GET', url: '/docs-json' })).json()).toMatchObject({
      openapi: expect.any(String),
    });
  });

  async function waitForStatus(id: string, status: string): Promise<RunJson> {
    for (let i = 0; i < 200; i++) {
      const run = (await get(`/v1/runs/${id}`)).json<RunJson>();
      if (run.status === status) return run;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`run ${id} did not reach ${status}`);
  }
});
