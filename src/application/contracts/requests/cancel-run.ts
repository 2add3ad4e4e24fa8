import { isPlainObject } from '../../../domain/definition/retry-policy.js';
import { CancelRunRequest } from '../schemas/runs.js';
import { shapeIssues } from '../shape-issues.js';
import { rejectJsonHazard, throwIfAny } from './fields.js';

/** `POST /v1/runs/{id}/cancel` (and `cancelRun`) once parsed. */
export interface CancelRunInput {
  readonly reason: string | null;
}

/** The optional body of a cancel (docs/contract.md#rest-api): no body, or `{ reason? }`. */
export function parseCancelRun(body: unknown): CancelRunInput {
  if (body === undefined || body === null) return { reason: null };
  if (isPlainObject(body)) rejectJsonHazard(body);
  throwIfAny(shapeIssues(CancelRunRequest, body));
  return { reason: (body as CancelRunRequest).reason ?? null };
}
