import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import type { ListDeadLettersCriteria } from '../contracts/requests/dead-letters.js';
import { pageSize } from '../contracts/requests/fields.js';
import { deadLetterScope, deadLetterView, type DeadLetterView } from '../dead-letters/dead-letter-view.js';
import { NotFoundError } from '../errors.js';
import { DEAD_LETTER_STORE, type DeadLetterStore } from '../ports/dead-letter-store.js';

export interface DeadLetterPage {
  items: DeadLetterView[];
  nextCursor: string | null;
}

/** The dead letters the actor may see, newest first (docs/contract.md#dead-letters). */
export class ListDeadLettersQuery extends Query<DeadLetterPage> {
  constructor(
    readonly actor: Actor,
    readonly criteria: ListDeadLettersCriteria,
  ) {
    super();
  }
}

@QueryHandler(ListDeadLettersQuery)
export class ListDeadLettersHandler implements IQueryHandler<ListDeadLettersQuery, DeadLetterPage> {
  constructor(@Inject(DEAD_LETTER_STORE) private readonly letters: DeadLetterStore) {}

  async execute({ actor, criteria }: ListDeadLettersQuery): Promise<DeadLetterPage> {
    const page = await this.letters.list(deadLetterScope(actor), {
      ...(criteria.queue !== undefined ? { queue: criteria.queue } : {}),
      ...(criteria.cursor !== undefined ? { cursor: criteria.cursor } : {}),
      limit: pageSize(criteria.limit),
    });
    return { items: page.items.map(deadLetterView), nextCursor: page.nextCursor };
  }
}

export class GetDeadLetterQuery extends Query<DeadLetterView> {
  constructor(
    readonly actor: Actor,
    readonly id: string,
  ) {
    super();
  }
}

@QueryHandler(GetDeadLetterQuery)
export class GetDeadLetterHandler implements IQueryHandler<GetDeadLetterQuery, DeadLetterView> {
  constructor(@Inject(DEAD_LETTER_STORE) private readonly letters: DeadLetterStore) {}

  async execute({ actor, id }: GetDeadLetterQuery): Promise<DeadLetterView> {
    const letter = await this.letters.get(deadLetterScope(actor), id);
    if (!letter) throw new NotFoundError(`dead letter ${id} not found`);
    return deadLetterView(letter);
  }
}
