import type { Logger } from 'pino';
import { NestFactory } from '@nestjs/core';
import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../infrastructure/config/app-config.js';
import { isLoopbackHost } from '../infrastructure/config/auth-config.js';
import { ConfigError } from '../infrastructure/config/config-variables.js';
import { createFastifyAdapter } from '../interfaces/http/http-app.js';
import { OperationsHttpModule } from '../interfaces/http/operations-http.module.js';
import { echoRequestId } from '../interfaces/http/request-logging.js';
import { installSecurityHeaders } from '../interfaces/http/security-headers.js';
import { installHttpAuthentication } from '../interfaces/identity/http-authentication.js';
import { refused, type CredentialVerifier } from '../application/ports/credential-verifier.js';
import type { CreateAppOptions } from './app-options.js';
import { AppModule } from './app.module.js';
import type { SagaflowRuntime } from './composition/sagaflow-runtime.js';

/** Nobody signs in on the operations port: only the metrics token opens `/metrics` there. */
const NO_CREDENTIALS: CredentialVerifier = {
  verify: async () => refused('this port serves /metrics and /health only'),
};

/**
 * Beyond loopback the operations port needs `SAGAFLOW_METRICS_TOKEN` (nobody signs in there),
 * unless `SAGAFLOW_AUTH=off` says otherwise explicitly. Checked before anything is built.
 */
export function checkOperationsPortMode(
  config: Pick<AppConfig, 'roles' | 'metricsPort' | 'host' | 'metricsToken' | 'authExplicitlyOff'>,
): void {
  if (config.roles.has('api') || config.metricsPort === null) return;
  if (isLoopbackHost(config.host) || config.metricsToken !== null || config.authExplicitlyOff) return;
  throw new ConfigError(
    'SAGAFLOW_METRICS_PORT',
    `HOST=${config.host} would open /metrics beyond loopback to anyone; set SAGAFLOW_METRICS_TOKEN (or SAGAFLOW_AUTH=off explicitly)`,
  );
}

/**
 * The Nest application of a process without the api role that serves `/metrics` and
 * `/health/*` on `SAGAFLOW_METRICS_PORT` (docs/operations.md, "Metrics from every role"),
 * listening before the dependencies connect, like the api. Health is public as on the api;
 * `/metrics` needs `SAGAFLOW_METRICS_TOKEN` when it is set ({@link checkOperationsPortMode}).
 */
export async function startOperationsHttp(
  runtime: SagaflowRuntime,
  config: AppConfig,
  options: CreateAppOptions,
  logging: { nest: LoggerService; logger: Logger },
): Promise<{ app: NestFastifyApplication; url: string }> {
  const port = config.metricsPort!;
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRuntime(runtime, options, [OperationsHttpModule]),
    createFastifyAdapter(),
    { logger: logging.nest, abortOnError: false },
  );
  try {
    const fastify = app.getHttpAdapter().getInstance();
    await installSecurityHeaders(fastify);
    installHttpAuthentication(fastify, {
      enabled: false,
      metricsToken: config.metricsToken,
      verifier: NO_CREDENTIALS,
    });
    echoRequestId(fastify);
    app.enableShutdownHooks();
    await app.listen(port, config.host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://${reachableHost(config.host)}:${address.port}`;
  logging.logger.info({ url }, `sagaflow serving /metrics and /health on ${url}`);
  return { app, url };
}

/** A host a client on this machine can dial for the listening address. */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]' || host === 'localhost') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
