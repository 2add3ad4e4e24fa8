import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import { NotFoundError } from '../errors.js';
import { DEFINITION_REPOSITORY, type DefinitionRepository } from '../ports/definition-repository.js';
import { definitionView } from './run-view.js';

export class GetDefinitionQuery {
  constructor(
    readonly name: string,
    readonly version?: number,
  ) {}
}

@QueryHandler(GetDefinitionQuery)
export class GetDefinitionHandler implements IQueryHandler<GetDefinitionQuery> {
  constructor(@Inject(DEFINITION_REPOSITORY) private readonly definitions: DefinitionRepository) {}

  async execute({ name, version }: GetDefinitionQuery) {
    const stored = await this.definitions.find(name, version);
    if (!stored)
      throw new NotFoundError(`definition "${name}"${version ? ` version ${version}` : ''} not found`);
    return definitionView(stored);
  }
}

export class ListDefinitionsQuery {}

@QueryHandler(ListDefinitionsQuery)
export class ListDefinitionsHandler implements IQueryHandler<ListDefinitionsQuery> {
  constructor(@Inject(DEFINITION_REPOSITORY) private readonly definitions: DefinitionRepository) {}

  async execute() {
    return { items: (await this.definitions.listLatest()).map(definitionView) };
  }
}
