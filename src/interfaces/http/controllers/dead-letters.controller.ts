import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Actor } from '../../../application/actor.js';
import {
  DeleteDeadLetterCommand,
  ReplayDeadLetterCommand,
} from '../../../application/commands/dead-letter-commands.js';
import { parseListDeadLetters } from '../../../application/contracts/requests/dead-letters.js';
import { parseDeadLetterId } from '../../../application/contracts/requests/run-id.js';
import {
  DeadLetter,
  DeadLetterIdParams,
  DeadLetterList,
  DeadLetterListQuery,
} from '../../../application/contracts/schemas/dead-letters.js';
import type { DeadLetterView } from '../../../application/dead-letters/dead-letter-view.js';
import {
  GetDeadLetterQuery,
  ListDeadLettersQuery,
  type DeadLetterPage,
} from '../../../application/queries/dead-letter-queries.js';
import { CurrentActor } from '../../identity/current-actor.js';
import { ApiRoute, problems } from '../openapi/route-doc.js';
import { listDeadLettersRequest, type QueryString } from '../params/query-params.js';

/** Dead letters (docs/operations.md#dead-letters): operators list, show and replay; admins delete. */
@Controller('v1/dead-letters')
export class DeadLettersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @ApiRoute({
    operationId: 'listDeadLetters',
    summary: 'Dead-lettered messages, newest first',
    tag: 'dead-letters',
    query: DeadLetterListQuery,
    responses: {
      200: { description: '`{ items, nextCursor }`', schema: DeadLetterList },
      ...problems([400]),
    },
  })
  async list(@CurrentActor() actor: Actor, @Query() query: QueryString): Promise<DeadLetterPage> {
    return this.queries.execute(
      new ListDeadLettersQuery(actor, parseListDeadLetters(listDeadLettersRequest(query))),
    );
  }

  @Get(':id')
  @ApiRoute({
    operationId: 'getDeadLetter',
    summary: 'One dead letter with its headers and body',
    tag: 'dead-letters',
    params: DeadLetterIdParams,
    responses: { 200: { description: 'the dead letter', schema: DeadLetter }, ...problems([404]) },
  })
  async get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<DeadLetterView> {
    return this.queries.execute(new GetDeadLetterQuery(actor, parseDeadLetterId(id)));
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiRoute({
    operationId: 'replayDeadLetter',
    summary: 'Publish a dead letter once to the queue it died on and remove it',
    tag: 'dead-letters',
    params: DeadLetterIdParams,
    responses: { 202: { description: 'published and removed' }, ...problems([404]) },
  })
  async replay(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new ReplayDeadLetterCommand(actor, parseDeadLetterId(id)));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiRoute({
    operationId: 'deleteDeadLetter',
    summary: 'Drop a dead letter for good',
    tag: 'dead-letters',
    params: DeadLetterIdParams,
    responses: { 204: { description: 'deleted' }, ...problems([404]) },
  })
  async delete(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new DeleteDeadLetterCommand(actor, parseDeadLetterId(id)));
  }
}
