import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../actor.js';
import { validateDefinition } from '../../domain/definition/definition-validator.js';
import { planOf, type ExecutionPlan } from '../../domain/definition/plan.js';
import type { ValidationIssue } from '../../domain/shared/domain-error.js';

export class ValidateDefinitionQuery extends Query<ValidationReport> {
  constructor(
    readonly actor: Actor,
    readonly body: unknown,
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
  async execute({ body }: ValidateDefinitionQuery): Promise<ValidationReport> {
    const result = validateDefinition(body);
    return result.valid
      ? { valid: true, errors: [], plan: planOf(result.definition) }
      : { valid: false, errors: result.errors, plan: null };
  }
}
