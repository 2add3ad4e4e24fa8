import type { ValidationIssue } from '../../../domain/shared/domain-error.js';
import { afterSeq, pageLimit, throwIfAny } from './fields.js';

/** A page of a run's events as a transport received it; "not given" is `undefined`. */
export interface RunEventsRequest {
  /** The last `seq` the client has. */
  after?: unknown;
  /** A number, or the text of one (a query string). */
  limit?: unknown;
}

/** `GET /v1/runs/{id}/events` (and `runEvents`) once parsed. */
export interface RunEventsPage {
  /** Events with a greater `seq` are read; 0 reads from the start. */
  readonly after: number;
  /** 1…1000; absent means the default page size. */
  readonly limit?: number;
}

/**
 * `after` and `limit` of an event read (docs/contract.md#rest-api). `afterPath` names `after`
 * in an issue: REST accepts `cursor` as the same thing and names what the client sent.
 */
export function parseRunEvents(request: RunEventsRequest, afterPath = 'after'): RunEventsPage {
  const issues: ValidationIssue[] = [];
  const after = afterSeq(request.after, afterPath, issues);
  const limit = pageLimit(typeof request.limit === 'string' ? Number(request.limit) : request.limit);
  throwIfAny(issues);
  return limit === undefined ? { after } : { after, limit };
}
