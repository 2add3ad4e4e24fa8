import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import Type from 'typebox';
import type { FastifyReply } from 'fastify';
import { Registry } from 'prom-client';
import { ApiRoute, problems } from '../openapi/route-doc.js';

/**
 * What `/metrics` serves: a prom-client `Registry` fits. The composition root provides the
 * process's own registry; without it the endpoint answers an empty exposition.
 */
export const METRICS_SOURCE = Symbol('MetricsSource');

export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

@Controller('metrics')
export class MetricsController {
  private readonly source: MetricsSource;

  constructor(@Optional() @Inject(METRICS_SOURCE) source: MetricsSource | null = null) {
    this.source = source ?? new Registry();
  }

  @Get()
  @ApiRoute({
    operationId: 'metrics',
    summary: 'Prometheus metrics of this process (text exposition format)',
    tag: 'observability',
    responses: {
      200: {
        description: 'every series; see docs/operations.md "Metrics"',
        contentType: 'text/plain',
        schema: Type.String(),
      },
      ...problems([], false),
    },
  })
  async metrics(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const text = await this.source.metrics();
    void reply.type(this.source.contentType);
    return text;
  }
}
