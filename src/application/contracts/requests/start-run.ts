import { validateDefinition } from '../../../domain/definition/definition-validator.js';
import { isPlainObject } from '../../../domain/definition/retry-policy.js';
import type { WorkflowDefinition } from '../../../domain/definition/workflow-definition.js';
import type { Json } from '../../../domain/run/run-snapshot.js';
import { DomainValidationError, type ValidationIssue } from '../../../domain/shared/domain-error.js';
import { startRunFields, StartRunRequest } from '../schemas/runs.js';
import { shapeIssues } from '../shape-issues.js';
import { rejectJsonHazard, throwIfAny } from './fields.js';

/** Which definition a run runs: a registered one by name (latest, or `version`), or one given inline. */
export type DefinitionChoice =
  | { readonly kind: 'registered'; readonly name: string; readonly version: number | null }
  | { readonly kind: 'inline'; readonly definition: WorkflowDefinition };

/** `POST /v1/runs` (and `startRun`) once parsed: every field valid, defaults applied. */
export interface StartRunInput {
  readonly definition: DefinitionChoice;
  readonly input: Json;
  readonly idempotencyKey: string | null;
  readonly priority: number | null;
}

/**
 * The body of `POST /v1/runs` (docs/contract.md#rest-api), every problem named by its JSON
 * path; `headerIdempotencyKey` is the `Idempotency-Key` header, used when the body has none.
 * An inline definition's rules (graph, templates) are checked once its shape and the body's
 * are right, its problems named under `definition.…`.
 */
export function parseStartRun(body: unknown, headerIdempotencyKey?: string): StartRunInput {
  if (isPlainObject(body)) rejectJsonHazard(body);
  if (typeof headerIdempotencyKey === 'string')
    rejectJsonHazard(headerIdempotencyKey, { root: 'idempotencyKey' });
  const issues = shapeIssues(StartRunRequest, body);
  if (!isPlainObject(body)) throw new DomainValidationError(issues);
  const { definition, version, input, idempotencyKey, priority } = body as StartRunRequest;
  issues.push(...inlineRules(body));
  if (idempotencyKey === undefined && headerIdempotencyKey !== undefined)
    issues.push(...shapeIssues(startRunFields.idempotencyKey, headerIdempotencyKey, 'idempotencyKey'));
  throwIfAny(issues);
  return {
    definition: definitionChoice(definition, version),
    input: (input ?? {}) as Json,
    idempotencyKey: idempotencyKey ?? headerIdempotencyKey ?? null,
    priority: priority ?? null,
  };
}

/** An inline definition registers nothing, so the body may not pick a version of it. */
function inlineRules(body: Record<string, unknown>): ValidationIssue[] {
  if (!isPlainObject(body.definition) || body.version === undefined) return [];
  return [{ path: 'version', message: 'cannot be given with an inline definition' }];
}

function definitionChoice(
  definition: StartRunRequest['definition'],
  version: number | undefined,
): DefinitionChoice {
  if (typeof definition === 'string')
    return { kind: 'registered', name: definition, version: version ?? null };
  const validation = validateDefinition(definition, 'definition');
  if (!validation.valid) throw new DomainValidationError(validation.errors);
  return { kind: 'inline', definition: validation.definition };
}
