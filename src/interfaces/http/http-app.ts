import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { installBodyParsers } from './body-parsers.js';
import { setupOpenApi } from './openapi/swagger.js';
import { BODY_LIMIT_BYTES } from './problem/problem-mapper.js';
import type { Logger } from 'pino';
import { echoRequestId, installRequestLog, requestIdOf } from './request-logging.js';

export { HttpInterfaceModule } from './http-interface.module.js';
export { READINESS_PROBES, type ReadinessProbe } from './health/readiness.js';
export { METRICS_SOURCE, type MetricsSource } from './metrics/metrics.controller.js';

/** The Fastify adapter the api role runs on, with the contract's (docs/contract.md#rest-api) 1 MiB body limit and request ids. */
export function createFastifyAdapter(): FastifyAdapter {
  return new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, genReqId: requestIdOf });
}

/**
 * Installs what the module alone cannot: body parsers (only JSON; empty JSON allowed), the
 * `x-request-id` response header, the request log, and the OpenAPI document and UI. Call after `NestFactory.create` and before `init`/`listen`.
 * Typed as `INestApplication` so callers need not name the platform; it must be Fastify.
 */
export async function configureHttp(
  app: INestApplication | NestFastifyApplication,
  requestLog?: Logger,
): Promise<void> {
  const fastifyApp = asFastify(app);
  installBodyParsers(fastifyApp);
  const fastify = fastifyApp.getHttpAdapter().getInstance();
  echoRequestId(fastify);
  if (requestLog) installRequestLog(fastify, requestLog);
  setupOpenApi(fastifyApp);
}

function asFastify(app: INestApplication): NestFastifyApplication {
  const platform = app.getHttpAdapter().getType();
  if (platform !== 'fastify') throw new Error(`configureHttp needs the Fastify adapter, got ${platform}`);
  return app as NestFastifyApplication;
}
