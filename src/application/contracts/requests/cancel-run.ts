import { isPlainObject } from '../../../domain/definition/retry-policy.js';
import { DomainValidationError } from '../../../domain/shared/domain-error.js';
import { rejectJsonHazard } from './fields.js';

/** `POST /v1/runs/{id}/cancel` (and `cancelRun`) once parsed. */
export interface CancelRunInput {
  readonly reason: string | null;
}

export const MAX_CANCEL_REASON = 1000;

/** The optional body of a cancel (docs/contract.md#rest-api): no body, or `{ reason? }`. */
export function parseCancelRun(body: unknown): CancelRunInput {
  if (body === undefined || body === null) return { reason: null };
  if (!isPlainObject(body))
    throw new DomainValidationError([{ path: '$', message: 'must be a JSON object' }]);
  rejectJsonHazard(body);
  const { reason } = body;
  if (reason === undefined) return { reason: null };
  if (typeof reason !== 'string' || reason.length > MAX_CANCEL_REASON) {
    throw new DomainValidationError([
      { path: 'reason', message: `must be a string of at most ${MAX_CANCEL_REASON} characters` },
    ]);
  }
  return { reason };
}
