import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import { NotFoundError } from '../errors.js';
import { API_KEY_STORE, type ApiKeyStore } from '../ports/api-key-store.js';
import { CLOCK, type Clock } from '../ports/clock.js';

/** Revokes a key of the actor's namespace; the next request with it is refused (401). */
export class RevokeApiKeyCommand extends Command<void> {
  constructor(
    readonly actor: Actor,
    readonly id: string,
  ) {
    super();
  }
}

@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKeyCommand, void> {
  constructor(
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor, id }: RevokeApiKeyCommand): Promise<void> {
    const revoked = await this.keys.revoke(actor.namespace, id, this.clock.now());
    // Revoked already, or another namespace's: both answer as if no such key existed.
    if (!revoked) throw new NotFoundError(`API key ${id} not found`);
  }
}
