import { NotFoundError } from '../../../application/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A run id from the path. A malformed one names no run, so it is a 404 like an unknown one
 * (SPEC §4), and it is answered without a query: PostgreSQL would reject it as a uuid.
 */
export function parseRunId(raw: string): string {
  if (!UUID.test(raw)) throw new NotFoundError(`run ${raw} not found`);
  return raw.toLowerCase();
}
