import {
  validateDefinition,
  type DefinitionDraft,
  type DefinitionValidation,
} from '../../../domain/definition/definition-validator.js';
import type { WorkflowDefinition } from '../../../domain/definition/workflow-definition.js';
import { DomainValidationError } from '../../../domain/shared/domain-error.js';
import { findJsonHazard, hazardText } from '../../../domain/shared/json-hazards.js';
import { DefinitionInput } from '../schemas/definitions.js';
import { shapeIssues } from '../shape-issues.js';

/**
 * A definition body checked whole (docs/contract.md#workflow-definitions): first what no
 * recursive check may see (too deep, unstorable strings), then its shape against
 * `DefinitionInput`, then, once the shape is right, the domain's rules, which apply the
 * defaults. Every problem is named by its JSON path from `base`.
 */
export function checkDefinition(body: unknown, base = ''): DefinitionValidation {
  const hazard = findJsonHazard(body, { root: base || '$' });
  if (hazard) return invalid([{ path: hazard.path, message: hazardText(hazard) }]);
  const issues = shapeIssues(DefinitionInput, body, base);
  if (issues.length > 0) return invalid(issues);
  return validateDefinition(body as DefinitionInput, base);
}

/**
 * The body of `POST /v1/definitions` (and `registerDefinition`): a definition with its
 * defaults applied, or a 400 naming every problem by its JSON path.
 */
export function parseRegisterDefinition(body: unknown): WorkflowDefinition {
  const validation = checkDefinition(body);
  if (!validation.valid) throw new DomainValidationError(validation.errors);
  return validation.definition;
}

/**
 * The body of `POST /v1/definitions/validate`: never rejected, since reporting the problems is
 * the answer; the outcome is what the query holds.
 */
export function parseValidateDefinition(body: unknown): DefinitionValidation {
  return checkDefinition(body);
}

function invalid(errors: DefinitionValidation['errors']): DefinitionValidation {
  return { valid: false, definition: null, errors };
}

/** Compile-time proof that whatever the schema accepts is a draft the domain can take. */
type Assert<T extends true> = T;
export type DraftFitsSchema = Assert<DefinitionInput extends DefinitionDraft ? true : false>;
