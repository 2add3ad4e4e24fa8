import { afterEach, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Counter, Registry } from 'prom-client';
import { METRICS_SOURCE } from '../../../src/interfaces/http/metrics/metrics.controller.js';
import { createHttpTestApp } from './support/http-test-app.js';

describe('/metrics', () => {
  let app: NestFastifyApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("serves the provided registry's text exposition with the registry's content type", async () => {
    const registry = new Registry();
    new Counter({ name: 'sagaflow_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    app = await createHttpTestApp([{ provide: METRICS_SOURCE, useValue: registry }]);
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(registry.contentType);
    expect(res.body).toContain('# TYPE sagaflow_test_total counter\nsagaflow_test_total 3\n');
  });

  it('answers an empty exposition when no registry is provided', async () => {
    app = await createHttpTestApp();
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body.trim()).toBe('');
  });
});
