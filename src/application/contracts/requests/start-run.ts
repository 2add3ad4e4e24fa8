import { validateDefinition } from '../../../domain/definition/definition-validator.js';
import { isPlainObject } from '../../../domain/definition/retry-policy.js';
import type { WorkflowDefinition } from '../../../domain/definition/workflow-definition.js';
import type { Json } from '../../../domain/run/run-snapshot.js';
import { DomainValidationError, type ValidationIssue } from '../../../domain/shared/domain-error.js';
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

const START_FIELDS = new Set(['definition', 'version', 'input', 'idempotencyKey', 'priority']);

/**
 * The body of `POST /v1/runs` (docs/contract.md#rest-api), every problem named by its JSON
 * path; `headerIdempotencyKey` is the `Idempotency-Key` header, used when the body has none.
 * The shape is checked first; an inline definition is validated only once the shape is right,
 * its problems named under `definition.…`.
 */
export function parseStartRun(body: unknown, headerIdempotencyKey?: string): StartRunInput {
  if (!isPlainObject(body))
    throw new DomainValidationError([{ path: '$', message: 'must be a JSON object' }]);
  rejectJsonHazard(body);
  if (typeof headerIdempotencyKey === 'string')
    rejectJsonHazard(headerIdempotencyKey, { root: 'idempotencyKey' });
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(body))
    if (!START_FIELDS.has(key)) issues.push({ path: key, message: 'is not a known field' });
  const { definition, version, input, idempotencyKey, priority } = body;
  if (typeof definition === 'string') {
    if (definition.length === 0) issues.push({ path: 'definition', message: 'must name a definition' });
  } else if (isPlainObject(definition)) {
    if (typeof definition.name !== 'string')
      issues.push({ path: 'definition.name', message: 'an inline definition must have a name' });
    if (version !== undefined)
      issues.push({ path: 'version', message: 'cannot be given with an inline definition' });
    if (definition.version !== undefined)
      issues.push({ path: 'definition.version', message: 'an inline definition has no version' });
  } else {
    issues.push({ path: 'definition', message: 'must be a definition name or an inline definition object' });
  }
  if (version !== undefined && (!Number.isInteger(version) || (version as number) < 1)) {
    issues.push({ path: 'version', message: 'must be a positive integer' });
  }
  if (
    priority !== undefined &&
    (!Number.isInteger(priority) || (priority as number) < 0 || (priority as number) > 9)
  ) {
    issues.push({ path: 'priority', message: 'must be an integer from 0 to 9' });
  }
  const key = idempotencyKey ?? headerIdempotencyKey;
  if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 255)) {
    issues.push({ path: 'idempotencyKey', message: 'must be a string of 1 to 255 characters' });
  }
  throwIfAny(issues);
  return {
    definition: definitionChoice(
      definition as string | Record<string, unknown>,
      version as number | undefined,
    ),
    input: (input ?? {}) as Json,
    idempotencyKey: (key as string | undefined) ?? null,
    priority: (priority as number | undefined) ?? null,
  };
}

function definitionChoice(
  definition: string | Record<string, unknown>,
  version: number | undefined,
): DefinitionChoice {
  if (typeof definition === 'string')
    return { kind: 'registered', name: definition, version: version ?? null };
  const validation = validateDefinition(definition, 'definition');
  if (!validation.valid) throw new DomainValidationError(validation.errors);
  return { kind: 'inline', definition: validation.definition };
}
