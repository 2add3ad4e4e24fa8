import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import { deadLetterScope } from '../dead-letters/dead-letter-view.js';
import { BrokerUnavailableError, NotFoundError } from '../errors.js';
import {
  DEAD_LETTER_REPUBLISHER,
  DEAD_LETTER_STORE,
  type DeadLetterRepublisher,
  type DeadLetterStore,
} from '../ports/dead-letter-store.js';

/**
 * Publishes a dead letter once to the queue it died on and removes it; a second replay finds
 * nothing (404). The row is held while the broker confirms, and removed only after: a failed
 * publish keeps the letter (docs/operations.md#dead-letters).
 */
export class ReplayDeadLetterCommand extends Command<void> {
  constructor(
    readonly actor: Actor,
    readonly id: string,
  ) {
    super();
  }
}

@CommandHandler(ReplayDeadLetterCommand)
export class ReplayDeadLetterHandler implements ICommandHandler<ReplayDeadLetterCommand, void> {
  constructor(
    @Inject(DEAD_LETTER_STORE) private readonly letters: DeadLetterStore,
    @Inject(DEAD_LETTER_REPUBLISHER) private readonly republisher: DeadLetterRepublisher,
  ) {}

  async execute({ actor, id }: ReplayDeadLetterCommand): Promise<void> {
    const taken = await this.letters.take(deadLetterScope(actor), id, async (letter) => {
      try {
        await this.republisher.republish(letter);
      } catch (error) {
        throw new BrokerUnavailableError(
          `RabbitMQ did not confirm the replay of dead letter ${id}; it is kept, try again later`,
          { cause: error },
        );
      }
    });
    if (!taken) throw new NotFoundError(`dead letter ${id} not found`);
  }
}

/** Drops a dead letter for good. */
export class DeleteDeadLetterCommand extends Command<void> {
  constructor(
    readonly actor: Actor,
    readonly id: string,
  ) {
    super();
  }
}

@CommandHandler(DeleteDeadLetterCommand)
export class DeleteDeadLetterHandler implements ICommandHandler<DeleteDeadLetterCommand, void> {
  constructor(@Inject(DEAD_LETTER_STORE) private readonly letters: DeadLetterStore) {}

  async execute({ actor, id }: DeleteDeadLetterCommand): Promise<void> {
    if (!(await this.letters.delete(deadLetterScope(actor), id))) {
      throw new NotFoundError(`dead letter ${id} not found`);
    }
  }
}
