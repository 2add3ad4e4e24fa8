import { isRunId } from '../../../domain/shared/run-id.js';
import { shortEcho } from '../../../domain/shared/echo.js';
import { NotFoundError } from '../../errors.js';

/**
 * A run id as a client sent it. A malformed one names no run, so it is a 404 like an unknown
 * one (docs/contract.md#rest-api), answered without a query (PostgreSQL would reject it as a
 * uuid). Ids are compared lower-case.
 */
export function parseRunId(raw: string): string {
  if (!isRunId(raw)) throw new NotFoundError(`run ${shortEcho(raw)} not found`);
  return raw.toLowerCase();
}

/** An API key id as a client sent it: malformed is a 404 like unknown, answered without a query. */
export function parseApiKeyId(raw: string): string {
  if (!isRunId(raw)) throw new NotFoundError(`API key ${shortEcho(raw)} not found`);
  return raw.toLowerCase();
}

/** A dead letter's id as a client sent it: malformed is a 404 like unknown, answered without a query. */
export function parseDeadLetterId(raw: string): string {
  if (!isRunId(raw)) throw new NotFoundError(`dead letter ${shortEcho(raw)} not found`);
  return raw.toLowerCase();
}
