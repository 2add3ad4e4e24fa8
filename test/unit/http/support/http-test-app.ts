import 'reflect-metadata';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  configureHttp,
  createFastifyAdapter,
  HttpInterfaceModule,
} from '../../../../src/interfaces/http/http-app.js';
import { FakeApplicationModule } from './fake-application.js';

@Module({})
class ExtraProviders {
  static with(providers: Provider[]): DynamicModule {
    return { module: ExtraProviders, global: true, providers, exports: providers.map(tokenOf) };
  }
}

function tokenOf(provider: Provider) {
  return typeof provider === 'function' ? provider : provider.provide;
}

@Module({ imports: [FakeApplicationModule, HttpInterfaceModule] })
class HttpTestRoot {}

/** The HTTP interface over the fake application layer, initialised and ready for `inject`. */
export async function createHttpTestApp(providers: Provider[] = []): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    { module: HttpTestRoot, imports: [ExtraProviders.with(providers)] },
    createFastifyAdapter(),
    { logger: false, abortOnError: false },
  );
  await configureHttp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
