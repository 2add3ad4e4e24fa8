import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import { Inject } from '@nestjs/common';
import {
  canonicalDefinitionJson,
  type WorkflowDefinition,
} from '../../domain/definition/workflow-definition.js';
import { ConflictError } from '../errors.js';
import {
  DEFINITION_REPOSITORY,
  type DefinitionRepository,
  type StoredDefinition,
} from '../ports/definition-repository.js';

/** Built from `parseRegisterDefinition` (src/application/contracts/requests/definition-body.ts). */
export class RegisterDefinitionCommand extends Command<RegisterDefinitionResult> {
  constructor(
    readonly actor: Actor,
    readonly definition: WorkflowDefinition,
  ) {
    super();
  }
}

export interface RegisterDefinitionResult {
  created: boolean;
  stored: StoredDefinition;
}

@CommandHandler(RegisterDefinitionCommand)
export class RegisterDefinitionHandler implements ICommandHandler<
  RegisterDefinitionCommand,
  RegisterDefinitionResult
> {
  constructor(@Inject(DEFINITION_REPOSITORY) private readonly definitions: DefinitionRepository) {}

  async execute({ definition }: RegisterDefinitionCommand): Promise<RegisterDefinitionResult> {
    const outcome = await this.definitions.register(definition, canonicalDefinitionJson(definition));
    if (outcome.outcome === 'conflict') {
      throw new ConflictError(
        `definition ${definition.name} version ${definition.version} exists with different content`,
      );
    }
    return { created: outcome.outcome === 'created', stored: outcome.stored };
  }
}
