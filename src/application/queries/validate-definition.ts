import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import type { DefinitionValidation } from '../../domain/definition/definition-validator.js';
import { planOf, type ExecutionPlan } from '../../domain/definition/plan.js';
import type { ValidationIssue } from '../../domain/shared/domain-error.js';

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
}

@QueryHandler(ValidateDefinitionQuery)
export class ValidateDefinitionHandler implements IQueryHandler<ValidateDefinitionQuery, ValidationReport> {
  async execute({ validation: result }: ValidateDefinitionQuery): Promise<ValidationReport> {
    return result.valid
      ? { valid: true, errors: [], plan: planOf(result.definition) }
      : { valid: false, errors: result.errors, plan: null };
  }
}
