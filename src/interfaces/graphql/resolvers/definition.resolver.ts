import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { RegisterDefinitionCommand } from '../../../application/commands/register-definition.js';
import { NotFoundError } from '../../../application/errors.js';
import { parseRegisterDefinition } from '../../../application/contracts/requests/definition-body.js';
import { parseGetDefinition } from '../../../application/contracts/requests/get-definition.js';
import { GetDefinitionQuery, ListDefinitionsQuery } from '../../../application/queries/definition-queries.js';
import { definitionView } from '../../../application/queries/run-view.js';
import { withWarnings } from '../../../application/queries/unserved-task-types.js';
import type { DefinitionView } from '../../http/controllers/query-results.js';
import { EXPECTED_DEFINITIONS, listOf } from '../limits/cost.js';
import { JsonScalar } from '../scalars/json.scalar.js';
import { Definition } from '../types/definition.types.js';
import type { Actor } from '../../../application/actor.js';
import { CurrentActor } from '../../identity/current-actor.js';

/** Definitions through the same commands and queries as `/v1/definitions`. */
@Resolver(() => Definition)
export class DefinitionResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Query(() => Definition, {
    nullable: true,
    description: 'One version of a definition (the latest without `version`); null if there is none.',
  })
  async definition(
    @CurrentActor() actor: Actor,
    @Args('name', { type: () => String }) name: string,
    @Args('version', { type: () => Int, nullable: true }) version: number | null,
  ): Promise<DefinitionView | null> {
    try {
      // A version that cannot be one names nothing, as in REST's path: null.
      const wanted = parseGetDefinition(name, version ?? undefined);
      return await this.queries.execute(new GetDefinitionQuery(actor, wanted));
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  @Query(() => [Definition], {
    description: 'The latest version of each definition.',
    complexity: listOf(EXPECTED_DEFINITIONS),
  })
  async definitions(@CurrentActor() actor: Actor): Promise<DefinitionView[]> {
    const { items } = await this.queries.execute(new ListDefinitionsQuery(actor));
    return items;
  }

  @Mutation(() => Definition, {
    description:
      'Registers a definition (docs/contract.md#workflow-definitions); identical content returns the stored version.',
  })
  async registerDefinition(
    @CurrentActor() actor: Actor,
    @Args('definition', { type: () => JsonScalar }) definition: unknown,
  ): Promise<DefinitionView> {
    const parsed = parseRegisterDefinition(definition);
    const { stored, warnings } = await this.commands.execute(new RegisterDefinitionCommand(actor, parsed));
    return withWarnings(definitionView(stored), warnings);
  }
}
