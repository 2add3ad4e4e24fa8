import { FAULTS, type Faults } from '../../../application/ports/faults.js';
import {
  Body,
  Controller,
  Get,
  Header,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { CommandBus, QueryBus, type Command } from '@nestjs/cqrs';
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
import Type from 'typebox';
import { ApiRoute, problems } from '../openapi/route-doc.js';
import { RunEventPage, RunEventsQuery } from '../../../application/contracts/schemas/run-events.js';
import {
  CancelRunRequest,
  Run,
  RunListQuery,
  RunIdParams,
  RunList,
  StartRunHeaders,
  StartRunRequest,
} from '../../../application/contracts/schemas/runs.js';
import { listRunsRequest, runEventsRequest, type QueryString } from '../params/query-params.js';
import { parseCancelRun } from '../../../application/contracts/requests/cancel-run.js';
import { parseListRuns } from '../../../application/contracts/requests/list-runs.js';
import { parseRunEvents } from '../../../application/contracts/requests/run-events.js';
import { parseRunId } from '../../../application/contracts/requests/run-id.js';
import { parseStartRun } from '../../../application/contracts/requests/start-run.js';
import type { RunEventPage as RunEventPageResult, RunList as RunListResult } from './query-results.js';
import type { Actor } from '../../../application/actor.js';
import { CurrentActor } from '../../identity/current-actor.js';

const location = { Location: { description: '`/v1/runs/{id}`', schema: Type.String() } };

@Controller('v1/runs')
export class RunsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(FAULTS) private readonly faults: Faults,
  ) {}

  /** Runs a command; between its commit and the answer lies a fault point (docs/failure-modes.md#fault-hooks). */
  private async command<R>(command: Command<R>): Promise<R> {
    const result = await this.commands.execute(command);
    if (this.faults.armed) await this.faults.at('api.after-commit-before-ack');
    return result;
  }

  @Post()
  @ApiRoute({
    operationId: 'startRun',
    summary: 'Start a run of a registered or inline definition',
    tag: 'runs',
    headers: StartRunHeaders,
    body: { schema: StartRunRequest, required: true },
    responses: {
      201: { description: 'started', schema: Run, headers: location },
      200: {
        description: 'idempotent replay: the run first started with this key; nothing written',
        schema: Run,
        headers: location,
      },
      ...problems([400, 404, 409, 413, 415]),
    },
  })
  async start(
    @CurrentActor() actor: Actor,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const input = parseStartRun(body, idempotencyKey);
    const { run, created } = await this.command(new StartRunCommand(actor, input));
    void reply.status(created ? 201 : 200).header('location', `/v1/runs/${run.id}`);
    return run;
  }

  @Get()
  @ApiRoute({
    operationId: 'listRuns',
    summary: 'Runs, newest first, without tasks, input and output',
    tag: 'runs',
    query: RunListQuery,
    responses: { 200: { description: '`{ items, nextCursor }`', schema: RunList }, ...problems([400]) },
  })
  async list(@CurrentActor() actor: Actor, @Query() query: QueryString): Promise<RunListResult> {
    return this.queries.execute(new ListRunsQuery(actor, parseListRuns(listRunsRequest(query))));
  }

  @Get(':id')
  @ApiRoute({
    operationId: 'getRun',
    summary: 'One run with its tasks',
    tag: 'runs',
    params: RunIdParams,
    responses: { 200: { description: 'the run', schema: Run }, ...problems([404]) },
  })
  @Header('content-type', 'application/json; charset=utf-8')
  async get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<string> {
    return this.queries.execute(new GetRunJsonQuery(actor, parseRunId(id)));
  }

  @Get(':id/events')
  @ApiRoute({
    operationId: 'getRunEvents',
    summary: "The run's events with seq > after, in order",
    tag: 'runs',
    params: RunIdParams,
    query: RunEventsQuery,
    responses: {
      200: { description: '`{ items, nextCursor }`', schema: RunEventPage },
      ...problems([400, 404]),
    },
  })
  async events(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() query: QueryString,
  ): Promise<RunEventPageResult> {
    const runId = parseRunId(id);
    const { request, afterPath } = runEventsRequest(query);
    return this.queries.execute(new GetRunEventsQuery(actor, runId, parseRunEvents(request, afterPath)));
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiRoute({
    operationId: 'cancelRun',
    summary: 'Cancel a RUNNING run (a CANCELLING one: no-op)',
    tag: 'runs',
    params: RunIdParams,
    body: { schema: CancelRunRequest, required: false, description: 'optional; empty is fine' },
    responses: {
      202: { description: 'cancel requested', schema: Run },
      ...problems([400, 404, 413, 415, 422]),
    },
  })
  async cancel(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<RunView> {
    return this.command(new CancelRunCommand(actor, parseRunId(id), parseCancelRun(body)));
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiRoute({
    operationId: 'retryRun',
    summary: 'Retry a FAILED run or the failed compensations of a COMPENSATION_FAILED one',
    tag: 'runs',
    params: RunIdParams,
    responses: { 202: { description: 'retried', schema: Run }, ...problems([404, 413, 415, 422]) },
  })
  async retry(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<RunView> {
    return this.command(new RetryRunCommand(actor, parseRunId(id)));
  }
}
