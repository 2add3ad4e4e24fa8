import { NotFoundError } from '../../../application/errors.js';
import { isRunId } from '../../../domain/shared/run-id.js';

/**
 * A run id from the path. A malformed one names no run, so it is a 404 like an unknown one
 * (docs/contract.md#rest-api), and it is answered without a query: PostgreSQL would reject it as a uuid.
 */
export function parseRunId(raw: string): string {
  if (!isRunId(raw)) throw new NotFoundError(`run ${raw} not found`);
  return raw.toLowerCase();
}
