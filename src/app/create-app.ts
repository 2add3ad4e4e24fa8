import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { loadConfig, type AppConfig } from '../infrastructure/config/app-config.js';
import { isLoopbackHost } from '../infrastructure/config/auth-config.js';
import { ConfigError } from '../infrastructure/config/config-variables.js';
import { createLogger } from '../infrastructure/logging/create-logger.js';
import { PinoAppLogger } from '../infrastructure/logging/pino-app-logger.js';
import { runTracing } from '../infrastructure/telemetry/start-tracing.js';
import { SagaflowRuntime } from './composition/sagaflow-runtime.js';
import { AppModule } from './app.module.js';
import { RolesService } from './roles.service.js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureHttp, createFastifyAdapter, HttpInterfaceModule } from '../interfaces/http/http-app.js';
import type { CreateAppOptions } from './app-options.js';
import { GraphqlInterfaceModule } from '../interfaces/graphql/graphql-interface.module.js';
import { SagaflowWsAdapter } from '../interfaces/realtime/sagaflow-ws-adapter.js';
import { installSecurityHeaders } from '../interfaces/http/security-headers.js';
import { UpgradeRoutes } from '../interfaces/realtime/upgrade-routes.js';
import { WsInterfaceModule } from '../interfaces/ws/ws-interface.module.js';
import { nestLogging } from './nest-logging.js';
import { buildAsyncApiDocument } from './asyncapi-document.js';
import { buildCredentialVerifier } from './composition/credentials.js';
import { StoredApiKeyVerifier } from '../application/api-keys/stored-api-key-verifier.js';
import { systemClock } from '../application/ports/clock.js';
import { RedisThrottlerStorage } from '../infrastructure/rate-limit/redis-throttler-storage.js';
import { AUTHENTICATION, type Authentication } from '../interfaces/identity/authenticate.js';
import { installHttpAuthentication } from '../interfaces/identity/http-authentication.js';
import { checkOperationsPortMode, reachableHost, startOperationsHttp } from './operations-http.js';

export type { CreateAppOptions };

export interface SagaflowApp {
  app: INestApplicationContext;
  runtime: SagaflowRuntime;
  config: AppConfig;
  /** The process's pino logger (JSON lines on stdout at `LOG_LEVEL`). */
  logger: Logger;
  /** Listening URL of the api role, or null. */
  url: string | null;
  /** Without the api role: where `/metrics` and `/health/*` answer (`SAGAFLOW_METRICS_PORT`), or null. */
  metricsUrl: string | null;
  close(): Promise<void>;
}

/**
 * Builds one Sagaflow process — the roles of `config.roles` over one runtime — and resolves once
 * every role has started. With the api role the HTTP port opens first, before any dependency is
 * connected: `/health/live` answers 200 and `/health/ready` 503 (naming what is down) while the
 * database and the broker are retried in the background (docs/architecture.md, "Startup order").
 * Used by `main.ts` and by tests.
 */
export async function createApp(
  overrides: Partial<AppConfig> = {},
  options: CreateAppOptions = {},
): Promise<SagaflowApp> {
  const config = { ...loadConfig(), ...overrides };
  const logger = createLogger({
    level: config.logLevel,
    traceCorrelation: runTracing().enabled,
    destination: options.logDestination,
  });
  if (config.roles.has('api')) checkAuthMode(config, logger);
  checkOperationsPortMode(config);
  const runtime = SagaflowRuntime.build(config, new PinoAppLogger(logger));
  let app: INestApplicationContext | null = null;
  try {
    const nestLogger = nestLogging(logger);
    let url: string | null = null;
    let metricsUrl: string | null = null;
    if (config.roles.has('api')) {
      const authentication: Authentication = {
        enabled: config.auth,
        metricsToken: config.metricsToken,
        verifier: await buildCredentialVerifier(
          config,
          new StoredApiKeyVerifier(runtime.apiKeys, systemClock),
        ),
      };
      const http = await NestFactory.create<NestFastifyApplication>(
        AppModule.forRuntime(
          runtime,
          options,
          [
            HttpInterfaceModule,
            WsInterfaceModule.register(options.ws),
            GraphqlInterfaceModule.forRoot({ production: config.production }),
          ],
          [{ provide: AUTHENTICATION, useValue: authentication }],
        ),
        createFastifyAdapter(),
        { logger: nestLogger, abortOnError: false },
      );
      app = http;
      await installSecurityHeaders(http.getHttpAdapter().getInstance());
      installHttpAuthentication(http.getHttpAdapter().getInstance(), authentication, {
        budget: config.rateLimit,
        storage: new RedisThrottlerStorage(runtime.readSide.redis),
      });
      http.useWebSocketAdapter(new SagaflowWsAdapter(http, http.get(UpgradeRoutes), config.allowedOrigins));
      await configureHttp(http, logger);
      // Beside the OpenAPI document (/docs/json): the messages' AsyncAPI document, built once.
      const asyncApi = buildAsyncApiDocument();
      http
        .getHttpAdapter()
        .getInstance()
        .get('/asyncapi.json', async () => asyncApi);
      http.enableShutdownHooks();
      await http.listen(config.port, config.host);
      const address = http.getHttpServer().address() as { port: number };
      url = `http://${reachableHost(config.host)}:${address.port}`;
      options.onListening?.(url, logger);
    } else if (config.metricsPort !== null) {
      const operations = await startOperationsHttp(runtime, config, options, { nest: nestLogger, logger });
      app = operations.app;
      metricsUrl = operations.url;
    } else {
      app = await NestFactory.createApplicationContext(AppModule.forRuntime(runtime, options), {
        logger: nestLogger,
        abortOnError: false,
      });
      app.enableShutdownHooks();
      await app.init();
    }
    await runtime.connect();
    await app.get(RolesService).start();
    const started = app;
    return { app: started, runtime, config, logger, url, metricsUrl, close: () => started.close() };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await runtime.close().catch(() => undefined);
    throw error;
  }
}

/**
 * docs/security.md#authentication-and-roles, "Mode": beyond loopback the api needs auth, unless `SAGAFLOW_AUTH=off` says otherwise
 * explicitly — then it starts, with a warning.
 */
function checkAuthMode(config: AppConfig, logger: Logger): void {
  if (config.auth || isLoopbackHost(config.host)) return;
  if (!config.authExplicitlyOff) {
    throw new ConfigError(
      'SAGAFLOW_AUTH',
      `HOST=${config.host} listens beyond loopback with auth off; set SAGAFLOW_AUTH=on, or SAGAFLOW_AUTH=off explicitly`,
    );
  }
  logger.warn(
    { host: config.host },
    'SAGAFLOW_AUTH=off while listening beyond loopback: every caller is an admin',
  );
}
