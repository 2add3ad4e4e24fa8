import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import { rowCounts, startHttpApp, uniqueName, type HttpApp } from './support/http-app.js';
import { checkedInject } from './support/openapi-responses.js';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}

describe('REST errors against the real app (problem+json, nothing written)', () => {
  let app: HttpApp;

  beforeAll(async () => {
    app = await startHttpApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  // Every answer is checked against the OpenAPI document (route, status, media type, schema).
  const inject = checkedInject(() => app.http);
  const send = (
    method: 'GET' | 'POST',
    url: string,
    payload?: string,
    contentType = 'application/json',
    undocumented?: string,
  ) =>
    inject(
      {
        method,
        url,
        ...(payload === undefined ? {} : { payload }),
        headers: payload === undefined ? {} : { 'content-type': contentType },
      },
      undocumented,
    );
  const postJson = (url: string, body: unknown) => send('POST', url, JSON.stringify(body));

  function problem(res: LightMyRequestResponse, status: number): Problem {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json<Problem>();
    expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
    expect(typeof body.detail).toBe('string');
    return body;
  }

  /** Runs `request`, expecting it to change no table. */
  async function writesNothing<T>(request: () => Promise<T>): Promise<T> {
    const before = await rowCounts(app.db);
    const result = await request();
    expect(await rowCounts(app.db)).toEqual(before);
    return result;
  }

  const task = (key: string, extra: Record<string, unknown> = {}) => ({ key, type: 'noop', ...extra });

  describe('invalid definitions are 400 naming the path and the keys', () => {
    const register = (tasks: unknown[], extra: Record<string, unknown> = {}) =>
      writesNothing(async () =>
        problem(await postJson('/v1/definitions', { name: uniqueName('bad'), tasks, ...extra }), 400),
      );

    it('a cycle names the keys on it', async () => {
      const body = await register([
        task('a', { dependsOn: ['c'] }),
        task('b', { dependsOn: ['a'] }),
        task('c', { dependsOn: ['b'] }),
        task('outside'),
      ]);
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.path).toBe('tasks');
      for (const key of ['a', 'b', 'c']) expect(body.errors?.[0]?.message).toContain(key);
      expect(body.errors?.[0]?.message).not.toContain('outside');
    });

    it('an unknown dependency', async () => {
      const body = await register([task('a'), task('b', { dependsOn: ['a', 'ghost'] })]);
      expect(body.errors).toEqual([
        { path: 'tasks[1].dependsOn[1]', message: expect.stringContaining('ghost') },
      ]);
    });

    it('a duplicate key', async () => {
      const body = await register([task('a'), task('a')]);
      expect(body.errors).toEqual([{ path: 'tasks[1].key', message: expect.stringContaining('"a"') }]);
    });

    it('a reference to a task that is not an ancestor', async () => {
      const body = await register([
        task('a'),
        task('b'),
        { key: 'c', type: 'echo', dependsOn: ['a'], input: { fromB: '${tasks.b.output.x}' } },
      ]);
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.path).toMatch(/^tasks\[2\]\.input/);
      expect(body.errors?.[0]?.message).toContain('"b"');
    });

    it('wrong types, every one named', async () => {
      const body = await writesNothing(async () =>
        problem(
          await postJson('/v1/definitions', {
            name: 'Not Valid!',
            tasks: [
              { key: 'a', type: 'noop', priority: 12, retry: { maxAttempts: 'three' } },
              { key: 'b', type: 'delay', input: { ms: 'soon' } },
            ],
          }),
          400,
        ),
      );
      const paths = body.errors?.map((e) => e.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'name',
          'tasks[0].priority',
          'tasks[0].retry.maxAttempts',
          'tasks[1].input.ms',
        ]),
      );
    });

    it('an invalid inline definition when starting a run names paths under definition', async () => {
      const body = await writesNothing(async () =>
        problem(
          await postJson('/v1/runs', {
            definition: { name: uniqueName('inline'), tasks: [task('a', { dependsOn: ['a'] })] },
          }),
          400,
        ),
      );
      expect(body.errors).toEqual([
        { path: 'definition.tasks[0].dependsOn[0]', message: expect.any(String) },
      ]);
    });
  });

  it('400 for malformed JSON', async () => {
    await writesNothing(async () => problem(await send('POST', '/v1/definitions', '{"name":'), 400));
  });

  it('413 for a body over 1 MiB', async () => {
    const big = JSON.stringify({
      name: uniqueName('big'),
      tasks: [task('a')],
      description: 'x'.repeat(1_048_576),
    });
    await writesNothing(async () => problem(await send('POST', '/v1/definitions', big), 413));
  });

  it('415 for a body that is not application/json', async () => {
    const body = JSON.stringify({ name: uniqueName('plain'), tasks: [task('a')] });
    await writesNothing(async () => {
      problem(await send('POST', '/v1/definitions', body, 'text/plain'), 415);
      problem(await send('POST', '/v1/runs', 'definition=x', 'application/x-www-form-urlencoded'), 415);
    });
  });

  it('404 for an unknown definition name and an unknown run', async () => {
    await writesNothing(async () => {
      problem(await send('GET', `/v1/definitions/${uniqueName('missing')}`), 404);
      problem(await postJson('/v1/runs', { definition: uniqueName('missing') }), 404);
      const id = randomUUID();
      problem(await send('GET', `/v1/runs/${id}`), 404);
      problem(await send('GET', `/v1/runs/${id}/events`), 404);
      problem(await send('POST', `/v1/runs/${id}/cancel`), 404);
      problem(await send('POST', `/v1/runs/${id}/retry`), 404);
    });
  });

  it('404 for a malformed run id', async () => {
    await writesNothing(async () => {
      for (const id of ['nope', '12345', `${randomUUID()}0`]) {
        problem(await send('GET', `/v1/runs/${id}`), 404);
        problem(await send('GET', `/v1/runs/${id}/events`), 404);
        problem(await send('POST', `/v1/runs/${id}/cancel`, ''), 404);
        problem(await send('POST', `/v1/runs/${id}/retry`), 404);
      }
    });
  });

  it('404 problem for an unknown route', async () => {
    problem(await send('GET', '/v1/nothing-here', undefined, undefined, 'an unknown route'), 404);
  });

  describe('a finished run', () => {
    let runId: string;

    beforeAll(async () => {
      const started = await postJson('/v1/runs', {
        definition: {
          name: uniqueName('finishing'),
          tasks: [{ key: 'wait', type: 'delay', input: { ms: 0 } }],
        },
      });
      expect(started.statusCode).toBe(201);
      runId = started.json<{ id: string }>().id;
      await waitForStatus(runId, 'COMPLETED');
    });

    it('422 on cancel, with or without an (empty) body', async () => {
      await writesNothing(async () => {
        const body = problem(
          await send('POST', `/v1/runs/${runId}/cancel`, JSON.stringify({ reason: 'late' })),
          422,
        );
        expect(body.detail).toMatch(/COMPLETED|cancel/i);
        problem(await send('POST', `/v1/runs/${runId}/cancel`, ''), 422);
        problem(await send('POST', `/v1/runs/${runId}/cancel`), 422);
      });
    });

    it('422 on retry', async () => {
      await writesNothing(async () => problem(await send('POST', `/v1/runs/${runId}/retry`), 422));
    });
  });

  /** Polls the run until it has `status` (the orchestrator finishes `delay` runs on its own). */
  async function waitForStatus(id: string, status: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const res = await send('GET', `/v1/runs/${id}`);
      if (res.json<{ status: string }>().status === status) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`run ${id} did not reach ${status}`);
  }
});
