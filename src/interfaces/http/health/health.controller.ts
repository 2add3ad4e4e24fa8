import { Controller, Get, HttpException, Inject, Optional, Res } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { ApiRoute, problems } from '../openapi/route-doc.js';
import { Health } from '../../../application/contracts/schemas/health.js';
import { dependencyIndicators } from './dependency-indicators.js';
import { READINESS_PROBES, type ReadinessProbe } from './readiness.js';

/** the contract's (docs/contract.md#observability) shape: terminus's, with the overall status kept to `ok` | `error`. */
export interface HealthReport {
  status: 'ok' | 'error';
  info: HealthCheckResult['info'];
  error: HealthCheckResult['error'];
  details: HealthCheckResult['details'];
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Optional() @Inject(READINESS_PROBES) private readonly probes: ReadinessProbe | null = null,
  ) {}

  /**
   * The process answers: nothing else is checked, so an outage of a shared dependency does not
   * make every instance restart (that is what readiness is for).
   */
  @Get('live')
  @ApiRoute({
    operationId: 'live',
    summary: 'The process is up (checks nothing else)',
    tag: 'health',
    responses: { 200: { description: 'alive', schema: Health }, ...problems([], false) },
  })
  live(): HealthReport {
    return { status: 'ok', info: {}, error: {}, details: {} };
  }

  @Get('ready')
  @ApiRoute({
    operationId: 'ready',
    summary: 'Every dependency of every role of this process is ready',
    tag: 'health',
    responses: {
      ...problems([], false),
      200: {
        description: 'ready; an optional dependency that is down is `degraded` under `info`',
        schema: Health,
      },
      503: { description: 'not ready; failing dependencies under `error`', schema: Health },
    },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    const result = await this.check();
    // Terminus says `degraded` when only optional dependencies are down, and `shutting_down`
    // while the process stops; the contract has ok | error, and a stopping process takes no traffic.
    const ok = result.status === 'ok' || result.status === 'degraded';
    void reply.status(ok ? 200 : 503);
    return {
      status: ok ? 'ok' : 'error',
      info: result.info ?? {},
      error: result.error ?? {},
      details: result.details,
    };
  }

  /** Terminus throws its 503 with the result as the body; the body is what we answer with. */
  private async check(): Promise<HealthCheckResult> {
    try {
      return await this.health.check(dependencyIndicators(this.indicators, this.probes ?? []));
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() === 503) {
        return error.getResponse() as HealthCheckResult;
      }
      throw error;
    }
  }
}
