import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Actor } from '../../../application/actor.js';
import type { ApiKeyView, CreatedApiKeyView } from '../../../application/api-keys/api-key-view.js';
import { CreateApiKeyCommand } from '../../../application/commands/create-api-key.js';
import { RevokeApiKeyCommand } from '../../../application/commands/revoke-api-key.js';
import { parseCreateApiKey } from '../../../application/contracts/requests/create-api-key.js';
import { parseApiKeyId } from '../../../application/contracts/requests/run-id.js';
import {
  ApiKeyIdParams,
  ApiKeyList,
  CreateApiKeyRequest,
  CreatedApiKey,
} from '../../../application/contracts/schemas/api-keys.js';
import { ListApiKeysQuery } from '../../../application/queries/api-key-queries.js';
import { CurrentActor } from '../../identity/current-actor.js';
import { ApiRoute, problems } from '../openapi/route-doc.js';

/** API keys of the caller's namespace, for admins (docs/security.md#api-keys). */
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiRoute({
    operationId: 'createApiKey',
    summary: 'Create an API key; the key is in this answer and never again',
    tag: 'api-keys',
    body: { schema: CreateApiKeyRequest, required: true },
    responses: {
      201: { description: 'created; store `key` now', schema: CreatedApiKey },
      ...problems([400, 403, 413, 415]),
    },
  })
  async create(@CurrentActor() actor: Actor, @Body() body: unknown): Promise<CreatedApiKeyView> {
    return this.commands.execute(new CreateApiKeyCommand(actor, parseCreateApiKey(body, new Date())));
  }

  @Get()
  @ApiRoute({
    operationId: 'listApiKeys',
    summary: "The namespace's live API keys, newest first, without their secrets",
    tag: 'api-keys',
    responses: {
      200: { description: '`{ items }`', schema: ApiKeyList },
      ...problems([]),
    },
  })
  async list(@CurrentActor() actor: Actor): Promise<{ items: ApiKeyView[] }> {
    return this.queries.execute(new ListApiKeysQuery(actor));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiRoute({
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key: the next request with it is refused (401)',
    tag: 'api-keys',
    params: ApiKeyIdParams,
    responses: { 204: { description: 'revoked' }, ...problems([404]) },
  })
  async revoke(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new RevokeApiKeyCommand(actor, parseApiKeyId(id)));
  }
}
