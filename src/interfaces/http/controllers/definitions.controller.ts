import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { RegisterDefinitionCommand } from '../../../application/commands/register-definition.js';
import {
  parseRegisterDefinition,
  parseValidateDefinition,
} from '../../../application/contracts/requests/definition-body.js';
import { parseGetDefinition } from '../../../application/contracts/requests/get-definition.js';
import { withWarnings } from '../../../application/queries/unserved-task-types.js';
import { GetDefinitionQuery, ListDefinitionsQuery } from '../../../application/queries/definition-queries.js';
import { definitionView } from '../../../application/queries/run-view.js';
import {
  ValidateDefinitionQuery,
  type ValidationReport as ValidationReportResult,
} from '../../../application/queries/validate-definition.js';
import Type from 'typebox';
import { ApiRoute, problems } from '../openapi/route-doc.js';
import {
  Definition,
  DefinitionInput,
  DefinitionList,
  DefinitionNameParams,
  DefinitionVersionParams,
  RegisteredDefinition,
  ValidationReport,
} from '../../../application/contracts/schemas/definitions.js';
import type { DefinitionList as DefinitionListResult, DefinitionView } from './query-results.js';
import type { Actor } from '../../../application/actor.js';
import { CurrentActor } from '../../identity/current-actor.js';

const location = {
  Location: { description: 'the path of the stored version', schema: Type.String() },
};

@Controller('v1/definitions')
export class DefinitionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiRoute({
    operationId: 'registerDefinition',
    summary: 'Register a definition (identical content again is a 200 no-op)',
    tag: 'definitions',
    body: { schema: DefinitionInput, required: true },
    responses: {
      201: {
        description: 'registered as a new version (`warnings` name unserved task types)',
        schema: RegisteredDefinition,
        headers: location,
      },
      200: {
        description: 'identical to a stored version; nothing written',
        schema: RegisteredDefinition,
        headers: location,
      },
      ...problems([400, 409, 413, 415]),
    },
  })
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
  @ApiRoute({
    operationId: 'validateDefinition',
    summary: 'Validate a definition without storing it; an invalid one is a 200 too',
    tag: 'definitions',
    body: { schema: DefinitionInput, required: true, description: 'any JSON; every problem is reported' },
    responses: {
      200: {
        description: '`valid`, every error by JSON path, the execution plan, and `warnings` if any',
        schema: ValidationReport,
      },
      ...problems([400, 413, 415], false),
    },
  })
  async validate(@CurrentActor() actor: Actor, @Body() body: unknown): Promise<ValidationReportResult> {
    return this.queries.execute(new ValidateDefinitionQuery(actor, parseValidateDefinition(body)));
  }

  @Get()
  @ApiRoute({
    operationId: 'listDefinitions',
    summary: 'The latest version of each definition',
    tag: 'definitions',
    responses: { 200: { description: '`{ items }`', schema: DefinitionList }, ...problems([]) },
  })
  async list(@CurrentActor() actor: Actor): Promise<DefinitionListResult> {
    return this.queries.execute(new ListDefinitionsQuery(actor));
  }

  @Get(':name')
  @ApiRoute({
    operationId: 'getDefinition',
    summary: 'The latest version of a definition',
    tag: 'definitions',
    params: DefinitionNameParams,
    responses: { 200: { description: 'the latest version', schema: Definition }, ...problems([404]) },
  })
  async latest(@CurrentActor() actor: Actor, @Param('name') name: string): Promise<DefinitionView> {
    return this.queries.execute(new GetDefinitionQuery(actor, parseGetDefinition(name)));
  }

  @Get(':name/versions/:version')
  @ApiRoute({
    operationId: 'getDefinitionVersion',
    summary: 'One version of a definition',
    tag: 'definitions',
    params: DefinitionVersionParams,
    responses: { 200: { description: 'that version', schema: Definition }, ...problems([404]) },
  })
  async version(
    @CurrentActor() actor: Actor,
    @Param('name') name: string,
    @Param('version') rawVersion: string,
  ): Promise<DefinitionView> {
    // A path segment that cannot be a version names nothing: 404, like a malformed run id.
    return this.queries.execute(new GetDefinitionQuery(actor, parseGetDefinition(name, rawVersion)));
  }
}
