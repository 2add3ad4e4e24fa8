import { isPlainObject } from '../../../domain/definition/retry-policy.js';
import type { ValidationIssue } from '../../../domain/shared/domain-error.js';
import type { ActorRole } from '../../actor.js';
import { parseRateBudget, type RateBudget } from '../../rate-budget.js';
import { CreateApiKeyRequest, GRANTED_NAMESPACES_MESSAGE } from '../schemas/api-keys.js';
import { shapeIssues } from '../shape-issues.js';
import { rejectJsonHazard, throwIfAny } from './fields.js';

/** `POST /v1/api-keys` once parsed (docs/security.md#api-keys). */
export interface CreateApiKeyInput {
  readonly name: string;
  readonly roles: readonly ActorRole[];
  /** null: the namespace the key is created in. */
  readonly namespaces: readonly string[] | '*' | null;
  readonly expiresAt: Date | null;
  readonly rateLimit: RateBudget | null;
}

/**
 * The body of `POST /v1/api-keys`, every problem named by its path; the shape is
 * `CreateApiKeyRequest`'s, and `now` judges `expiresAt`.
 */
export function parseCreateApiKey(body: unknown, now: Date): CreateApiKeyInput {
  if (isPlainObject(body)) rejectJsonHazard(body);
  const issues = shapeIssues(CreateApiKeyRequest, body);
  const request = body as CreateApiKeyRequest;
  const named = new Set(issues.map((issue) => issue.path));
  if (isPlainObject(body)) issues.push(...valueRules(request, now).filter((issue) => !named.has(issue.path)));
  throwIfAny(issues);
  const namespaces = request.namespaces;
  return {
    name: request.name,
    roles: [...new Set(request.roles)],
    namespaces: namespaces === undefined ? null : namespaces.includes('*') ? '*' : [...new Set(namespaces)],
    expiresAt: request.expiresAt ? new Date(request.expiresAt) : null,
    rateLimit: request.rateLimit ? parseRateBudget(request.rateLimit) : null,
  };
}

/**
 * What a well-shaped field may still get wrong: `*` beside names, an expiry in the past (a
 * field whose shape is wrong already has its issue, which wins).
 */
function valueRules(request: CreateApiKeyRequest, now: Date): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const namespaces = request.namespaces;
  if (Array.isArray(namespaces) && namespaces.includes('*') && namespaces.length > 1)
    issues.push({ path: 'namespaces', message: GRANTED_NAMESPACES_MESSAGE });
  const expiresAt = typeof request.expiresAt === 'string' ? new Date(request.expiresAt) : null;
  if (expiresAt && expiresAt <= now) issues.push({ path: 'expiresAt', message: 'must be in the future' });
  return issues;
}
