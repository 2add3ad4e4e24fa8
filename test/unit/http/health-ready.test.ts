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
  const up = async () => true;
  const refused = async (): Promise<boolean> => {
    throw new Error('ECONNREFUSED');
  };
  const indicator = (status: string, extra: Record<string, unknown> = {}) => ({
    status,
    responseTime: expect.any(Number),
    ...extra,
  });

  it('is 200 with no probes provided', async () => {
    const res = await ready();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('is 200 with every probe up, one entry per dependency', async () => {
    const res = await ready([
      { name: 'postgres', check: up },
      { name: 'rabbitmq', check: up },
      { name: 'redis', required: false, check: up },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json<Record<string, Record<string, unknown>>>();
    expect(body).toEqual({
      status: 'ok',
      info: { postgres: indicator('up'), rabbitmq: indicator('up'), redis: indicator('up') },
      error: {},
      details: body.info,
    });
  });

  it('is 503 naming the failing required probes under error', async () => {
    const res = await ready([
      { name: 'postgres', check: up },
      { name: 'rabbitmq', check: async () => false },
      { name: 'redis', check: refused },
    ]);
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({
      status: 'error',
      info: { postgres: indicator('up') },
      error: {
        rabbitmq: indicator('down', { message: 'not ready' }),
        redis: indicator('down', { message: 'ECONNREFUSED' }),
      },
    });
  });

  it('stays 200 with an optional dependency down, shown as degraded under info', async () => {
    const res = await ready([
      { name: 'postgres', check: up },
      { name: 'rabbitmq', check: up },
      { name: 'redis', required: false, check: refused },
      { name: 'postgres_replica_0', required: false, check: refused },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      info: {
        postgres: indicator('up'),
        rabbitmq: indicator('up'),
        redis: indicator('degraded', { message: 'ECONNREFUSED' }),
        postgres_replica_0: indicator('degraded', { message: 'ECONNREFUSED' }),
      },
      error: {},
      details: expect.any(Object),
    });
  });

  it('is 503 when a required probe fails even if only optional ones are degraded besides', async () => {
    const res = await ready([
      { name: 'postgres', check: refused },
      { name: 'redis', required: false, check: refused },
    ]);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      status: 'error',
      info: { redis: { status: 'degraded' } },
      error: { postgres: { status: 'down', message: 'ECONNREFUSED' } },
    });
  });

  it('counts a probe that does not answer as down, and aborts it', async () => {
    let aborted = false;
    const res = await ready([
      {
        name: 'postgres',
        check: (signal) =>
          new Promise<boolean>((resolve) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              resolve(true);
            });
          }),
      },
    ]);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      error: { postgres: { status: 'down', message: expect.stringMatching(/^timeout of \d+ms exceeded$/) } },
    });
    expect(aborted).toBe(true);
  });
});
