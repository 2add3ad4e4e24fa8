import { runView } from '../../../src/application/queries/run-view.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CancelRunCommand } from '../../../src/application/commands/cancel-run.js';
import { ConflictError } from '../../../src/application/errors.js';
import { DomainValidationError, InvalidStateError } from '../../../src/domain/shared/domain-error.js';
import { script, snapshot } from './support/fake-application.js';
import { createHttpTestApp } from './support/http-test-app.js';
import { localAdmin } from '../../../src/application/actor.js';

const RUN_ID = '0b7c6a52-2f7e-4d47-9a55-0f3c1d2e4b6a';

describe('HTTP errors are problem+json', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createHttpTestApp();
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => script.reset());

  const post = (url: string, payload: string | undefined, contentType = 'application/json') =>
    app.inject({ method: 'POST', url, payload, headers: contentType ? { 'content-type': contentType } : {} });

  function expectProblem(res: Awaited<ReturnType<typeof post>>, status: number) {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
    expect(typeof body.detail).toBe('string');
    return body;
  }

  it('400 for malformed JSON, before any handler runs', async () => {
    const body = expectProblem(await post('/v1/definitions', '{"name": '), 400);
    expect(body.detail).toMatch(/not valid JSON/);
    expect(script.received).toHaveLength(0);
  });

  it('400 naming every invalid field by JSON path', async () => {
    script.next = () => {
      throw new DomainValidationError([
        { path: 'tasks[0].dependsOn[0]', message: 'unknown task "x"' },
        { path: 'tasks[1].retry.maxAttempts', message: 'must be ≥ 1' },
      ]);
    };
    // A valid definition, so that the (fake) handler runs and its error is what is mapped.
    const definition = JSON.stringify({ name: 'demo', tasks: [{ key: 'a', type: 'noop' }] });
    const body = expectProblem(await post('/v1/definitions', definition), 400);
    expect(body.errors).toEqual([
      { path: 'tasks[0].dependsOn[0]', message: 'unknown task "x"' },
      { path: 'tasks[1].retry.maxAttempts', message: 'must be ≥ 1' },
    ]);
  });

  it('413 over 1 MiB', async () => {
    const big = JSON.stringify({ name: 'big', padding: 'x'.repeat(1_048_576) });
    expectProblem(await post('/v1/definitions', big), 413);
    expect(script.received).toHaveLength(0);
  });

  it.each([
    ['text/plain', 'hello'],
    ['application/x-www-form-urlencoded', 'a=1'],
    ['application/xml', '<a/>'],
  ])('415 for a %s body', async (contentType, payload) => {
    expectProblem(await post('/v1/runs', payload, contentType), 415);
    expect(script.received).toHaveLength(0);
  });

  it('415 for a body without a content type', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/runs', payload: Buffer.from('{}') });
    expectProblem(res, 415);
  });

  it('an empty JSON body where the body is optional is no body', async () => {
    script.next = () => runView(snapshot(RUN_ID), null);
    const res = await post(`/v1/runs/${RUN_ID}/cancel`, '');
    expect(res.statusCode).toBe(202);
    expect(script.received).toEqual([new CancelRunCommand(localAdmin(), RUN_ID, { reason: null })]);
  });

  it('cancel and retry without any body', async () => {
    script.next = () => runView(snapshot(RUN_ID), null);
    const cancel = await app.inject({ method: 'POST', url: `/v1/runs/${RUN_ID}/cancel` });
    const retry = await app.inject({ method: 'POST', url: `/v1/runs/${RUN_ID}/retry` });
    expect([cancel.statusCode, retry.statusCode]).toEqual([202, 202]);
    expect(cancel.json()).toMatchObject({ id: RUN_ID, status: 'RUNNING', tasks: [] });
  });

  it('404 problem for an unknown route', async () => {
    const body = expectProblem(await app.inject({ method: 'GET', url: '/v1/nowhere' }), 404);
    expect(body.detail).toMatch(/\/v1\/nowhere/);
  });

  it.each(['not-a-uuid', '123', `${RUN_ID}x`])(
    '404 for the malformed run id %s, without a query',
    async (id) => {
      expectProblem(await app.inject({ method: 'GET', url: `/v1/runs/${id}/events` }), 404);
      expectProblem(await post(`/v1/runs/${id}/cancel`, undefined, ''), 404);
      expect(script.received).toHaveLength(0);
    },
  );

  it('404 for a definition version that cannot be one', async () => {
    expectProblem(await app.inject({ method: 'GET', url: '/v1/definitions/demo/versions/abc' }), 404);
  });

  it('409 for a conflict and 422 for a forbidden state', async () => {
    script.next = () => {
      throw new ConflictError('idempotency key "k" was used for a different request');
    };
    expectProblem(await post('/v1/runs', '{"definition":"demo"}'), 409);
    script.next = () => {
      throw new InvalidStateError('run is COMPLETED');
    };
    const body = expectProblem(await post(`/v1/runs/${RUN_ID}/cancel`, undefined, ''), 422);
    expect(body.detail).toBe('run is COMPLETED');
  });

  it('503 with Retry-After when PostgreSQL is unreachable', async () => {
    script.next = () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    };
    const res = await app.inject({ method: 'GET', url: '/v1/definitions' });
    expectProblem(res, 503);
    expect(res.headers['retry-after']).toBe('5');
  });

  it('500 without internals for an unknown error', async () => {
    script.next = () => {
      throw new Error('secret internal detail');
    };
    const res = await app.inject({ method: 'GET', url: '/v1/runs' });
    expectProblem(res, 500);
    expect(res.body).not.toMatch(/secret internal detail|at .*\.ts/);
  });
});
