import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health/health.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { ProblemExceptionFilter } from './problem/problem-exception.filter.js';

/**
 * `/metrics` and `/health/*` alone, for a process without the api role: what Prometheus and an
 * orchestrator's probes need from a worker, relay or orchestrator (docs/operations.md, "Metrics
 * from every role"). The same controllers as the api's, so the answers are the same.
 */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [{ provide: APP_FILTER, useClass: ProblemExceptionFilter }],
})
export class OperationsHttpModule {}
