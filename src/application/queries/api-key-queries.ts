import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import { apiKeyView, type ApiKeyView } from '../api-keys/api-key-view.js';
import { API_KEY_STORE, type ApiKeyStore } from '../ports/api-key-store.js';

/** The live (not revoked) keys of the actor's namespace, newest first, without key material. */
export class ListApiKeysQuery extends Query<{ items: ApiKeyView[] }> {
  constructor(readonly actor: Actor) {
    super();
  }
}

@QueryHandler(ListApiKeysQuery)
export class ListApiKeysHandler implements IQueryHandler<ListApiKeysQuery, { items: ApiKeyView[] }> {
  constructor(@Inject(API_KEY_STORE) private readonly keys: ApiKeyStore) {}

  async execute({ actor }: ListApiKeysQuery): Promise<{ items: ApiKeyView[] }> {
    const records = await this.keys.list(actor.namespace);
    return { items: records.map(apiKeyView) };
  }
}
