import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RegisterDefinitionCommand } from '../../../application/commands/register-definition.js';
import {
  parseRegisterDefinition,
  parseValidateDefinition,
} from '../../../application/contracts/requests/definition-body.js';
import { parseGetDefinition } from '../../../application/contracts/requests/get-definition.js';
import { GetDefinitionQuery, ListDefinitionsQuery } from '../../../application/queries/definition-queries.js';
import { definitionView } from '../../../application/queries/run-view.js';
import {
  ValidateDefinitionQuery,
  type ValidationReport,
} from '../../../application/queries/validate-definition.js';
import { withWarnings } from '../../../application/queries/unserved-task-types.js';
import { ApiJson, ApiJsonBody, ApiProblems } from '../openapi/api-docs.decorators.js';
import type { DefinitionList, DefinitionView } from './query-results.js';
import type { Actor } from '../../../application/actor.js';
import { CurrentActor } from '../../identity/current-actor.js';

@ApiTags('definitions')
@Controller('v1/definitions')
export class DefinitionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Register a definition (identical content again is a 200 no-op)' })
  @ApiJsonBody('DefinitionInput')
  @ApiJson(201, 'RegisteredDefinition', 'registered as a new version (`warnings` name unserved task types)')
  @ApiJson(200, 'RegisteredDefinition', 'identical to a stored version; nothing written')
  @ApiProblems(400, 409, 413, 415)
  async register(
    @CurrentActor() actor: Actor,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const definition = parseRegisterDefinition(body);
    const { created, stored, warnings } = await this.commands.execute(
      new RegisterDefinitionCommand(actor, definition),
    );
    const view = definitionView(stored);
    void reply
      .status(created ? 201 : 200)
      .header('location', `/v1/definitions/${encodeURIComponent(view.name)}/versions/${view.version}`);
    return withWarnings(view, warnings);
  }

  @Post('validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Validate a definition without storing it; always 200' })
  @ApiJsonBody('DefinitionInput')
  @ApiJson(
    200,
    'ValidationReport',
    '`valid`, every error by JSON path, the execution plan, and `warnings` if any',
  )
  @ApiProblems(400, 413, 415)
  async validate(@CurrentActor() actor: Actor, @Body() body: unknown): Promise<ValidationReport> {
    return this.queries.execute(new ValidateDefinitionQuery(actor, parseValidateDefinition(body)));
  }

  @Get()
  @ApiOperation({ summary: 'The latest version of each definition' })
  @ApiJson(200, 'DefinitionList', '`{ items }`')
  @ApiProblems()
  async list(@CurrentActor() actor: Actor): Promise<DefinitionList> {
    return this.queries.execute(new ListDefinitionsQuery(actor));
  }

  @Get(':name')
  @ApiOperation({ summary: 'The latest version of a definition' })
  @ApiJson(200, 'Definition', 'the latest version')
  @ApiProblems(404)
  async latest(@CurrentActor() actor: Actor, @Param('name') name: string): Promise<DefinitionView> {
    return this.queries.execute(new GetDefinitionQuery(actor, parseGetDefinition(name)));
  }

  @Get(':name/versions/:version')
  @ApiOperation({ summary: 'One version of a definition' })
  @ApiParam({ name: 'version', schema: { type: 'integer', minimum: 1 } })
  @ApiJson(200, 'Definition', 'that version')
  @ApiProblems(404)
  async version(
    @CurrentActor() actor: Actor,
    @Param('name') name: string,
    @Param('version') rawVersion: string,
  ): Promise<DefinitionView> {
    // A path segment that cannot be a version names nothing: 404, like a malformed run id.
    return this.queries.execute(new GetDefinitionQuery(actor, parseGetDefinition(name, rawVersion)));
  }
}
