import { afterEach, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { READINESS_PROBES, type ReadinessProbe } from '../../../src/interfaces/http/health/readiness.js';
import { createHttpTestApp } from './support/http-test-app.js';

describe('/health/ready', () => {
  let app: NestFastifyApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const ready = async (probes?: ReadinessProbe) => {
    app = await createHttpTestApp(probes ? [{ provide: READINESS_PROBES, useValue: probes }] : []);
    return app.inject({ method: 'GET', url: '/health/ready' });
  };

  it('is 200 with no probes provided', async () => {
    const res = await ready();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', info: {}, error: {} });
  });

  it('is 200 with every probe up', async () => {
    const res = await ready([
      { name: 'postgres', check: async () => true },
      { name: 'rabbitmq', check: async () => true },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      info: { postgres: { status: 'up' }, rabbitmq: { status: 'up' } },
      error: {},
    });
  });

  it('is 503 naming the failing probes under error', async () => {
    const res = await ready([
      { name: 'postgres', check: async () => true },
      { name: 'rabbitmq', check: async () => false },
      {
        name: 'redis',
        check: async () => {
          throw new Error('ECONNREFUSED');
        },
      },
    ]);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      status: 'error',
      info: { postgres: { status: 'up' } },
      error: { rabbitmq: { status: 'down' }, redis: { status: 'down', message: 'ECONNREFUSED' } },
    });
  });
});
