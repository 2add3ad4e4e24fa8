import { MAX_LIMIT } from '../../../application/queries/run-queries.js';
import { isRunStatus, type RunStatus } from '../../../domain/run/run-status.js';
import { DomainValidationError } from '../../../domain/shared/domain-error.js';

/** The query string as Fastify parses it: a repeated key becomes an array. */
export type QueryString = Record<string, string | string[] | undefined>;

/** One value of a query parameter; empty means absent. Repeating a key is ambiguous, so a 400. */
export function single(query: QueryString, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value))
    throw new DomainValidationError([{ path: name, message: 'must be given at most once' }]);
  return value === undefined || value === '' ? undefined : value;
}

/** `limit` is clamped to 1…1000 and never rejected (docs/contract.md#rest-api); unreadable means the default. */
export function parseLimit(query: QueryString): number | undefined {
  const raw = single(query, 'limit');
  const n = raw === undefined ? NaN : Number(raw);
  if (!Number.isFinite(n)) return undefined;
  return Math.min(MAX_LIMIT, Math.max(1, Math.trunc(n)));
}

export function parseRunStatus(query: QueryString): RunStatus | undefined {
  const raw = single(query, 'status');
  if (raw === undefined) return undefined;
  if (!isRunStatus(raw))
    throw new DomainValidationError([{ path: 'status', message: `"${raw}" is not a run status` }]);
  return raw;
}

/** An ISO-8601 time with a date and a time of day (and, for clarity, a zone). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseTime(query: QueryString, name: string): Date | undefined {
  const raw = single(query, name);
  if (raw === undefined) return undefined;
  const time = ISO_TIME.test(raw) ? new Date(raw) : null;
  if (!time || Number.isNaN(time.getTime())) {
    throw new DomainValidationError([
      { path: name, message: 'must be an ISO-8601 time with a zone, e.g. 2026-12-01T00:00:00Z' },
    ]);
  }
  return time;
}

/**
 * `after` of the events endpoint: the last `seq` the client has, default 0. The page's
 * `nextCursor` is such a seq, so `cursor` is accepted as the same thing for clients that
 * paginate every list the same way.
 */
export function parseAfter(query: QueryString): number {
  const name = query.after !== undefined ? 'after' : 'cursor';
  const raw = single(query, name);
  if (raw === undefined) return 0;
  if (!/^\d{1,15}$/.test(raw)) {
    throw new DomainValidationError([{ path: name, message: 'must be a non-negative integer' }]);
  }
  return Number(raw);
}

/** PostgreSQL `integer`, the column type of definition versions. */
const MAX_VERSION = 2_147_483_647;

/** A definition version from the path; null when it cannot name a version (then: 404). */
export function parseVersion(raw: string): number | null {
  if (!/^\d{1,10}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= MAX_VERSION ? n : null;
}
