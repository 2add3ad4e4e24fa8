import { DomainValidationError } from '../../../domain/shared/domain-error.js';

/** `after` of the event reads: the last seq the client has (REST's `after`); null means 0. */
export function afterSeq(after: number | null | undefined): number {
  if (after == null) return 0;
  if (after < 0)
    throw new DomainValidationError([{ path: 'after', message: 'must be a non-negative integer' }]);
  return after;
}
