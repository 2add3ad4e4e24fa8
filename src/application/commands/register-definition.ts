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
import { WORKER_DIRECTORY, type WorkerDirectory } from '../ports/worker-directory.js';
import { unservedTaskWarnings, type DefinitionWarning } from '../queries/unserved-task-types.js';
import {
  DEFAULT_RESOURCE_LIMITS,
  RESOURCE_LIMITS,
  refuseTooManyTasks,
  type ResourceLimits,
} from '../resource-limits.js';

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
  /** Tasks whose type no live worker serves; registration succeeds all the same. */
  warnings: DefinitionWarning[];
}

@CommandHandler(RegisterDefinitionCommand)
export class RegisterDefinitionHandler implements ICommandHandler<
  RegisterDefinitionCommand,
  RegisterDefinitionResult
> {
  constructor(
    @Inject(DEFINITION_REPOSITORY) private readonly definitions: DefinitionRepository,
    @Inject(WORKER_DIRECTORY) private readonly workers: WorkerDirectory,
    @Inject(RESOURCE_LIMITS) private readonly limits: ResourceLimits = DEFAULT_RESOURCE_LIMITS,
  ) {}

  async execute({ actor, definition }: RegisterDefinitionCommand): Promise<RegisterDefinitionResult> {
    refuseTooManyTasks(definition, this.limits);
    const outcome = await this.definitions.register(
      actor.namespace,
      definition,
      canonicalDefinitionJson(definition),
    );
    if (outcome.outcome === 'conflict') {
      throw new ConflictError(
        `definition ${definition.name} version ${definition.version} exists with different content`,
      );
    }
    return {
      created: outcome.outcome === 'created',
      stored: outcome.stored,
      warnings: await unservedTaskWarnings(definition, this.workers),
    };
  }
}
