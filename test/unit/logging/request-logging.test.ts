import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { requestIdOf, requestLogLevel } from '../../../src/interfaces/http/request-logging.js';
import { createHttpTestApp } from '../http/support/http-test-app.js';

function request(
  url: string,
  headers: Record<string, string> = {},
  originalUrl?: string,
  method = 'POST',
): IncomingMessage {
  return { url, headers, originalUrl, method } as unknown as IncomingMessage;
}

const response = (statusCode = 200) => ({ statusCode }) as ServerResponse;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('are the caller’s x-request-id when usable', () => {
    expect(requestIdOf(request('/v1/runs', { 'x-request-id': 'checkout-42' }))).toBe('checkout-42');
    expect(requestIdOf(request('/v1/runs', { 'x-request-id': 'svc:a.b_c-1' }))).toBe('svc:a.b_c-1');
  });

  it('are new when the caller sent none or an unusable one', () => {
    for (const id of ['', 'a b', 'x'.repeat(129), 'naïve', 'a"b', '<script>', 'a/b', '{x}', 'a\\nb']) {
      expect(requestIdOf(request('/v1/runs', { 'x-request-id': id }))).toMatch(UUID);
    }
    expect(requestIdOf(request('/v1/runs'))).toMatch(UUID);
  });

  describe('over HTTP', () => {
    let app: NestFastifyApplication;
    beforeAll(async () => {
      app = await createHttpTestApp();
    });
    afterAll(async () => {
      await app.close();
    });

    it('are echoed in every response, errors included', async () => {
      const kept = await app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'abc-1' } });
      expect(kept.statusCode).toBe(404);
      expect(kept.headers['x-request-id']).toBe('abc-1');
      const made = await app.inject({ method: 'GET', url: '/health/live' });
      expect(made.headers['x-request-id']).toMatch(UUID);
    });
  });
});

describe('request log level', () => {
  it('is debug for probes and scrapes, whatever their status', () => {
    for (const url of ['/health/live', '/health/ready', '/metrics', '/metrics?x=1']) {
      expect(requestLogLevel(request(url), response(200))).toBe('debug');
    }
    expect(requestLogLevel(request('/health/ready'), response(503))).toBe('debug');
  });

  it('is error for server faults, warn for 503 and info otherwise', () => {
    expect(requestLogLevel(request('/v1/runs'), response(201))).toBe('info');
    expect(requestLogLevel(request('/v1/runs/x'), response(404))).toBe('info');
    expect(requestLogLevel(request('/v1/runs'), response(500))).toBe('error');
    // A shed start or an outage answered 503: come back later, not a fault of this request.
    expect(requestLogLevel(request('/v1/runs'), response(503))).toBe('warn');
    expect(requestLogLevel(request('/v1/runs'), response(200), new Error('aborted'))).toBe('error');
    expect(requestLogLevel(request('/metricsx'), response(200))).toBe('info');
  });

  it('is debug for successful reads, info for failed ones', () => {
    expect(requestLogLevel(request('/v1/runs/x', {}, undefined, 'GET'), response(200))).toBe('debug');
    expect(requestLogLevel(request('/v1/runs/x', {}, undefined, 'GET'), response(404))).toBe('info');
    expect(requestLogLevel(request('/v1/runs/x', {}, undefined, 'GET'), response(503))).toBe('warn');
  });

  it('goes by the URL the client asked for when middleware rewrote `url`', () => {
    expect(requestLogLevel(request('/', {}, '/health/live'), response())).toBe('debug');
  });
});
