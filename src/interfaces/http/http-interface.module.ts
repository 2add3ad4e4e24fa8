import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { HTTP_CONTROLLERS } from './controllers/http-controllers.js';
import { ProblemExceptionFilter } from './problem/problem-exception.filter.js';

/**
 * REST (`/v1`), health and metrics endpoints. Controllers only talk to the command and query
 * buses, so this module imports no infrastructure; the app module registers the handlers and
 * may provide `READINESS_PROBES` and `METRICS_SOURCE`. Terminus logs nothing: a failing
 * readiness is in its answer, and each dependency's adapter logs its own outage. The filter is
 * global (`APP_FILTER`) because Fastify-level errors and unknown routes reach only global filters.
 */
@Module({
  imports: [CqrsModule, TerminusModule.forRoot({ logger: false })],
  controllers: HTTP_CONTROLLERS,
  providers: [{ provide: APP_FILTER, useClass: ProblemExceptionFilter }],
})
export class HttpInterfaceModule {}
