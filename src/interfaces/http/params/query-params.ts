import type { ListRunsRequest } from '../../../application/contracts/requests/list-runs.js';
import type { RunEventsRequest } from '../../../application/contracts/requests/run-events.js';
import { DomainValidationError, type ValidationIssue } from '../../../domain/shared/domain-error.js';

/**
 * The query string as Fastify parses it: a repeated key becomes an array. These functions only
 * turn it into the request the application's parsers read (src/application/contracts/requests);
 * the rules are theirs, shared with GraphQL.
 */
export type QueryString = Record<string, string | string[] | undefined>;

/** One value per parameter; empty means absent. Repeating a key is ambiguous, so a 400. */
function singles<K extends string>(query: QueryString, names: readonly K[]): Record<K, string | undefined> {
  const issues: ValidationIssue[] = [];
  const values = {} as Record<K, string | undefined>;
  for (const name of names) {
    const value = query[name];
    if (Array.isArray(value)) issues.push({ path: name, message: 'must be given at most once' });
    else values[name] = value === undefined || value === '' ? undefined : value;
  }
  if (issues.length > 0) throw new DomainValidationError(issues);
  return values;
}

const LIST_PARAMETERS = ['definition', 'status', 'limit', 'cursor', 'createdAfter', 'createdBefore'] as const;

/** `GET /v1/runs?…` for `parseListRuns`. */
export function listRunsRequest(query: QueryString): ListRunsRequest {
  return singles(query, LIST_PARAMETERS);
}

/**
 * `GET /v1/runs/{id}/events?…` for `parseRunEvents`, with the name `after` goes by: the page's
 * `nextCursor` is a seq, so `cursor` is accepted as the same thing for clients that paginate
 * every list the same way. A seq is digits; other text is passed on for the parser to reject.
 */
export function runEventsRequest(query: QueryString): { request: RunEventsRequest; afterPath: string } {
  const afterPath = query.after !== undefined ? 'after' : 'cursor';
  const { [afterPath]: after, limit } = singles(query, [afterPath, 'limit']);
  return {
    request: { after: after !== undefined && /^\d{1,15}$/.test(after) ? Number(after) : after, limit },
    afterPath,
  };
}

/** `GET /v1/dead-letters?…` for `parseListDeadLetters`. */
export function listDeadLettersRequest(query: QueryString): {
  queue?: string;
  limit?: string;
  cursor?: string;
} {
  const { queue, limit, cursor } = singles(query, ['queue', 'limit', 'cursor'] as const);
  return {
    ...(queue !== undefined ? { queue } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
  };
}
