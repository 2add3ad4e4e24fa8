import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import type { DefinitionValidation } from '../../domain/definition/definition-validator.js';
import { planOf, type ExecutionPlan } from '../../domain/definition/plan.js';
import type { ValidationIssue } from '../../domain/shared/domain-error.js';
import { WORKER_DIRECTORY, type WorkerDirectory } from '../ports/worker-directory.js';
import { unservedTaskWarnings, withWarnings, type DefinitionWarning } from './unserved-task-types.js';
import {
  DEFAULT_RESOURCE_LIMITS,
  RESOURCE_LIMITS,
  taskCountIssue,
  type ResourceLimits,
} from '../resource-limits.js';

/** Built from `parseValidateDefinition` (src/application/contracts/requests/definition-body.ts). */
export class ValidateDefinitionQuery extends Query<ValidationReport> {
  constructor(
    readonly actor: Actor,
    readonly validation: DefinitionValidation,
  ) {
    super();
  }
}

export interface ValidationReport {
  valid: boolean;
  errors: ValidationIssue[];
  plan: ExecutionPlan | null;
  /** Only when non-empty: tasks whose type no live worker serves (a valid definition stays valid). */
  warnings?: DefinitionWarning[];
}

@QueryHandler(ValidateDefinitionQuery)
export class ValidateDefinitionHandler implements IQueryHandler<ValidateDefinitionQuery, ValidationReport> {
  constructor(
    @Inject(WORKER_DIRECTORY) private readonly workers: WorkerDirectory,
    @Inject(RESOURCE_LIMITS) private readonly limits: ResourceLimits = DEFAULT_RESOURCE_LIMITS,
  ) {}

  async execute({ validation: result }: ValidateDefinitionQuery): Promise<ValidationReport> {
    if (!result.valid) return { valid: false, errors: result.errors, plan: null };
    const tooMany = taskCountIssue(result.definition, this.limits);
    if (tooMany) return { valid: false, errors: [tooMany], plan: null };
    const report: ValidationReport = { valid: true, errors: [], plan: planOf(result.definition) };
    return withWarnings(report, await unservedTaskWarnings(result.definition, this.workers));
  }
}
