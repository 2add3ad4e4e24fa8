import { Body, Controller, Get, Header, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CancelRunCommand } from '../../../application/commands/cancel-run.js';
import { RetryRunCommand } from '../../../application/commands/retry-run.js';
import { StartRunCommand } from '../../../application/commands/start-run.js';
import {
  GetRunEventsQuery,
  GetRunJsonQuery,
  ListRunsQuery,
} from '../../../application/queries/run-queries.js';
import type { RunView } from '../../../application/queries/run-view.js';
import { RUN_STATUSES } from '../../../domain/run/run-status.js';
import { ApiJson, ApiJsonBody, ApiProblems } from '../openapi/api-docs.decorators.js';
import { listRunsRequest, runEventsRequest, type QueryString } from '../params/query-params.js';
import { parseCancelRun } from '../../../application/contracts/requests/cancel-run.js';
import { parseListRuns } from '../../../application/contracts/requests/list-runs.js';
import { parseRunEvents } from '../../../application/contracts/requests/run-events.js';
import { parseRunId } from '../../../application/contracts/requests/run-id.js';
import { parseStartRun } from '../../../application/contracts/requests/start-run.js';
import type { RunEventPage, RunList } from './query-results.js';
import type { Actor } from '../../../application/actor.js';
import { CurrentActor } from '../../identity/current-actor.js';

@ApiTags('runs')
@Controller('v1/runs')
export class RunsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Start a run of a registered or inline definition' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'used when the body has no idempotencyKey',
  })
  @ApiJsonBody('StartRunRequest')
  @ApiJson(201, 'Run', 'started')
  @ApiJson(200, 'Run', 'idempotent replay: the run first started with this key; nothing written')
  @ApiProblems(400, 404, 409, 413, 415)
  async start(
    @CurrentActor() actor: Actor,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const input = parseStartRun(body, idempotencyKey);
    const { run, created } = await this.commands.execute(new StartRunCommand(actor, input));
    void reply.status(created ? 201 : 200).header('location', `/v1/runs/${run.id}`);
    return run;
  }

  @Get()
  @ApiOperation({ summary: 'Runs, newest first, without tasks, input and output' })
  @ApiQuery({
    name: 'definition',
    required: false,
    description: 'definition name (registered and inline runs)',
  })
  @ApiQuery({ name: 'status', required: false, enum: [...RUN_STATUSES] })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', default: 100, maximum: 1000 } })
  @ApiQuery({ name: 'cursor', required: false, description: '`nextCursor` of the previous page' })
  @ApiQuery({
    name: 'createdAfter',
    required: false,
    description: 'ISO-8601 time: runs created at or after it',
  })
  @ApiQuery({ name: 'createdBefore', required: false, description: 'ISO-8601 time: runs created before it' })
  @ApiJson(200, 'RunList', '`{ items, nextCursor }`')
  @ApiProblems(400)
  async list(@CurrentActor() actor: Actor, @Query() query: QueryString): Promise<RunList> {
    return this.queries.execute(new ListRunsQuery(actor, parseListRuns(listRunsRequest(query))));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One run with its tasks' })
  @ApiJson(200, 'Run', 'the run')
  @ApiProblems(404)
  @Header('content-type', 'application/json; charset=utf-8')
  async get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<string> {
    return this.queries.execute(new GetRunJsonQuery(actor, parseRunId(id)));
  }

  @Get(':id/events')
  @ApiOperation({ summary: "The run's events with seq > after, in order" })
  @ApiQuery({ name: 'after', required: false, schema: { type: 'integer', minimum: 0, default: 0 } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', default: 100, maximum: 1000 } })
  @ApiJson(200, 'RunEventList', '`{ items, nextCursor }`')
  @ApiProblems(400, 404)
  async events(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: QueryString,
  ): Promise<RunEventPage> {
    const runId = parseRunId(id);
    const { request, afterPath } = runEventsRequest(query);
    return this.queries.execute(new GetRunEventsQuery(actor, runId, parseRunEvents(request, afterPath)));
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a RUNNING run (a CANCELLING one: no-op)' })
  @ApiJsonBody('CancelRequest', false)
  @ApiJson(202, 'Run', 'cancel requested')
  @ApiProblems(400, 404, 413, 415, 422)
  async cancel(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<RunView> {
    return this.commands.execute(new CancelRunCommand(actor, parseRunId(id), parseCancelRun(body)));
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Retry a FAILED run or the failed compensations of a COMPENSATION_FAILED one' })
  @ApiJson(202, 'Run', 'retried')
  @ApiProblems(404, 413, 415, 422)
  async retry(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<RunView> {
    return this.commands.execute(new RetryRunCommand(actor, parseRunId(id)));
  }
}
