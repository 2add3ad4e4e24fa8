import { describe, expect, it } from '@jest/globals';
import { OpenApiResponses } from '../../../e2e/support/openapi-responses.js';

const RUN_ID = '0b7c6a52-2f7e-4d47-9a55-0f3c1d2e4b6a';
const JSON_TYPE = 'application/json; charset=utf-8';
const run = {
  id: RUN_ID,
  namespace: 'default',
  definition: { name: 'demo', version: 1 },
  status: 'RUNNING',
  priority: null,
  idempotencyKey: null,
  error: null,
  createdAt: '2026-12-04T19:00:00.000Z',
  startedAt: '2026-12-04T19:00:00.000Z',
  finishedAt: null,
  input: {},
  output: null,
  tasks: [
    {
      key: 'a',
      type: 'noop',
      dependsOn: [],
      status: 'QUEUED',
      attempts: 1,
      output: null,
      error: null,
      queuedAt: '2026-12-04T19:00:00.000Z',
      startedAt: null,
      finishedAt: null,
      compensation: null,
    },
  ],
};

describe('the e2e response checker', () => {
  const checker = new OpenApiResponses();
  const check = (method: string, url: string, status: number, body: unknown, type = JSON_TYPE) =>
    checker.check(method, url, status, type, JSON.stringify(body));

  it('accepts a documented answer', () => {
    expect(() => check('GET', `/v1/runs/${RUN_ID}`, 200, run)).not.toThrow();
    const problem = { type: 'about:blank', title: 'Not Found', status: 404, detail: 'run x not found' };
    expect(() => check('GET', '/v1/runs/x', 404, problem, 'application/problem+json')).not.toThrow();
    expect(() =>
      check('GET', `/v1/runs/${RUN_ID}/events?after=2`, 200, { items: [], nextCursor: null }),
    ).not.toThrow();
  });

  it('refuses a body that does not match, naming the field', () => {
    const wrong = { ...run, tasks: [{ ...run.tasks[0], status: 'DONE' }] };
    expect(() => check('GET', `/v1/runs/${RUN_ID}`, 200, wrong)).toThrow(/\/tasks\/0\/status/);
    expect(() => check('GET', `/v1/runs/${RUN_ID}`, 200, { ...run, extra: 1 })).toThrow(/does not match/);
  });

  it('refuses an unknown route, an undocumented status and an undocumented media type', () => {
    expect(() => check('GET', '/v1/nothing', 200, {})).toThrow(/no route/);
    expect(() => check('DELETE', `/v1/runs/${RUN_ID}`, 200, {})).toThrow(/no DELETE/);
    expect(() => check('GET', `/v1/runs/${RUN_ID}`, 409, {})).toThrow(/not documented/);
    expect(() => check('GET', `/v1/runs/${RUN_ID}`, 200, run, 'text/plain')).toThrow(/media type/);
  });
});
