import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Actor } from '../../../application/actor.js';
import {
  DeleteDeadLetterCommand,
  ReplayDeadLetterCommand,
} from '../../../application/commands/dead-letter-commands.js';
import { parseListDeadLetters } from '../../../application/contracts/requests/dead-letters.js';
import { parseDeadLetterId } from '../../../application/contracts/requests/run-id.js';
import type { DeadLetterView } from '../../../application/dead-letters/dead-letter-view.js';
import { NotFoundError } from '../../../application/errors.js';
import {
  GetDeadLetterQuery,
  ListDeadLettersQuery,
  type DeadLetterPage,
} from '../../../application/queries/dead-letter-queries.js';
import { CurrentActor } from '../../identity/current-actor.js';
import { connectionOf } from '../limits/cost.js';
import { DeadLetter, DeadLetterConnection } from '../types/dead-letter.types.js';

/**
 * Dead letters over GraphQL, parsed and handled as `/v1/dead-letters` is
 * (docs/operations.md#dead-letters): `first`/`after` are REST's `limit`/`cursor`.
 */
@Resolver()
export class DeadLettersResolver {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
  ) {}

  @Query(() => DeadLetterConnection, {
    description: 'Dead letters, newest first; `after` is the `nextCursor` of the previous page.',
    complexity: connectionOf('first'),
  })
  async deadLetters(
    @CurrentActor() actor: Actor,
    @Args('queue', { type: () => String, nullable: true }) queue: string | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<DeadLetterPage> {
    const criteria = parseListDeadLetters({
      queue: queue ?? undefined,
      limit: first ?? undefined,
      cursor: after ?? undefined,
    });
    return this.queries.execute(new ListDeadLettersQuery(actor, criteria));
  }

  @Query(() => DeadLetter, {
    nullable: true,
    description: 'One dead letter; null if there is no such letter.',
  })
  async deadLetter(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<DeadLetterView | null> {
    try {
      return await this.queries.execute(new GetDeadLetterQuery(actor, parseDeadLetterId(id)));
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  @Mutation(() => Boolean, {
    description: 'Publishes a dead letter once to the queue it died on and removes it; true once confirmed.',
  })
  async replayDeadLetter(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    await this.commands.execute(new ReplayDeadLetterCommand(actor, parseDeadLetterId(id)));
    return true;
  }

  @Mutation(() => Boolean, { description: 'Drops a dead letter for good.' })
  async deleteDeadLetter(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    await this.commands.execute(new DeleteDeadLetterCommand(actor, parseDeadLetterId(id)));
    return true;
  }
}
