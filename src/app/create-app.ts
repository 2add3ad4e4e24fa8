import 'reflect-metadata';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig, type AppConfig } from '../infrastructure/config/app-config.js';
import type { MessagingLogger } from '../infrastructure/messaging/logger.js';
import { SagaflowRuntime } from '../infrastructure/runtime/sagaflow-runtime.js';
import { AppModule } from './app.module.js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureHttp, createFastifyAdapter, HttpInterfaceModule } from '../interfaces/http/http-app.js';
import type { CreateAppOptions } from './app-options.js';
import { GraphqlInterfaceModule } from '../interfaces/graphql/graphql-interface.module.js';
import { SagaflowWsAdapter } from '../interfaces/realtime/sagaflow-ws-adapter.js';
import { UpgradeRoutes } from '../interfaces/realtime/upgrade-routes.js';
import { WsInterfaceModule } from '../interfaces/ws/ws-interface.module.js';

export type { CreateAppOptions };

export interface SagaflowApp {
  app: INestApplicationContext;
  runtime: SagaflowRuntime;
  config: AppConfig;
  /** Listening URL of the api role, or null. */
  url: string | null;
  close(): Promise<void>;
}

/**
 * Builds (and, with the api role, starts listening) one Sagaflow process: the roles of
 * `config.roles` over one runtime. Used by `main.ts` and by tests.
 */
export async function createApp(
  overrides: Partial<AppConfig> = {},
  options: CreateAppOptions = {},
): Promise<SagaflowApp> {
  const config = { ...loadConfig(), ...overrides };
  const nestLogger = new Logger('sagaflow');
  const logger: MessagingLogger = {
    log: (m) => nestLogger.log(m),
    warn: (m) => nestLogger.warn(m),
    error: (m) => nestLogger.error(m),
  };
  const runtime = await SagaflowRuntime.create(config, logger);
  try {
    if (config.roles.has('api')) {
      const app = await NestFactory.create<NestFastifyApplication>(
        AppModule.forRuntime(runtime, options, [
          HttpInterfaceModule,
          WsInterfaceModule.register(options.ws),
          GraphqlInterfaceModule,
        ]),
        createFastifyAdapter(),
        { logger: ['error', 'warn'], abortOnError: false },
      );
      app.useWebSocketAdapter(new SagaflowWsAdapter(app, app.get(UpgradeRoutes)));
      await configureHttp(app);
      app.enableShutdownHooks();
      await app.listen(config.port, '0.0.0.0');
      const address = app.getHttpServer().address() as { port: number };
      return { app, runtime, config, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
    }
    const app = await NestFactory.createApplicationContext(AppModule.forRuntime(runtime, options), {
      logger: ['error', 'warn'],
      abortOnError: false,
    });
    app.enableShutdownHooks();
    await app.init();
    return { app, runtime, config, url: null, close: () => app.close() };
  } catch (error) {
    await runtime.close().catch(() => undefined);
    throw error;
  }
}
