import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { shortEcho } from '../../domain/shared/echo.js';
import type { Actor } from '../actor.js';
import { Inject } from '@nestjs/common';
import { NotFoundError } from '../errors.js';
import { DEFINITION_REPOSITORY, type DefinitionRepository } from '../ports/definition-repository.js';
import { definitionView, type DefinitionView } from './run-view.js';
import type { GetDefinitionInput } from '../contracts/requests/get-definition.js';

/** Built from `parseGetDefinition` (src/application/contracts/requests/get-definition.ts). */
export class GetDefinitionQuery extends Query<DefinitionView> {
  constructor(
    readonly actor: Actor,
    readonly definition: GetDefinitionInput,
  ) {
    super();
  }
}

@QueryHandler(GetDefinitionQuery)
export class GetDefinitionHandler implements IQueryHandler<GetDefinitionQuery, DefinitionView> {
  constructor(@Inject(DEFINITION_REPOSITORY) private readonly definitions: DefinitionRepository) {}

  async execute({ actor, definition: { name, version } }: GetDefinitionQuery): Promise<DefinitionView> {
    const stored = await this.definitions.find(actor.namespace, name, version ?? undefined);
    if (!stored)
      throw new NotFoundError(
        `definition "${shortEcho(name)}"${version ? ` version ${version}` : ''} not found`,
      );
    return definitionView(stored);
  }
}

export interface DefinitionList {
  items: DefinitionView[];
}

export class ListDefinitionsQuery extends Query<DefinitionList> {
  constructor(readonly actor: Actor) {
    super();
  }
}

@QueryHandler(ListDefinitionsQuery)
export class ListDefinitionsHandler implements IQueryHandler<ListDefinitionsQuery, DefinitionList> {
  constructor(@Inject(DEFINITION_REPOSITORY) private readonly definitions: DefinitionRepository) {}

  async execute({ actor }: ListDefinitionsQuery): Promise<DefinitionList> {
    return { items: (await this.definitions.listLatest(actor.namespace)).map(definitionView) };
  }
}
