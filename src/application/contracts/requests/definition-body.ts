import {
  validateDefinition,
  type DefinitionValidation,
} from '../../../domain/definition/definition-validator.js';
import type { WorkflowDefinition } from '../../../domain/definition/workflow-definition.js';
import { DomainValidationError } from '../../../domain/shared/domain-error.js';

/**
 * The body of `POST /v1/definitions` (and `registerDefinition`): a definition
 * (docs/contract.md#workflow-definitions) with its defaults applied, or a 400 naming every
 * problem by its JSON path.
 */
export function parseRegisterDefinition(body: unknown): WorkflowDefinition {
  const validation = validateDefinition(body);
  if (!validation.valid) throw new DomainValidationError(validation.errors);
  return validation.definition;
}

/**
 * The body of `POST /v1/definitions/validate`: never rejected, since reporting the problems is
 * the answer; the outcome is what the query holds.
 */
export function parseValidateDefinition(body: unknown): DefinitionValidation {
  return validateDefinition(body);
}
