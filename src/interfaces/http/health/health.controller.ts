import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiJson } from '../openapi/api-docs.decorators.js';
import { runProbes, type HealthReport } from './health-report.js';
import { READINESS_PROBES, type ReadinessProbe } from './readiness.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Optional() @Inject(READINESS_PROBES) private readonly probes: ReadinessProbe | null = null) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up (checks nothing else)' })
  @ApiJson(200, 'Health', 'alive')
  live(): HealthReport {
    return { status: 'ok', info: {}, error: {} };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Every dependency of every role of this process is ready' })
  @ApiJson(200, 'Health', 'ready')
  @ApiJson(503, 'Health', 'not ready; failing dependencies under `error`')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    const report = await runProbes(this.probes ?? []);
    void reply.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
