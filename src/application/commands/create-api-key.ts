import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import { hashApiKey, newApiKeySecret } from '../api-keys/api-key-secret.js';
import { apiKeyView, type CreatedApiKeyView } from '../api-keys/api-key-view.js';
import type { CreateApiKeyInput } from '../contracts/requests/create-api-key.js';
import { ForbiddenError } from '../errors.js';
import { API_KEY_STORE, type ApiKeyRecord, type ApiKeyStore } from '../ports/api-key-store.js';
import { CLOCK, type Clock } from '../ports/clock.js';

/** Built from `parseCreateApiKey`; the key belongs to the actor's namespace. */
export class CreateApiKeyCommand extends Command<CreatedApiKeyView> {
  constructor(
    readonly actor: Actor,
    readonly input: CreateApiKeyInput,
  ) {
    super();
  }
}

@CommandHandler(CreateApiKeyCommand)
export class CreateApiKeyHandler implements ICommandHandler<CreateApiKeyCommand, CreatedApiKeyView> {
  constructor(
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor, input }: CreateApiKeyCommand): Promise<CreatedApiKeyView> {
    const namespaces = input.namespaces ?? [actor.namespace];
    refuseUngranted(actor, namespaces);
    const key = newApiKeySecret();
    const record: ApiKeyRecord = {
      id: randomUUID(),
      namespace: actor.namespace,
      name: input.name,
      roles: input.roles,
      namespaces,
      expiresAt: input.expiresAt,
      rateLimit: input.rateLimit,
      createdBy: actor.principal,
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.keys.insert(record, hashApiKey(key));
    return { ...apiKeyView(record), key };
  }
}

/**
 * A caller hands on only what it holds: a key may grant no namespace the creator's own
 * credential does not (docs/security.md#api-keys). Roles need no such check: only admins
 * reach this command, and admin is the highest role.
 */
function refuseUngranted(actor: Actor, namespaces: readonly string[] | '*'): void {
  const held = actor.grants ?? [actor.namespace];
  if (held === '*') return;
  if (namespaces === '*') throw new ForbiddenError('only a credential of every namespace may grant "*"');
  const foreign = namespaces.filter((namespace) => !held.includes(namespace));
  if (foreign.length > 0) {
    throw new ForbiddenError(`namespaces not granted to this credential: ${foreign.join(', ')}`);
  }
}
